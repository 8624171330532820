/**
 * One transaction on a PostgreSQL connection, sent in as few round trips as it can be.
 *
 * Why: on PostgreSQL each wait for an answer is a network round trip (about 2 ms to a hosted
 * database), which dwarfs what a statement costs the server. The connection is in pg's pipeline
 * mode: statements are written one after another without waiting, and answered in order. So:
 * - BEGIN is not sent on its own: it goes out with the transaction's first statement.
 * - Writes whose result nobody reads are held, and go out with the next read, with COMMIT, or
 *   on their own when the transaction goes on to wait for something else (`sendHeld`, which
 *   sql-tx.ts's RowBatchingSql calls then: its #sendSoon says why). A read therefore costs one
 *   round trip, whatever was held before it; a transaction that ends with writes pays one round
 *   trip for them and COMMIT together; writes sent early cost a round trip nobody waits for.
 * - A read issued while another is on its way rides in the same round trip (the schema version,
 *   checked alongside the first read; see eval/schema-cache.ts).
 * - Statements are prepared once per connection, by name, so the server does not parse and plan
 *   them again for every transaction. Names are never freed, so the texts must be few: the
 *   multi-row INSERTs, whose text depends on their row count, take few sizes (sql-tx.ts's chunkRows).
 *
 * A statement that failed leaves the transaction aborted, and the statements behind it fail
 * too. The first failure is remembered, and `commit` refuses to report success after one, even
 * if the caller caught it or never awaited it (every statement is waited for before COMMIT's
 * answer is judged); and it checks that PostgreSQL answered COMMIT with COMMIT, not ROLLBACK.
 */

import type pg from 'pg';
import type { SqlQueryable } from './sql-tx.ts';

/** Texts vary only with row counts (a few, chunkRows) and list lengths; past this many names, statements go unnamed. */
const MAX_NAMED = 500;

/** Names of prepared statements, by text, shared by the pool's connections (each prepares a name once). */
export class StatementNames {
  readonly #names = new Map<string, string>();

  nameOf(text: string): string | undefined {
    let name = this.#names.get(text);
    if (name === undefined && this.#names.size < MAX_NAMED) {
      name = `fql_${this.#names.size + 1}`;
      this.#names.set(text, name);
    }
    return name;
  }
}

/** Why `commit` failed when COMMIT was answered ROLLBACK and no statement's failure was seen. */
export const ROLLED_BACK = 'PostgreSQL rolled back the transaction at COMMIT: one of its statements failed, unseen; nothing was committed';

interface Statement {
  readonly text: string;
  readonly params: readonly unknown[];
}

export class PgTx implements SqlQueryable {
  #begun = false;
  /** COMMIT or ROLLBACK has been issued: nothing more may be sent for this transaction. */
  #ended = false;
  #held: Statement[] = [];
  /**
   * Every statement sent whose answer has not come back, reads too (one nobody awaits, a
   * speculative read, fails the transaction as much as a held write does): `commit` waits for
   * them all, so that it knows the transaction's first failure before it answers.
   */
  readonly #inFlight = new Set<Promise<unknown>>();
  /** The first error any statement of this transaction raised. */
  #failure: { readonly error: unknown } | null = null;

  constructor(
    private readonly client: pg.PoolClient,
    /** BEGIN with its isolation level and any SET LOCAL, as one simple query. */
    private readonly begin: string,
    private readonly names: StatementNames,
    readonly optimistic: boolean,
  ) {}

  /** The first error a statement raised, if any did: the transaction cannot commit after it. */
  get failure(): { readonly error: unknown } | null {
    return this.#failure;
  }

  /** Whether anything reached the server: if not, there is nothing to commit or roll back. */
  get begun(): boolean {
    return this.#begun;
  }

  query<R extends object>(text: string, params: readonly unknown[]): Promise<R[]> {
    return this.#burst(() => {
      this.#sendPending();
      return this.#run<R>({ text, params });
    });
  }

  async write(text: string, params: readonly unknown[]): Promise<void> {
    this.#held.push({ text, params });
  }

  /** Sends what is held (with BEGIN, if it has not gone yet) without waiting for it; nothing once the transaction has ended. */
  sendHeld(): void {
    if (this.#ended || this.#held.length === 0) return;
    this.#burst(() => this.#sendPending());
  }

  /** Sends what is held (with BEGIN, if it has not gone yet) and waits for every statement sent. */
  async flush(): Promise<void> {
    if (this.#held.length === 0) return;
    this.#burst(() => this.#sendPending());
    await this.#settle();
  }

  /**
   * Sends what is held with COMMIT: one round trip. Throws the first failure of the transaction,
   * which must then be rolled back. Answers whether anything was written or read.
   */
  async commit(): Promise<boolean> {
    this.#ended = true;
    if (this.#failure !== null) throw this.#failure.error;
    if (!this.#begun && this.#held.length === 0) return false;
    const answer = await this.#burst(() => {
      this.#sendPending();
      return this.#send({ text: 'COMMIT', params: [] }).catch(() => null);
    });
    await this.#settle();
    const failure = this.failure;
    if (failure !== null) throw failure.error;
    // PostgreSQL answers COMMIT in an aborted transaction with the tag ROLLBACK, not an error:
    // a statement failed whose failure this class did not see. Never success; and not retried,
    // since the cause is unknown (a retry would hide it, or meet it again) and not contention.
    if (answer?.command !== 'COMMIT') throw new Error(ROLLED_BACK);
    return true;
  }

  /** Ends the transaction if it began; what is held is dropped. */
  async rollback(): Promise<void> {
    this.#ended = true;
    this.#held = [];
    if (!this.#begun) return;
    await this.#settle();
    await this.client.query('ROLLBACK');
  }

  /** BEGIN if it has not gone yet, then every held write, without waiting for their answers. */
  #sendPending(): void {
    if (!this.#begun) {
      this.#begun = true;
      this.#send({ text: this.begin, params: [] }).catch(() => undefined);
    }
    for (const statement of this.#takeHeld()) this.#send(statement).catch(() => undefined);
  }

  /**
   * Runs `send` with the connection's socket corked: pg writes each statement to the socket on
   * its own (a system call each, and a packet the server wakes up for), so a round trip of a
   * dozen statements went out in a dozen writes, the server starting on the first while the rest
   * were still being encoded. Corked, they leave together when `send` returns; its answer is
   * handed back.
   */
  #burst<T>(send: () => T): T {
    const socket = socketOf(this.client);
    socket?.cork();
    try {
      return send();
    } finally {
      socket?.uncork();
    }
  }

  /** Waits until every statement sent has been answered, and its failure, if any, recorded. */
  async #settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #takeHeld(): Statement[] {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  async #run<R extends object>(statement: Statement): Promise<R[]> {
    return (await this.#send<R>(statement)).rows;
  }

  /** Sends a statement, tracked in #inFlight until answered; its failure is the transaction's. */
  #send<R extends object>(statement: Statement): Promise<pg.QueryResult<R>> {
    const answer = this.#query<R>(statement);
    const settled: Promise<void> = answer.then(
      () => void this.#inFlight.delete(settled),
      () => void this.#inFlight.delete(settled),
    );
    this.#inFlight.add(settled);
    return answer;
  }

  async #query<R extends object>(statement: Statement): Promise<pg.QueryResult<R>> {
    const { text, params } = statement;
    try {
      if (params.length === 0) return await this.client.query<R>(text);
      const name = this.names.nameOf(text);
      return await this.client.query<R>({ text, values: [...params], ...(name === undefined ? {} : { name }) });
    } catch (error) {
      this.#failure ??= { error };
      throw error;
    }
  }
}

/** What #burst needs of the socket under a pg client. */
interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * The socket under a pg client: `connection.stream`, an internal of pg (its types leave it out
 * of PoolClient, its documentation never mentions it; pg's own query.js corks it the same way).
 * A pg version may rename or drop it: then this answers undefined, #burst sends without corking,
 * and each statement leaves in a write of its own, as before corking: slower, never wrong.
 */
function socketOf(client: pg.PoolClient): Corkable | undefined {
  const stream = (client as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
  return typeof stream?.cork === 'function' && typeof stream.uncork === 'function' ? (stream as Corkable) : undefined;
}
