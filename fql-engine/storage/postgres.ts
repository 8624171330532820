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
import { SCHEMA_DDL, errorCode, sqlStorageTx, sweepExpiredSql } from './sql-tx.ts';
import type { SqlQueryable } from './sql-tx.ts';
import { buildBatch } from './change-bus.ts';
import { PgChangeFeed, changeChannel, notifyStatements } from './pg-changes.ts';
import { StorageError } from './types.ts';
import type { ChangeListener, Storage, StorageTx } from './types.ts';

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
    await client.query(SCHEMA_DDL);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    client.release(true);
    if (isUnavailable(error)) throw unavailable(error);
    throw new StorageError('invalid_config', `could not create the storage tables: ${messageOf(error)}`);
  }
}

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly retry: boolean; readonly error: unknown };

class PostgresStorage implements Storage {
  readonly backend = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #begin: string;
  readonly #tries: number;
  readonly #changes: PgChangeFeed;
  #closed = false;

  constructor(pool: pg.Pool, schema: string | null, tries: number, changes: PgChangeFeed) {
    this.#pool = pool;
    this.#changes = changes;
    // SET LOCAL rides in BEGIN's round trip, and suits poolers that hand out a new session per transaction.
    this.#begin = `BEGIN ISOLATION LEVEL SERIALIZABLE${schema === null ? '' : `; SET LOCAL search_path TO ${schema}`}`;
    this.#tries = tries;
  }

  /** A transaction's announcements ride with its COMMIT (pg-changes.ts says why NOTIFY). */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.#serializable(async (sql) => {
      const tx = sqlStorageTx(sql);
      const value = await fn(tx);
      sql.beforeCommit = notifyStatements(this.#changes.channel, buildBatch(tx.published));
      return value;
    });
  }

  subscribe(listener: ChangeListener): Promise<() => Promise<void>> {
    if (this.#closed) return Promise.reject(new StorageError('unavailable', 'the PostgreSQL storage is closed'));
    return this.#changes.subscribe(listener);
  }

  sweepExpired(now: number): Promise<number> {
    return this.#serializable((sql) => sweepExpiredSql(sql, now));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#changes.close();
    await this.#pool.end();
  }

  async #serializable<T>(body: (sql: TrackedConnection) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.#attempt(body);
      if (outcome.ok) return outcome.value;
      if (!outcome.retry) throw outcome.error;
      if (attempt >= this.#tries) {
        throw new StorageError(
          'serialization_failure',
          `gave up after ${attempt} ${attempt === 1 ? 'try' : 'tries'}: concurrent transactions kept aborting it (last: ${messageOf(outcome.error)})`,
        );
      }
      await sleep(backoffMs(attempt));
    }
  }

  async #attempt<T>(body: (sql: TrackedConnection) => Promise<T>): Promise<Attempt<T>> {
    if (this.#closed) return { ok: false, retry: false, error: new StorageError('unavailable', 'the PostgreSQL storage is closed') };
    const client = await connect(this.#pool);
    const sql = new TrackedConnection(client);
    try {
      await sql.query(this.#begin, []);
      const value = await body(sql);
      // Simple-query protocol (no parameters), so the statements before COMMIT share its round trip.
      await sql.simple(`${sql.beforeCommit}COMMIT`);
      client.release();
      return { ok: true, value };
    } catch (error) {
      await rollback(client, error);
      // A conflict seen by any statement dooms the attempt, even if the callback caught it and threw something else.
      if (sql.sawConflict || isRetryable(error)) return { ok: false, retry: true, error };
      return { ok: false, retry: false, error: isUnavailable(error) ? unavailable(error) : error };
    }
  }
}

/** Runs statements on one client and remembers whether any was aborted by a conflict. */
class TrackedConnection implements SqlQueryable {
  sawConflict = false;
  /** Statements sent with COMMIT: a transaction's announcements. */
  beforeCommit = '';
  /**
   * Every write answers at once here: optimistic writes would need their unique violations
   * (23505) re-run strictly, and only serialization failures are retried on this backend. Each
   * statement is a network round trip anyway, so holding writes would not save calls either.
   */
  readonly optimistic = false;
  readonly #client: pg.PoolClient;

  constructor(client: pg.PoolClient) {
    this.#client = client;
  }

  async query<R extends object>(text: string, params: readonly unknown[]): Promise<R[]> {
    try {
      const result = await this.#client.query<R>(text, [...params]);
      return result.rows;
    } catch (error) {
      if (isRetryable(error)) this.sawConflict = true;
      throw error;
    }
  }

  async write(text: string, params: readonly unknown[]): Promise<void> {
    await this.query(text, params);
  }

  /** Statements with no parameters, several allowed, in one round trip. */
  async simple(text: string): Promise<void> {
    try {
      await this.#client.query(text);
    } catch (error) {
      if (isRetryable(error)) this.sawConflict = true;
      throw error;
    }
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
async function rollback(client: pg.PoolClient, cause: unknown): Promise<void> {
  if (isUnavailable(cause)) {
    client.release(true);
    return;
  }
  try {
    await client.query('ROLLBACK');
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

function isRetryable(error: unknown): boolean {
  return RETRYABLE.has(errorCode(error) ?? '');
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
