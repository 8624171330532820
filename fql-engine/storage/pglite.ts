/**
 * Storage on embedded PGlite (Postgres compiled to WASM), in memory or in a data directory.
 *
 * Design principles:
 * - PGlite is one connection to a single-user Postgres. Transactions therefore run one at a
 *   time behind a promise-queue mutex: two callbacks interleaving statements on the one
 *   connection would share a transaction. Running them serially also makes them trivially
 *   serializable, so no retry logic is needed here.
 * - A fresh data directory takes seconds (initdb in WASM). Every database is instead
 *   restored from one template: a freshly initialised directory with our tables, dumped
 *   once and cached on disk, keyed by the PGlite version and the DDL. Restoring takes a
 *   fraction of that time (see `measureColdStart`).
 * - A file-backed directory is locked to this process (see pglite-lock.ts).
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './pglite-lock.ts';
import type { DataDirLock } from './pglite-lock.ts';
import { SCHEMA_DDL, UNIQUE_VIOLATION, errorCode, sqlStorageTx, sweepExpiredSql } from './sql-tx.ts';
import type { SqlQueryable } from './sql-tx.ts';
import { PgliteTx, PreparedStatements } from './pglite-tx.ts';
import { ChangeBus, buildBatch } from './change-bus.ts';
import { StorageError } from './types.ts';
import type { ChangeListener, Storage, StorageTx } from './types.ts';
import type { Json } from '../values.ts';

/** Only the storage's own tables: whatever else shares the database (a benchmark's tables) is not ours to analyze. */
const ANALYZE_STORAGE_TABLES = 'ANALYZE fql_docs, fql_index_entries, fql_unique_claims, fql_schema_versions';

export interface PgliteOptions {
  /** A directory to keep the data in; without it the database lives in memory. */
  readonly dataDir?: string;
}

export async function openPglite(options: PgliteOptions = {}): Promise<PgliteStorage> {
  if (options.dataDir === undefined) return new PgliteStorage(await openFromTemplate(), null);
  const dir = resolve(options.dataDir);
  mkdirSync(dir, { recursive: true });
  const lock = await lockDataDir(dir);
  try {
    return new PgliteStorage(await openDirectory(dir), lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** An existing directory is resumed; a new one is restored from the template. */
async function openDirectory(dir: string): Promise<PGlite> {
  if (!existsSync(join(dir, 'PG_VERSION'))) return openFromTemplate(dir);
  const db = await PGlite.create({ dataDir: dir });
  // Idempotent: brings a directory made by an older version up to the current tables.
  await db.exec(SCHEMA_DDL);
  await db.exec(ANALYZE_STORAGE_TABLES);
  return db;
}

async function openFromTemplate(dataDir?: string): Promise<PGlite> {
  return PGlite.create({ dataDir, loadDataDir: await templateTarball() });
}

export interface ColdStart {
  /** Time to get the template tarball (near zero once this process has it). */
  readonly templateMs: number;
  /** Time to open a new in-memory database from the template and run a first statement. */
  readonly openMs: number;
}

/** Measures what a new database costs: the number the benchmark reports as cold start. */
export async function measureColdStart(): Promise<ColdStart> {
  const started = performance.now();
  const tarball = await templateTarball();
  const loaded = performance.now();
  const db = await PGlite.create({ loadDataDir: tarball });
  await db.query('SELECT count(*) FROM fql_docs');
  const opened = performance.now();
  await db.close();
  return { templateMs: loaded - started, openMs: opened - loaded };
}

// --- the template ---------------------------------------------------------------------

let template: Promise<Blob> | null = null;

/** The template tarball, from this process's memory, the disk cache, or built once. */
function templateTarball(): Promise<Blob> {
  if (template === null) {
    template = loadOrBuildTemplate();
    template.catch(() => {
      template = null;
    });
  }
  return template;
}

async function loadOrBuildTemplate(): Promise<Blob> {
  const path = templatePath();
  // PGlite recognises a gzipped tarball by its MIME type.
  if (existsSync(path)) return new Blob([readFileSync(path)], { type: 'application/gzip' });
  const db = await PGlite.create();
  try {
    await db.exec(SCHEMA_DDL);
    const dump = await db.dumpDataDir('gzip');
    writeAtomically(path, new Uint8Array(await dump.arrayBuffer()));
    return new Blob([dump], { type: 'application/gzip' });
  } finally {
    await db.close();
  }
}

/** Where the template is cached: a new PGlite or a new DDL gets a new file. */
export function templatePath(): string {
  const key = createHash('sha256').update(SCHEMA_DDL).digest('hex').slice(0, 16);
  return join(tmpdir(), 'fql-engine-pglite', `template-${pgliteVersion()}-${key}.tar.gz`);
}

function pgliteVersion(): string {
  // The package does not export its package.json; find it next to the resolved entry point.
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = join(dirname(dirname(entry)), 'package.json');
  const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : 'unknown';
}

/** Several processes may build the template at once: each renames a complete file into place. */
function writeAtomically(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

// --- the storage ----------------------------------------------------------------------

export class PgliteStorage implements Storage {
  readonly backend = 'pglite' as const;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /**
   * PGlite has no autovacuum, so nothing refreshes the planner's statistics; without them it
   * may read a whole collection through the order index to find one id. ANALYZE runs after a
   * doubling number of writing transactions (100, 200, 400…), as autovacuum would.
   */
  #writes = 0;
  #nextAnalyze = 100;
  readonly #prepared = new PreparedStatements();
  readonly #bus = new ChangeBus();

  readonly #db: PGlite;
  readonly #lock: DataDirLock | null;

  constructor(db: PGlite, lock: DataDirLock | null) {
    this.#db = db;
    this.#lock = lock;
  }

  /**
   * The PGlite itself, with the storage tables, for benchmarks that compare the engine with
   * the same work written by hand in SQL. Use it only while no transaction is running.
   */
  get raw(): PGlite {
    return this.#db;
  }

  /**
   * Announcements are delivered inside the mutex, right after COMMIT: the next transaction has
   * not begun, so listeners hear transactions in the order they committed.
   */
  transaction<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.#exclusive(async () => {
      let published: readonly (() => Json)[] = [];
      const value = await this.#run((sql) => {
        const tx = sqlStorageTx(sql);
        published = tx.published;
        return fn(tx);
      });
      if (published.length > 0 && this.#bus.size > 0) this.#bus.deliver(buildBatch(published));
      return value;
    });
  }

  /** PGlite belongs to this process alone: its changes are announced in memory. */
  subscribe(listener: ChangeListener): Promise<() => Promise<void>> {
    const remove = this.#bus.add(listener);
    return Promise.resolve(async () => remove());
  }

  sweepExpired(now: number): Promise<number> {
    return this.#exclusive(() => this.#run((sql) => sweepExpiredSql(sql, now)));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#bus.fail(new StorageError('unavailable', 'the PGlite storage is closed'));
    // Queued behind every transaction already started, so they finish first.
    await this.#queue.then(() => this.#db.close());
    this.#lock?.release();
  }

  /** The mutex: each call starts when the previous one has settled, whatever its outcome. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new StorageError('unavailable', 'the PGlite storage is closed'));
    const result = this.#queue.then(fn);
    // The queue itself never rejects, so one failed transaction does not block the next.
    this.#queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Runs one transaction (see pglite-tx.ts for how its statements travel). It first runs
   * optimistically: writes that may collide with a key are assumed not to. If one did, the
   * transaction is rolled back and run again strictly, where those writes answer whether they
   * collided and the caller decides what that means. A collision is decided only once every
   * write ran: a callback that throws first (say, `Abort`) still sends what it held, since
   * strictly its collision might have come first and be the error to report.
   */
  async #run<T>(fn: (sql: SqlQueryable) => Promise<T>): Promise<T> {
    const optimistic = await this.#attempt(fn, true);
    if (optimistic.ok) return optimistic.value;
    if (!optimistic.collided) throw optimistic.error;
    const strict = await this.#attempt(fn, false);
    if (strict.ok) return strict.value;
    throw strict.error;
  }

  async #attempt<T>(fn: (sql: SqlQueryable) => Promise<T>, optimistic: boolean): Promise<Attempt<T>> {
    const tx = new PgliteTx(this.#db, this.#prepared, optimistic);
    let value: T;
    try {
      value = await fn(tx);
    } catch (error) {
      if (optimistic) await tx.flush().catch(() => undefined);
      await tx.rollback();
      return { ok: false, error, collided: collided(tx) };
    }
    let wrote: boolean;
    try {
      wrote = await tx.commit();
    } catch (error) {
      await tx.rollback();
      return { ok: false, error, collided: collided(tx) };
    }
    if (wrote) await this.#analyzeNowAndThen();
    return { ok: true, value };
  }

  /** After a commit: its failure must not turn a committed transaction into a reported error. */
  async #analyzeNowAndThen(): Promise<void> {
    if (++this.#writes < this.#nextAnalyze) return;
    this.#nextAnalyze *= 2;
    try {
      await this.#db.exec(ANALYZE_STORAGE_TABLES);
    } catch (error) {
      console.error(`fql-engine: ANALYZE failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown; readonly collided: boolean };

/** An optimistic write met a key another row holds (the transaction's first failure was a unique violation). */
function collided(tx: PgliteTx): boolean {
  return tx.optimistic && tx.failure !== null && errorCode(tx.failure.error) === UNIQUE_VIOLATION;
}
