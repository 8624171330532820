/**
 * One transaction on PGlite's single connection, sent in as few calls as it can be.
 *
 * Why: each call into PGlite costs about 20 µs before Postgres does any work (the wire
 * protocol in and out of WebAssembly), which is as much as a small INSERT. So:
 * - Parameters are inlined as literals and statements run as server-side prepared statements
 *   (planning costs more than running here, and PGlite would plan every statement afresh).
 * - BEGIN is sent only with the first write, so a query that only reads costs no BEGIN/COMMIT.
 *   That is sound because the storage's mutex makes this the only connection at work: nothing
 *   can change between those first reads and the BEGIN.
 * - Writes whose result nobody reads are held and sent with the next statement or with COMMIT.
 *   A transaction that sent nothing before committing sends its writes as one simple query,
 *   which Postgres runs as one implicit transaction: a Create is one call of three INSERTs.
 *
 * A statement that failed leaves the transaction aborted, and Postgres then answers COMMIT by
 * rolling back without an error: so the first failure is remembered, and `commit` refuses to
 * report success after one, even if the caller caught it.
 */

import type { PGlite } from '@electric-sql/pglite';
import { NotInlinable, fillTemplate, quoteLiteral } from './sql-literals.ts';
import type { SqlQueryable } from './sql-tx.ts';

/** Templates vary only with batch sizes and range bounds; past this many, statements are sent unprepared. */
const MAX_PREPARED = 500;

/** A statement that cannot write (every statement sql-tx.ts issues is a plain SELECT or a write). */
const READS_ONLY = /^\s*SELECT\b/i;

interface Statement {
  readonly text: string;
  /** The parameters as SQL literals. */
  readonly args: readonly string[];
}

/** Statement templates prepared on the connection, by name. Names are never reused. */
export class PreparedStatements {
  readonly #names = new Map<string, string>();
  #count = 0;

  /**
   * The SQL text that runs `statements` in order, preparing templates seen for the first time,
   * and what to call once it ran: only a batch that succeeded makes its new names known, since a
   * failed batch may have stopped before some of its PREPAREs.
   */
  render(statements: readonly Statement[]): { readonly sql: string; readonly succeeded: () => void } {
    const fresh = new Map<string, string>();
    const parts: string[] = [];
    for (const { text, args } of statements) {
      let name = this.#names.get(text) ?? fresh.get(text);
      // Counted by names ever issued: a failed batch's PREPARE may survive it, unknown to #names.
      if (name === undefined && this.#count < MAX_PREPARED) {
        name = `fql_s${++this.#count}`;
        fresh.set(text, name);
        parts.push(`PREPARE ${name} AS ${text}`);
      }
      parts.push(name === undefined ? fillTemplate(text, args) : `EXECUTE ${name}${args.length === 0 ? '' : `(${args.join(', ')})`}`);
    }
    return {
      sql: parts.join('; '),
      succeeded: () => {
        for (const [text, name] of fresh) this.#names.set(text, name);
      },
    };
  }
}

export class PgliteTx implements SqlQueryable {
  #begun = false;
  #held: Statement[] = [];
  /** The first error any statement of this transaction raised. */
  #failure: { readonly error: unknown } | null = null;

  constructor(
    private readonly db: PGlite,
    private readonly prepared: PreparedStatements,
    readonly optimistic: boolean,
  ) {}

  /** The first error a statement raised, if any did: the transaction cannot commit after it. */
  get failure(): { readonly error: unknown } | null {
    return this.#failure;
  }

  async query<R extends object>(text: string, params: readonly unknown[]): Promise<R[]> {
    const args = quotedArgs(params);
    if (args === null) {
      await this.flush();
      if (!this.#begun && !READS_ONLY.test(text)) await this.#send([], 'BEGIN');
      return this.#guard(async () => (await this.db.query<R>(text, [...params])).rows);
    }
    // Held writes ride along, and they need the BEGIN even when this statement only reads.
    const begin = !this.#begun && (this.#held.length > 0 || !READS_ONLY.test(text));
    return this.#send<R>([...this.#takeHeld(), { text, args }], begin ? 'BEGIN' : '');
  }

  async write(text: string, params: readonly unknown[]): Promise<void> {
    const args = quotedArgs(params);
    if (args === null) await this.query(text, params);
    else this.#held.push({ text, args });
  }

  /** Sends the writes held so far, if any. */
  async flush(): Promise<void> {
    if (this.#held.length > 0) await this.#send(this.#takeHeld(), this.#begun ? '' : 'BEGIN');
  }

  /**
   * Sends what is held and commits. Answers whether anything was written. Throws the first
   * failure of the transaction, which then must be rolled back.
   */
  async commit(): Promise<boolean> {
    if (this.#failure !== null) throw this.#failure.error;
    if (this.#begun) {
      await this.#send(this.#takeHeld(), '', 'COMMIT');
      return true;
    }
    if (this.#held.length === 0) return false;
    // No BEGIN went out (only reads did, if anything): the held writes go alone, as one simple
    // query, which Postgres runs as one implicit transaction (all or nothing) without BEGIN and
    // COMMIT. The reads before it saw what it writes over: the storage's mutex keeps others out.
    await this.#send(this.#takeHeld(), '');
    return true;
  }

  /** Ends the transaction if it began; what is held is dropped. */
  async rollback(): Promise<void> {
    this.#held = [];
    if (!this.#begun) return;
    try {
      await this.db.exec('ROLLBACK');
    } catch {
      // The caller's error is the one worth reporting; a failed COMMIT has already ended the transaction.
    }
  }

  #takeHeld(): Statement[] {
    const held = this.#held;
    this.#held = [];
    return held;
  }

  /** One call into PGlite: `before`, the statements, `after`. Answers the last statement's rows. */
  async #send<R extends object>(statements: readonly Statement[], before: string, after = ''): Promise<R[]> {
    const rendered = this.prepared.render(statements);
    const sql = [before, rendered.sql, after].filter((part) => part !== '').join('; ');
    // Set first: if a statement fails after BEGIN ran, the transaction must still be rolled back.
    if (before === 'BEGIN') this.#begun = true;
    const results = await this.#guard(() => this.db.exec(sql));
    rendered.succeeded();
    const last = after === '' ? results[results.length - 1] : results[results.length - 2];
    return (last?.rows ?? []) as R[];
  }

  async #guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.#failure ??= { error };
      throw error;
    }
  }
}

/** The parameters as SQL literals, or null when one cannot be written (then the statement is sent parameterised). */
function quotedArgs(params: readonly unknown[]): string[] | null {
  try {
    return params.map(quoteLiteral);
  } catch (error) {
    if (error instanceof NotInlinable) return null;
    throw error;
  }
}
