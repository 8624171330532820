/**
 * Storage on a PostgreSQL server (or a Postgres-compatible one) through a `pg` pool.
 *
 * Design principles:
 * - Many functions and servers share one database, so transactions really run concurrently.
 *   Each runs SERIALIZABLE: Postgres then guarantees the outcome of some serial order, and
 *   the evaluator can reason as if it were alone, exactly as it does on PGlite. The price is
 *   that Postgres may abort a transaction (SQLSTATE 40001, or 40P01 for a deadlock); the
 *   callback has no effects outside `tx`, so it is simply run again, a bounded number of
 *   times with jittered backoff, before giving up with `serialization_failure`.
 * - Uniqueness is not checked by reading first: `fql_unique_claims` has a real primary key,
 *   and a concurrent claim of the same key aborts one of the two transactions.
 * - Failures reaching the server are `unavailable`; every other error is the caller's or a bug,
 *   and passes through unchanged.
 */

import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { POSTGRES_DEFAULTS } from '../defaults.ts';
import { PgTx, StatementNames } from './pg-tx.ts';
import { RowBatchingSql, SCHEMA_DDL, TERMS_INDEX_DDL, UNIQUE_VIOLATION, errorCode, sqlStorageTx, sweepExpiredSql } from './sql-tx.ts';
import type { SqlQueryable } from './sql-tx.ts';
import { buildBatch } from './change-bus.ts';
import { PgChangeFeed, changeChannel, notifyStatements } from './pg-changes.ts';
import { StorageError } from './types.ts';
import type { ChangeListener, Storage, StorageTx, TransactionOptions } from './types.ts';

export interface PostgresOptions {
  readonly url: string;
  /** A schema to keep the tables in (created if missing); the connection's default otherwise. */
  readonly schema?: string;
  /** How many times a transaction is tried in all before `serialization_failure`. */
  readonly maxRetries?: number;
  readonly poolSize?: number;
}

/** Serializes concurrent openers creating the tables ('FQLE'): CREATE ... IF NOT EXISTS races. */
const DDL_LOCK_KEY = 0x46514c45;
const RETRYABLE = new Set(['40001', '40P01']);
/** "out of shared memory": under SERIALIZABLE, the predicate locks of concurrent transactions filled the server's table. */
const OUT_OF_MEMORY = '53200';
/** A write in a transaction begun READ ONLY. */
const READ_ONLY_TRANSACTION = '25006';
/** SQLSTATE classes of resources a server is configured with: insufficient resources, program limits. */
const RESOURCE_CLASS = '53';
const LIMIT_CLASS = '54';
/** Admin shutdown, crash shutdown, cannot connect now, too many connections. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export async function openPostgres(options: PostgresOptions): Promise<Storage> {
  const schema = options.schema === undefined ? null : quoteSchema(options.schema);
  const tries = options.maxRetries ?? POSTGRES_DEFAULTS.tries;
  if (!Number.isInteger(tries) || tries < 1) throw new StorageError('invalid_config', `maxRetries must be a positive integer, not ${tries}`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? POSTGRES_DEFAULTS.poolSize,
    connectionTimeoutMillis: POSTGRES_DEFAULTS.connectTimeoutMs,
    // Statements are written without waiting for the answers before them (pg-tx.ts).
    pipeline: true,
  });
  // An idle client whose server goes away emits 'error' on the pool; unheard, it would crash
  // the process. The pool drops that client; a transaction that cannot reach the server reports `unavailable`.
  pool.on('error', () => undefined);
  try {
    await createTables(pool, options.schema ?? null, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStorage(pool, schema, tries, new PgChangeFeed(options.url, changeChannel(options.schema ?? null)));
}

function quoteSchema(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new StorageError('invalid_config', `schema must be a lowercase Postgres identifier, not ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

async function createTables(pool: pg.Pool, name: string | null, quoted: string | null): Promise<void> {
  const client = await connect(pool);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [DDL_LOCK_KEY]);
    if (name !== null && quoted !== null) {
      // Checked first: CREATE SCHEMA IF NOT EXISTS demands the CREATE privilege even when it exists.
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]);
      if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${quoted}`);
      await client.query(`SET LOCAL search_path TO ${quoted}`);
    }
    const missing = async (index: string): Promise<boolean> =>
      (await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [index])).rows[0]?.found == null;
    const freshIds = await missing('fql_docs_id');
    const freshTerms = await missing('fql_index_entries_terms');
    await client.query(SCHEMA_DDL);
    await client.query(TERMS_INDEX_DDL);
    if (freshIds) await presizeIdIndex(client);
    if (freshTerms) await presizeTermsIndex(client);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    client.release(true);
    if (isUnavailable(error)) throw unavailable(error);
    throw new StorageError('invalid_config', `could not create the storage tables: ${messageOf(error)}`);
  }
}

/**
 * Rows a new hash index on document ids is grown with: 2^8 buckets of 40 ids (fillfactor 10).
 * Under SERIALIZABLE a lookup by id locks its whole bucket page, and a document created into
 * that bucket by another transaction is then a conflict. A hash index starts with a few buckets
 * and splits them only as rows arrive, so in a young database a handful of bucket pages hold
 * every id and unrelated transactions abort each other; it never merges them back. Growing it
 * once, with rows deleted in the same transaction, makes a collision a one-in-256 chance from
 * the first day, for about 2 MB of empty buckets.
 */
const PRESIZE_ROWS = 256 * 40;

async function presizeIdIndex(client: pg.PoolClient): Promise<void> {
  // db '' is no database's id (see eval's database ids): nothing else can see or hold these rows.
  await client.query(
    `INSERT INTO fql_docs (db, coll, id, order_key, ts, body) SELECT '', '', g::text, '', 0, '' FROM generate_series(1, ${PRESIZE_ROWS}) g`,
  );
  await client.query("DELETE FROM fql_docs WHERE db = ''");
}

/**
 * The same for the hash index on index entries' terms (sql-tx.ts's entriesOf), for the same
 * reason, with 2^10 buckets (about 8 MB): a write touches many more terms than ids (a new account
 * writes an entry for every prefix of its address), so a bucket another transaction locked is
 * hit more often. Measured on bursts of 8 registrations: 0.28 serialization failures per
 * registration with 256 buckets, 0.13 with 1,024.
 */
const TERMS_PRESIZE_ROWS = 1024 * 40;

async function presizeTermsIndex(client: pg.PoolClient): Promise<void> {
  await client.query(
    `INSERT INTO fql_index_entries (db, index_id, terms, sort_key, vals, coll, id)
     SELECT '', '', int4send(g), '', '', '', '' FROM generate_series(1, ${TERMS_PRESIZE_ROWS}) g`,
  );
  await client.query("DELETE FROM fql_index_entries WHERE db = ''");
}

type Attempt<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown; readonly next: 'retry' | 'strictly' | 'read-write' | 'fail' };

interface AttemptMode {
  readonly readOnly: boolean;
  readonly optimistic: boolean;
}

class PostgresStorage implements Storage {
  readonly backend = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #setSchema: string;
  readonly #tries: number;
  readonly #names = new StatementNames();
  readonly #changes: PgChangeFeed;
  #closed = false;

  constructor(pool: pg.Pool, schema: string | null, tries: number, changes: PgChangeFeed) {
    this.#pool = pool;
    this.#changes = changes;
    // SET LOCAL rides in BEGIN's round trip, and suits poolers that hand out a new session per transaction.
    this.#setSchema = schema === null ? '' : `; SET LOCAL search_path TO ${schema}`;
    this.#tries = tries;
  }

  /**
   * A transaction's announcements ride with its COMMIT, in the same round trip (pg-changes.ts says
   * why NOTIFY). The rows it inserts are gathered into one INSERT per table (RowBatchingSql).
   */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.#serializable(async (sql) => {
      const rows = new RowBatchingSql(sql);
      const tx = sqlStorageTx(rows, { termsIndex: true });
      let value: T;
      try {
        value = await fn(tx);
      } finally {
        // On failure too: a row that collided may be what the failure should be reported as (#attempt).
        await rows.flush();
      }
      const notify = notifyStatements(this.#changes.channel, buildBatch(tx.published));
      if (notify !== '') await sql.write(notify, []);
      return value;
    }, options.readOnly === true);
  }

  subscribe(listener: ChangeListener): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(new StorageError('unavailable', 'the PostgreSQL storage is closed'));
    return this.#changes.subscribe(listener);
  }

  sweepExpired(now: number): Promise<number> {
    return this.#serializable((sql) => sweepExpiredSql(sql, now), false);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#changes.close();
    await this.#pool.end();
  }

  /**
   * Runs the body until it commits. A serialization failure (or a server short of lock memory,
   * which concurrency causes and backing off cures) runs it again after a jittered pause, a
   * bounded number of times. Two other outcomes run it again at once, without counting: an
   * optimistic write that met a key another row holds (run strictly), and a write in a
   * transaction begun READ ONLY (run read-write).
   */
  async #serializable<T>(body: (sql: SqlQueryable) => Promise<T>, readOnly: boolean): Promise<T> {
    let mode: AttemptMode = { readOnly, optimistic: true };
    for (let attempt = 1;;) {
      const outcome = await this.#attempt(body, mode);
      if (outcome.ok) return outcome.value;
      if (outcome.next === 'fail') throw outcome.error;
      if (outcome.next === 'strictly') mode = { ...mode, optimistic: false };
      else if (outcome.next === 'read-write') mode = { ...mode, readOnly: false };
      else {
        if (attempt >= this.#tries) throw gaveUp(attempt, outcome.error);
        await sleep(backoffMs(attempt));
        attempt += 1;
      }
    }
  }

  async #attempt<T>(body: (sql: SqlQueryable) => Promise<T>, mode: AttemptMode): Promise<Attempt<T>> {
    if (this.#closed) return { ok: false, next: 'fail', error: new StorageError('unavailable', 'the PostgreSQL storage is closed') };
    const client = await connect(this.#pool);
    // No sequential scans: under SERIALIZABLE one locks its whole table, and the planner picks
    // them for small tables, where every write would then conflict with the read.
    const begin = `BEGIN ISOLATION LEVEL SERIALIZABLE${mode.readOnly ? ' READ ONLY' : ''}; SET LOCAL enable_seqscan = off${this.#setSchema}`;
    const tx = new PgTx(client, begin, this.#names, mode.optimistic);
    let value: T;
    try {
      value = await body(tx);
    } catch (error) {
      // An optimistic write may have collided before the callback failed; strictly, that
      // collision would have been answered first, and may be what the callback should report.
      if (mode.optimistic) await tx.flush().catch(() => undefined);
      return this.#failed(client, tx, error);
    }
    try {
      await tx.commit();
    } catch (error) {
      return this.#failed(client, tx, error);
    }
    client.release();
    return { ok: true, value };
  }

  /** Ends a failed attempt and decides what comes next. */
  async #failed<T>(client: pg.PoolClient, tx: PgTx, error: unknown): Promise<Attempt<T>> {
    // The first statement to fail says why the attempt failed: the callback may have caught it
    // and thrown something else, and every statement after it failed only because it had.
    const cause = tx.failure?.error ?? error;
    await rollback(client, tx, cause);
    const code = errorCode(cause) ?? '';
    if (RETRYABLE.has(code) || code === OUT_OF_MEMORY) return { ok: false, next: 'retry', error: cause };
    if (code === UNIQUE_VIOLATION && tx.optimistic) return { ok: false, next: 'strictly', error: cause };
    if (code === READ_ONLY_TRANSACTION) return { ok: false, next: 'read-write', error: cause };
    if (isUnavailable(cause)) return { ok: false, next: 'fail', error: unavailable(cause) };
    if (code.startsWith(RESOURCE_CLASS) || code.startsWith(LIMIT_CLASS)) return { ok: false, next: 'fail', error: exhausted(cause) };
    return { ok: false, next: 'fail', error };
  }
}

async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw unavailable(error);
  }
}

/** Rolls back and returns the client to the pool, or discards it if its connection is suspect. */
async function rollback(client: pg.PoolClient, tx: PgTx, cause: unknown): Promise<void> {
  if (isUnavailable(cause)) {
    client.release(true);
    return;
  }
  try {
    await tx.rollback();
    client.release();
  } catch {
    client.release(true);
  }
}

/**
 * Full jitter, doubling from 2 ms up to 250 ms: spreads out transactions that collided. The cap
 * is above a bcrypt verify (~50 ms at cost 10), which some transactions include.
 */
function backoffMs(attempt: number): number {
  return Math.random() * Math.min(250, 2 ** attempt);
}

/** The tries ran out: a serialization failure is contention; a server short of lock memory says so. */
function gaveUp(attempt: number, last: unknown): StorageError {
  const tries = `${attempt} ${attempt === 1 ? 'try' : 'tries'}`;
  if (errorCode(last) === OUT_OF_MEMORY) return exhausted(last, ` (gave up after ${tries})`);
  return new StorageError('serialization_failure', `gave up after ${tries}: concurrent transactions kept aborting it (last: ${messageOf(last)})`);
}

function exhausted(error: unknown, suffix = ''): StorageError {
  const hint = error instanceof Error && 'hint' in error && typeof error.hint === 'string' ? ` (${error.hint})` : '';
  return new StorageError('resource_exhausted', `PostgreSQL ran out of a resource: ${messageOf(error)}${hint}${suffix}`);
}

function isUnavailable(error: unknown): boolean {
  const code = errorCode(error) ?? '';
  if (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || SOCKET_ERRORS.has(code)) return true;
  // pg reports a dropped connection as a plain Error with no code.
  return /connection terminated|not queryable|timeout exceeded when trying to connect/i.test(messageOf(error));
}

function unavailable(error: unknown): StorageError {
  return new StorageError('unavailable', `PostgreSQL is unavailable: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error ? error.message || error.name : String(error);
}
