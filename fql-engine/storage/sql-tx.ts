/**
 * The one SQL implementation of `StorageTx`, shared by the PGlite and PostgreSQL backends.
 *
 * Both backends speak the same Postgres dialect, so the SQL lives here once and each backend
 * only supplies a `SqlQueryable` bound to the open transaction and decides how transactions
 * run (a mutex for PGlite, SERIALIZABLE with retries for PostgreSQL).
 *
 * - Bodies and entry values are JSON text, not jsonb: jsonb reorders object keys, and the
 *   evaluator's documents must come back with their fields in the order they were written.
 * - Order keys use the "C" collation and index keys are bytea, so ordering is bytewise
 *   whatever the server's default collation is.
 * - Timestamps are bigint microseconds. pg returns bigint as a string and PGlite as a number;
 *   `Number()` is exact for both up to 2^53 (year 2255 in microseconds).
 * - Table names carry an `fql_` prefix: with DATABASE_URL they share a database with
 *   whatever else the user keeps there.
 */

import type { Json } from '../values.ts';
import type {
  DbId,
  DocRef,
  DropScope,
  EntryInput,
  EntryOwner,
  IndexEntry,
  IndexEntryWithDoc,
  PutEntriesOptions,
  ScanRange,
  StorageTx,
  StoredDoc,
  StoredVersion,
  VersionRange,
} from './types.ts';
import { VERSIONS_DDL, putVersion, removeVersion, scanVersions, sweepVersionsSql, versionsAt } from './sql-versions.ts';

/** The least a backend must offer: run statements inside the current transaction. */
export interface SqlQueryable {
  /** Runs a statement now and answers its rows. */
  query<R extends object>(sql: string, params: readonly unknown[]): Promise<R[]>;
  /**
   * A write whose result nobody reads. The backend may hold it and send it with its next
   * statement or with COMMIT (one round trip instead of several); its failure then surfaces
   * there, and fails the transaction.
   */
  write(sql: string, params: readonly unknown[]): Promise<void>;
  /**
   * When true, a write that may collide with a key another row holds (a new document's id, a
   * unique claim) is sent as a plain INSERT, held like any other write, and assumed to succeed.
   * A collision then fails the transaction with SQLSTATE 23505, and the backend runs it again
   * with `optimistic` false, where every such write answers whether it collided.
   */
  readonly optimistic: boolean;
  /**
   * Adds a row to an INSERT of many rows: a backend that has it may gather the rows of one table
   * and send them as one statement (see RowBatchingSql), fewer statements for the server to run.
   */
  insertRow?(into: RowsInto, row: readonly unknown[]): Promise<void>;
  /** Sends the writes held so far without waiting for their answers (RowBatchingSql says when). */
  sendHeld?(): void;
}

/** An INSERT of rows: `${head} VALUES (...), (...)${tail}`, each row `columns` parameters. */
export interface RowsInto {
  readonly head: string;
  readonly columns: number;
  readonly tail: string;
}

/**
 * Postgres caps a statement at 65535 parameters; rows are gathered well below that. A power of
 * two, so that a full table's rows go as one of the INSERTs `chunkRows` allows.
 */
const MAX_ROWS = 512;

/** Up to this many rows go as one INSERT of exactly that many rows (see chunkRows). */
const EXACT_ROWS = 16;

/**
 * How many of `rows` rows the next INSERT takes: all of them up to EXACT_ROWS, else the largest
 * power of two that fits. Why: the INSERT's text depends on its row count, and PostgreSQL's
 * backend (pg-tx.ts) prepares each text by name, once per connection and for good; one text per
 * row count spent the process's names on one-off sizes (a 37-row INSERT) and left each
 * connection holding hundreds of plans. Chunked, a table has at most EXACT_ROWS + log2(MAX_ROWS /
 * EXACT_ROWS) = 21 texts, while the usual transaction (login, register: a few rows per table)
 * still sends one INSERT per table; a large one sends a few more, in the same round trip.
 */
function chunkRows(rows: number): number {
  return rows <= EXACT_ROWS ? rows : 2 ** Math.floor(Math.log2(rows));
}

/** valuesOf's texts for the row counts chunkRows gives, by column count then row count: up to thousands of placeholders, built once. */
const valuesTexts = new Map<number, Map<number, string>>();

/** The INSERT of `rows` rows into `into`. */
function insertText(into: RowsInto, rows: number): string {
  return `${into.head} VALUES ${valuesOf(into.columns, rows)}${into.tail}`;
}

/** `rows` tuples of `columns` placeholders each: `($1, $2), ($3, $4)`. */
function valuesOf(columns: number, rows: number): string {
  // Only chunkRows' sizes are kept, so the cache stays as small as the set of texts it serves.
  const kept = chunkRows(rows) === rows && rows <= MAX_ROWS;
  let texts = valuesTexts.get(columns);
  const cached = texts?.get(rows);
  if (cached !== undefined) return cached;
  const tuples: string[] = [];
  for (let row = 0; row < rows; row++) {
    const placeholders = Array.from({ length: columns }, (_, column) => `$${row * columns + column + 1}`);
    tuples.push(`(${placeholders.join(', ')})`);
  }
  const text = tuples.join(', ');
  if (kept) {
    if (texts === undefined) valuesTexts.set(columns, texts = new Map<number, string>());
    texts.set(rows, text);
  }
  return text;
}

/**
 * Gathers the rows a transaction inserts into each table (its documents, their index entries,
 * unique claims) and writes each table's as one INSERT (a few past EXACT_ROWS rows: chunkRows),
 * instead of one INSERT per document and index: login's writes were nine statements, register's
 * eighteen, each one the server parses the parameters of, runs and answers on its own. Every other statement, and the end of the
 * transaction (`flush`), writes the rows gathered first, so that the statements run in the
 * order the transaction issued them, but for these INSERTs of different tables among
 * themselves, which nothing orders (no table refers to another). A row that collides fails its
 * INSERT as it would have failed alone, and the transaction with it.
 */
export class RowBatchingSql implements SqlQueryable {
  readonly #pending = new Map<string, { readonly into: RowsInto; readonly params: unknown[] }>();
  #sendScheduled = false;

  constructor(private readonly sql: SqlQueryable) {}

  get optimistic(): boolean {
    return this.sql.optimistic;
  }

  // Rows are handed on, and the statement after them, in the same synchronous step: a call the
  // transaction makes meanwhile (foresight starts reads together) cannot slip in between.
  async query<R extends object>(text: string, params: readonly unknown[]): Promise<R[]> {
    const rows = this.#handOn();
    const answer = this.sql.query<R>(text, params);
    await rows;
    return answer;
  }

  async write(text: string, params: readonly unknown[]): Promise<void> {
    const rows = this.#handOn();
    const written = this.sql.write(text, params);
    this.#sendSoon();
    await rows;
    return written;
  }

  /**
   * Writes are held for the transaction's next read or its COMMIT; but when the transaction
   * goes on to wait for something else (a bcrypt on libuv's pool: register hashes the password
   * after writing its rate events), they leave then, and nothing waits for them: a round trip on
   * the wire, none in what the transaction waits for. Why: under SERIALIZABLE a read locks the
   * whole index page it looked at (a hash bucket), so a write into a page a concurrent
   * transaction has read is a conflict, while one that lands before the read is not (the read
   * does not match its row). Register's rate events held through its bcrypt, until COMMIT,
   * conflicted that way: serialization failures per register at concurrency 8 and 32 (bench:pg,
   * 10 s, a busy machine, so a few in 60 to 80 requests) 0.10 and 0.19 held, 0.05 and 0.08 sent
   * early, 0.05 and 0.01 when a read that followed took them along.
   */
  #sendSoon(): void {
    if (this.#sendScheduled || this.sql.sendHeld === undefined) return;
    this.#sendScheduled = true;
    setImmediate(() => {
      this.#sendScheduled = false;
      // A failure is the transaction's, reported when it commits.
      this.#handOn().catch(() => undefined);
      this.sql.sendHeld?.();
    });
  }

  async insertRow(into: RowsInto, row: readonly unknown[]): Promise<void> {
    this.#sendSoon();
    const key = `${into.head}\u0000${into.tail}`;
    let rows = this.#pending.get(key);
    if (rows === undefined) {
      rows = { into, params: [] };
      this.#pending.set(key, rows);
    }
    rows.params.push(...row);
    if (rows.params.length >= MAX_ROWS * into.columns) {
      // Its table's rows so far, in one INSERT: the rows of other tables need not go before it.
      this.#pending.delete(key);
      await this.#insert(rows.into, rows.params);
    }
  }

  /** Writes every row gathered so far. */
  flush(): Promise<void> {
    return this.#handOn();
  }

  /** Hands every row gathered so far on to the backend now, one INSERT per table; resolves when it took them. */
  async #handOn(): Promise<void> {
    if (this.#pending.size === 0) return;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    await Promise.all(pending.map(({ into, params }) => this.#insert(into, params)));
  }

  /** Writes the rows as INSERTs of the sizes chunkRows allows, in any order (nothing orders rows of one table among themselves). */
  async #insert(into: RowsInto, params: readonly unknown[]): Promise<void> {
    const rows = params.length / into.columns;
    const writes: Promise<void>[] = [];
    for (let start = 0; start < rows;) {
      const count = chunkRows(rows - start);
      const chunk = count === rows ? params : params.slice(start * into.columns, (start + count) * into.columns);
      writes.push(this.sql.write(insertText(into, count), chunk));
      start += count;
    }
    await Promise.all(writes);
  }
}

/** Inserts a row through `insertRow` when the backend gathers rows, or as an INSERT of its own. */
function insertRow(sql: SqlQueryable, into: RowsInto, row: readonly unknown[]): Promise<void> {
  if (sql.insertRow !== undefined) return sql.insertRow(into, row);
  return sql.write(insertText(into, 1), row);
}

/** The SQLSTATE of a unique violation: under `optimistic`, what sends a transaction back to run strictly. */
export const UNIQUE_VIOLATION = '23505';

/** An error's code, as both pg and PGlite report it: a SQLSTATE, or a socket error such as ECONNREFUSED. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

export const SCHEMA_DDL = `
CREATE TABLE IF NOT EXISTS fql_docs (
  db text COLLATE "C" NOT NULL,
  coll text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  order_key text COLLATE "C" NOT NULL,
  ts bigint NOT NULL,
  body text NOT NULL,
  expires_at bigint,
  PRIMARY KEY (db, coll, id)
);
CREATE INDEX IF NOT EXISTS fql_docs_order ON fql_docs (db, coll, order_key);
CREATE INDEX IF NOT EXISTS fql_docs_expiry ON fql_docs (expires_at) WHERE expires_at IS NOT NULL;
-- Reading a document by id goes through this hash index rather than the primary key (the
-- planner prefers it). Under SERIALIZABLE a read locks the index page it looked at: in the
-- primary key, the newest documents of a collection share its last pages, where every new
-- document is inserted, so two transactions that each read a recent document and create one
-- (two refreshes) would abort each other; a hash bucket is shared only by chance. That chance
-- is one in the number of buckets, and a bucket holds as many ids as fit in a page at the
-- index's fillfactor (about 300 at the default 75, 40 at the least, 10): a database of 5,000
-- documents has 16 buckets at the default and 128 at 10. Measured with bench:pg, eight
-- concurrent refreshes of different sessions failed 2.5 times per refresh at the default, 0.6 at 10.
CREATE INDEX IF NOT EXISTS fql_docs_id ON fql_docs USING hash (id) WITH (fillfactor = 10);
-- Room on each page for an update to stay there (HOT): it then adds no index entry, which
-- readers of the same index pages would see as a conflict.
ALTER TABLE fql_docs SET (fillfactor = 80);

CREATE TABLE IF NOT EXISTS fql_index_entries (
  db text COLLATE "C" NOT NULL,
  index_id text COLLATE "C" NOT NULL,
  terms bytea NOT NULL,
  sort_key bytea NOT NULL,
  vals text NOT NULL,
  coll text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  expires_at bigint,
  PRIMARY KEY (db, index_id, terms, sort_key)
);
CREATE INDEX IF NOT EXISTS fql_index_entries_doc ON fql_index_entries (db, coll, id);
CREATE INDEX IF NOT EXISTS fql_index_entries_expiry ON fql_index_entries (expires_at) WHERE expires_at IS NOT NULL;

-- The primary key is what enforces FQL unique indexes: two transactions cannot both hold a key.
CREATE TABLE IF NOT EXISTS fql_unique_claims (
  db text COLLATE "C" NOT NULL,
  index_id text COLLATE "C" NOT NULL,
  key bytea NOT NULL,
  coll text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  PRIMARY KEY (db, index_id, key)
);
CREATE INDEX IF NOT EXISTS fql_unique_claims_doc ON fql_unique_claims (db, coll, id);

-- Bumped by every schema write in a database. Processes sharing the storage read this one row
-- in a transaction instead of the schema documents, whose pages every write would share.
CREATE TABLE IF NOT EXISTS fql_schema_versions (
  db text COLLATE "C" PRIMARY KEY,
  version bigint NOT NULL
);
${VERSIONS_DDL}`;

/**
 * PostgreSQL's alone (PGlite runs one transaction at a time, and has no conflicts to spare): a
 * Match looks its terms up here first (see entriesOf). Under SERIALIZABLE a scan of the primary
 * key locks the leaf pages it reads, which hold the entries of neighbouring terms too (the
 * rate-limit windows of other addresses, the next email), so that two transactions that each
 * read their own terms and write an entry (two registrations) abort each other. A hash bucket
 * is shared only by chance; fillfactor 10, and grown to 1,024 buckets when created (postgres.ts).
 * The index's own id is part of the key: terms alone (a session's ref, say) are shared by the
 * entries of several indexes, and a lookup would read, and lock, all of them.
 */
export const TERMS_INDEX_DDL =
  "CREATE INDEX IF NOT EXISTS fql_index_entries_terms ON fql_index_entries USING hash ((encode(terms, 'hex') || index_id)) WITH (fillfactor = 10)";

/** Postgres caps a statement at 65535 parameters; entries go in batches well below that. */
const ENTRY_BATCH = 1000;
const ENTRY_COLUMNS = 8;

interface DocRow {
  coll: string;
  id: string;
  order_key: string;
  ts: number | string;
  body: string;
  expires_at: number | string | null;
}

interface EntryRow {
  terms: Uint8Array;
  sort_key: Uint8Array;
  vals: string;
  coll: string;
  id: string;
  expires_at: number | string | null;
}

/**
 * Builds a `StorageTx` whose every call is one or more statements on `sql`. A class rather than
 * an object of closures: one is made for every transaction.
 */
export function sqlStorageTx(sql: SqlQueryable, options: SqlTxOptions = {}): SqlStorageTx {
  return new SqlStorageTx(sql, options.termsIndex === true);
}

export interface SqlTxOptions {
  /** The storage has TERMS_INDEX_DDL's index: small groups of entries are found through it. */
  readonly termsIndex?: boolean;
}

export class SqlStorageTx implements StorageTx {
  /** What the transaction announced (`publish`), for the backend to send on once it commits. */
  readonly published: (() => Json)[] = [];
  /**
   * Each database's schema version as this transaction reads it: its snapshot answers the same
   * until it bumps the version itself, so one statement serves every caller. Several reads the
   * evaluator foresees each look their index up at once, and each asked for the version.
   */
  private readonly versions = new Map<DbId, Promise<number>>();
  /**
   * Documents this transaction knows a row of (its own reads found one, or it wrote one), by
   * docKey: deleting one of them cannot remove nothing, so the delete need not wait for its answer.
   */
  private readonly present = new Set<string>();
  /**
   * Counts deletes. A read adds what it found to `present` only if no delete came meanwhile: a
   * read the evaluator foresaw may answer after the transaction deleted what it found.
   */
  private deletes = 0;

  constructor(
    private readonly sql: SqlQueryable,
    private readonly termsIndex: boolean,
  ) {}

  publish(change: () => Json): void {
    this.published.push(change);
  }

  async getDoc(db: DbId, coll: string, id: string, now: number): Promise<StoredDoc | null> {
    const deletesBefore = this.deletes;
    const doc = await getDoc(this.sql, db, coll, id, now);
    if (doc !== null && this.deletes === deletesBefore) this.present.add(docKey(db, coll, id));
    return doc;
  }
  async getDocs(db: DbId, keys: readonly DocRef[], now: number): Promise<(StoredDoc | null)[]> {
    const deletesBefore = this.deletes;
    const docs = await getDocs(this.sql, db, keys, now);
    if (this.deletes === deletesBefore) { for (const doc of docs) if (doc !== null) this.present.add(docKey(db, doc.coll, doc.id)); }
    return docs;
  }
  async insertDoc(db: DbId, doc: StoredDoc): Promise<boolean> {
    // Inserted, or (answered false) already there: a row is present either way. An optimistic
    // insert that collided fails the transaction instead.
    const inserted = await insertDoc(this.sql, db, doc);
    this.present.add(docKey(db, doc.coll, doc.id));
    return inserted;
  }
  async putDoc(db: DbId, doc: StoredDoc): Promise<void> {
    await putDoc(this.sql, db, doc);
    this.present.add(docKey(db, doc.coll, doc.id));
  }
  async deleteDoc(db: DbId, coll: string, id: string): Promise<boolean> {
    const key = docKey(db, coll, id);
    this.deletes++;
    const present = this.present.delete(key);
    return deleteDoc(this.sql, db, coll, id, present);
  }
  scanDocs(db: DbId, coll: string, range: ScanRange<string>): Promise<StoredDoc[]> {
    return scanDocs(this.sql, db, coll, range);
  }
  putIndexEntries(
    db: DbId,
    indexId: string,
    doc: EntryOwner,
    entries: readonly EntryInput[],
    options?: PutEntriesOptions,
  ): Promise<void> {
    return putIndexEntries(this.sql, db, indexId, doc, entries, options?.fresh ?? false);
  }
  scanIndex(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): Promise<IndexEntry[]> {
    return scanIndex(this.sql, db, indexId, terms, range, this.termsIndex);
  }
  async scanIndexWithDocs(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): Promise<IndexEntryWithDoc[]> {
    const deletesBefore = this.deletes;
    const found = await scanIndexWithDocs(this.sql, db, indexId, terms, range, this.termsIndex);
    if (this.deletes === deletesBefore) { for (const entry of found) if (entry.doc !== null) this.present.add(docKey(db, entry.coll, entry.id)); }
    return found;
  }
  claimUnique(db: DbId, indexId: string, key: Uint8Array, doc: DocRef): Promise<DocRef | null> {
    return claimUnique(this.sql, db, indexId, key, doc);
  }
  releaseUnique(db: DbId, indexId: string, doc: DocRef): Promise<void> {
    return releaseUnique(this.sql, db, indexId, doc);
  }
  putVersion(db: DbId, version: StoredVersion): Promise<void> {
    return putVersion(this.sql, db, version);
  }
  removeVersion(db: DbId, coll: string, id: string, ts: number): Promise<boolean> {
    return removeVersion(this.sql, db, coll, id, ts);
  }
  scanVersions(db: DbId, coll: string, id: string | null, range: VersionRange): Promise<StoredVersion[]> {
    return scanVersions(this.sql, db, coll, id, range);
  }
  versionsAt(db: DbId, coll: string, ts: number, now: number): Promise<StoredVersion[]> {
    return versionsAt(this.sql, db, coll, ts, now);
  }
  drop(db: DbId, scope: DropScope): Promise<void> {
    this.deletes++;
    this.present.clear();
    if (scope.kind === 'database') this.versions.delete(db);
    return drop(this.sql, db, scope);
  }
  schemaVersion(db: DbId): Promise<number> {
    let version = this.versions.get(db);
    if (version === undefined) {
      version = schemaVersion(this.sql, db);
      this.versions.set(db, version);
      // A failed read is not kept: the error belongs to the callers that were waiting for it.
      version.catch(() => this.versions.get(db) === version && this.versions.delete(db));
    }
    return version;
  }
  bumpSchemaVersion(db: DbId): Promise<void> {
    this.versions.delete(db);
    return bumpSchemaVersion(this.sql, db);
  }
}

/** A document's key in a transaction's own bookkeeping. */
function docKey(db: DbId, coll: string, id: string): string {
  return `${db}\u0000${coll}\u0000${id}`;
}

async function schemaVersion(sql: SqlQueryable, db: DbId): Promise<number> {
  const rows = await sql.query<{ version: number | string }>('SELECT version FROM fql_schema_versions WHERE db = $1', [db]);
  return rows[0] === undefined ? 0 : Number(rows[0].version);
}

async function bumpSchemaVersion(sql: SqlQueryable, db: DbId): Promise<void> {
  await sql.write(
    `INSERT INTO fql_schema_versions (db, version) VALUES ($1, 1)
     ON CONFLICT (db) DO UPDATE SET version = fql_schema_versions.version + 1`,
    [db],
  );
}

/** The row is visible at `now` (a placeholder such as `$4`): it has not expired. */
function live(now: string, column = 'expires_at'): string {
  return `(${column} IS NULL OR ${column} > ${now})`;
}

const DOC_COLUMNS = 'coll, id, order_key, ts, body, expires_at';

/**
 * A document by key, found through the hash index on id and nothing else. Under SERIALIZABLE
 * what a statement scans is what it locks: given `db = $1 AND coll = $2` as index conditions,
 * the planner may scan a small collection through fql_docs_order instead and lock all of it, so
 * that every write to that collection conflicts with the read. `|| ''` leaves db and coll as
 * mere filters.
 */
function byKey(db: string, coll: string, id: string): string {
  return `id = ${id} AND db || '' = ${db} AND coll || '' = ${coll}`;
}
const BY_KEY = byKey('$1', '$2', '$3');

/** One row by key: its expiry is checked here rather than in SQL, which keeps the statement a bare key lookup. */
async function getDoc(sql: SqlQueryable, db: DbId, coll: string, id: string, now: number): Promise<StoredDoc | null> {
  const rows = await sql.query<DocRow>(`SELECT ${DOC_COLUMNS} FROM fql_docs WHERE ${BY_KEY}`, [db, coll, id]);
  return liveDoc(rows[0], now);
}

/**
 * Documents by key, in one statement: each key is BY_KEY's lookup, so the statement locks what
 * as many getDocs would (a scan for several ids at once could take in more of the table).
 */
async function getDocs(sql: SqlQueryable, db: DbId, keys: readonly DocRef[], now: number): Promise<(StoredDoc | null)[]> {
  if (keys.length === 0) return [];
  if (keys.length === 1) return [await getDoc(sql, db, keys[0].coll, keys[0].id, now)];
  const params: unknown[] = [db];
  const lookups = keys.map(
    (key) => `SELECT ${DOC_COLUMNS} FROM fql_docs WHERE ${byKey('$1', `$${params.push(key.coll)}`, `$${params.push(key.id)}`)}`,
  );
  const rows = await sql.query<DocRow>(lookups.join(' UNION ALL '), params);
  return keys.map((key) => liveDoc(rows.find((row) => row.coll === key.coll && row.id === key.id), now));
}

const DOC_ROWS: RowsInto = { head: `INSERT INTO fql_docs (db, ${DOC_COLUMNS})`, columns: 7, tail: '' };

async function insertDoc(sql: SqlQueryable, db: DbId, doc: StoredDoc): Promise<boolean> {
  if (sql.optimistic) {
    await insertRow(sql, DOC_ROWS, docParams(db, doc));
    return true;
  }
  const rows = await sql.query<{ one: number }>(
    `INSERT INTO fql_docs (db, ${DOC_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (db, coll, id) DO NOTHING RETURNING 1 AS one`,
    docParams(db, doc),
  );
  return rows.length === 1;
}

/**
 * An UPDATE, and an INSERT only when it found nothing: not INSERT ... ON CONFLICT, whose
 * conflict check reads the primary key's page, the page every new document of the collection
 * goes to, so that under SERIALIZABLE two transactions that each update one document and create
 * another (two refreshes) would abort each other. The UPDATE finds its row by the id's hash.
 */
async function putDoc(sql: SqlQueryable, db: DbId, doc: StoredDoc): Promise<void> {
  await sql.write(
    `WITH updated AS (
       UPDATE fql_docs SET order_key = $4, ts = $5, body = $6, expires_at = $7
       WHERE ${BY_KEY} RETURNING 1
     )
     INSERT INTO fql_docs (db, ${DOC_COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7 WHERE NOT EXISTS (SELECT 1 FROM updated)`,
    docParams(db, doc),
  );
}

/**
 * True when a row was removed, expired or not: deleting is a write, not a read. The row is found
 * as getDoc finds it (BY_KEY): a DELETE reads what it scans too, and given `db = $1 AND coll = $2`
 * a planner without statistics yet (a young table, before autovacuum's first ANALYZE) scans the
 * whole collection through fql_docs_order, filtering on the id. Under SERIALIZABLE that locked
 * all of the index and the table, so that every document another transaction created or
 * deleted meanwhile was a conflict: measured with bench:pg, 1 to 8 serialization failures per
 * logout (which deletes a session and creates an audit event) at concurrency 8 and 32.
 */
async function deleteDoc(sql: SqlQueryable, db: DbId, coll: string, id: string, present: boolean): Promise<boolean> {
  const params = [db, coll, id];
  let deleted = true;
  if (present) {
    // The transaction saw the row, and its snapshot keeps it: the answer is known, and the
    // delete is held with the other writes instead of costing a round trip. Had another
    // transaction deleted or changed the row since, this one fails to serialize at the latest
    // at COMMIT, as it would have here.
    await sql.write(`DELETE FROM fql_docs WHERE ${BY_KEY}`, params);
  } else {
    deleted = (await sql.query<{ one: number }>(`DELETE FROM fql_docs WHERE ${BY_KEY} RETURNING 1 AS one`, params)).length === 1;
  }
  await sql.write('DELETE FROM fql_index_entries WHERE db = $1 AND coll = $2 AND id = $3', params);
  await sql.write('DELETE FROM fql_unique_claims WHERE db = $1 AND coll = $2 AND id = $3', params);
  return deleted;
}

async function scanDocs(sql: SqlQueryable, db: DbId, coll: string, range: ScanRange<string>): Promise<StoredDoc[]> {
  const params: unknown[] = [db, coll];
  const where = rangeConditions('order_key', range, params);
  const rows = await sql.query<DocRow>(
    `SELECT ${DOC_COLUMNS} FROM fql_docs WHERE db = $1 AND coll = $2 AND ${where} ${orderAndLimit('order_key', range, params)}`,
    params,
  );
  return rows.map(decodeDoc);
}

async function putIndexEntries(
  sql: SqlQueryable,
  db: DbId,
  indexId: string,
  doc: EntryOwner,
  entries: readonly EntryInput[],
  fresh: boolean,
): Promise<void> {
  if (!fresh) {
    await sql.write('DELETE FROM fql_index_entries WHERE db = $1 AND coll = $2 AND id = $3 AND index_id = $4', [db, doc.coll, doc.id, indexId]);
  }
  // The evaluator's entries are distinct (entriesFor) and the document's old ones are gone, so
  // nothing conflicts. Optimistically, a plain INSERT spares Postgres a speculative insertion; an
  // entry given twice, or a wrong `fresh`, re-runs the transaction strictly, where the conflict is
  // skipped and one copy is kept.
  const into: RowsInto = {
    head: 'INSERT INTO fql_index_entries (db, index_id, terms, sort_key, vals, coll, id, expires_at)',
    columns: ENTRY_COLUMNS,
    tail: sql.optimistic ? '' : ' ON CONFLICT DO NOTHING',
  };
  if (sql.insertRow !== undefined) {
    for (const entry of entries) await sql.insertRow(into, entryParams(db, indexId, doc, entry));
    return;
  }
  for (let start = 0; start < entries.length; start += ENTRY_BATCH) {
    const batch = entries.slice(start, start + ENTRY_BATCH);
    await sql.write(insertText(into, batch.length), batch.flatMap((entry) => entryParams(db, indexId, doc, entry)));
  }
}

function entryParams(db: DbId, indexId: string, doc: EntryOwner, entry: EntryInput): unknown[] {
  return [db, indexId, entry.terms, entry.sortKey, JSON.stringify(entry.values), doc.coll, doc.id, doc.expiresAt];
}

/**
 * Terms with at most this many entries are read through the hash index on index and terms (a few
 * bucket pages locked), sorted and cut in the statement; a larger group is read through the
 * primary key in order, as it is only there that a page of it costs no more than the page.
 */
const SMALL_GROUP = 64;

/**
 * The entries of `terms` in `range`, in order, as a subquery (its parameters appended to
 * `params`): a range of the primary key. With the terms index (PostgreSQL), still one statement:
 * the hash lookup takes up to SMALL_GROUP + 1 entries of the terms; when it found no more than
 * SMALL_GROUP, they are the whole group, and the ordered scan of the primary key does not run
 * (a one-time filter), so it locks nothing.
 */
function entriesOf(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>, params: unknown[], termsIndex: boolean): string {
  params.push(db, indexId, terms);
  const where = rangeConditions('sort_key', range, params);
  const order = orderAndLimit('sort_key', range, params);
  const ordered = (guard: string): string =>
    `SELECT terms, sort_key, vals, coll, id, expires_at FROM fql_index_entries
        WHERE ${guard}db = $1 AND index_id = $2 AND terms = $3 AND ${where} ${order}`;
  if (!termsIndex) return `(${ordered('')})`;
  // `|| ''` keeps db and index_id out of the primary key's reach: the lookup goes by the hash of the terms and the index.
  return `(WITH grp AS (SELECT terms, sort_key, vals, coll, id, expires_at FROM fql_index_entries
                        WHERE encode(terms, 'hex') || index_id = encode($3, 'hex') || $2::text AND terms = $3 AND db || '' = $1 AND index_id || '' = $2
                        LIMIT ${SMALL_GROUP + 1})
     SELECT * FROM (
       (SELECT * FROM grp WHERE (SELECT count(*) FROM grp) <= ${SMALL_GROUP} AND ${where})
       UNION ALL
       (${ordered(`(SELECT count(*) FROM grp) > ${SMALL_GROUP} AND `)})
     ) found ${order})`;
}

async function scanIndex(
  sql: SqlQueryable,
  db: DbId,
  indexId: string,
  terms: Uint8Array,
  range: ScanRange<Uint8Array>,
  termsIndex: boolean,
): Promise<IndexEntry[]> {
  const params: unknown[] = [];
  const entries = entriesOf(db, indexId, terms, range, params, termsIndex);
  const rows = await sql.query<EntryRow>(
    `SELECT terms, sort_key, vals, coll, id, expires_at FROM ${entries} e ORDER BY sort_key ${range.reverse === true ? 'DESC' : 'ASC'}`,
    params,
  );
  return rows.map(decodeEntry);
}

interface EntryDocRow extends EntryRow {
  doc_order_key: string | null;
  doc_ts: number | string | null;
  doc_body: string | null;
  doc_expires_at: number | string | null;
}

async function scanIndexWithDocs(
  sql: SqlQueryable,
  db: DbId,
  indexId: string,
  terms: Uint8Array,
  range: ScanRange<Uint8Array>,
  termsIndex: boolean,
): Promise<IndexEntryWithDoc[]> {
  const params: unknown[] = [];
  const entries = entriesOf(db, indexId, terms, range, params, termsIndex);
  // Each document is looked up by its key, entry by entry (LATERAL ... LIMIT 1 keeps the planner
  // from joining another way): a join that scanned the collection would, under SERIALIZABLE,
  // lock all of it, and conflict with every write to it.
  const rows = await sql.query<EntryDocRow>(
    `SELECT e.terms, e.sort_key, e.vals, e.coll, e.id, e.expires_at,
       d.order_key AS doc_order_key, d.ts AS doc_ts, d.body AS doc_body, d.expires_at AS doc_expires_at
     FROM ${entries} e
     LEFT JOIN LATERAL (SELECT order_key, ts, body, expires_at FROM fql_docs
                        WHERE ${byKey('$1', 'e.coll', 'e.id')} LIMIT 1) d ON true
     ORDER BY e.sort_key ${range.reverse === true ? 'DESC' : 'ASC'}`,
    params,
  );
  return rows.map((row) => decodeEntryWithDoc(row, range.now));
}

/**
 * An entry and its joined document. Written out field by field: on Node 20, spreading the decoded
 * entry into a new object cost about 2 µs an entry (a 50-session list reads 50), this 0.2.
 */
function decodeEntryWithDoc(row: EntryDocRow, now: number): IndexEntryWithDoc {
  const entry = decodeEntry(row);
  return {
    terms: entry.terms,
    sortKey: entry.sortKey,
    values: entry.values,
    coll: entry.coll,
    id: entry.id,
    expiresAt: entry.expiresAt,
    doc: joinedDoc(row, now),
  };
}

/** The joined document as getDoc answers it: null when there is none or it has expired. */
function joinedDoc(row: EntryDocRow, now: number): StoredDoc | null {
  if (row.doc_body === null || row.doc_order_key === null || row.doc_ts === null) return null;
  return liveDoc({ coll: row.coll, id: row.id, order_key: row.doc_order_key, ts: row.doc_ts, body: row.doc_body, expires_at: row.doc_expires_at }, now);
}

const CLAIM_ROWS: RowsInto = { head: 'INSERT INTO fql_unique_claims (db, index_id, key, coll, id)', columns: 5, tail: '' };

async function claimUnique(sql: SqlQueryable, db: DbId, indexId: string, key: Uint8Array, doc: DocRef): Promise<DocRef | null> {
  if (sql.optimistic) {
    await insertRow(sql, CLAIM_ROWS, [db, indexId, key, doc.coll, doc.id]);
    return null;
  }
  const inserted = await sql.query<{ one: number }>(
    `INSERT INTO fql_unique_claims (db, index_id, key, coll, id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (db, index_id, key) DO NOTHING RETURNING 1 AS one`,
    [db, indexId, key, doc.coll, doc.id],
  );
  if (inserted.length === 1) return null;
  const holders = await sql.query<{ coll: string; id: string }>(
    'SELECT coll, id FROM fql_unique_claims WHERE db = $1 AND index_id = $2 AND key = $3',
    [db, indexId, key],
  );
  const holder = holders[0];
  if (holder === undefined) {
    // The conflict was real, so the row exists; not seeing it means the snapshot is broken.
    throw new Error(`unique claim on ${indexId} conflicted but its holder is not visible`);
  }
  return holder.coll === doc.coll && holder.id === doc.id ? null : { coll: holder.coll, id: holder.id };
}

async function releaseUnique(sql: SqlQueryable, db: DbId, indexId: string, doc: DocRef): Promise<void> {
  await sql.write('DELETE FROM fql_unique_claims WHERE db = $1 AND coll = $2 AND id = $3 AND index_id = $4', [db, doc.coll, doc.id, indexId]);
}

async function drop(sql: SqlQueryable, db: DbId, scope: DropScope): Promise<void> {
  switch (scope.kind) {
    case 'collection':
      // A collection's documents own entries and claims in any number of indexes: they go too.
      for (const table of ['fql_docs', 'fql_index_entries', 'fql_unique_claims', 'fql_versions']) {
        await sql.write(`DELETE FROM ${table} WHERE db = $1 AND coll = $2`, [db, scope.coll]);
      }
      return;
    case 'index':
      for (const table of ['fql_index_entries', 'fql_unique_claims']) {
        await sql.write(`DELETE FROM ${table} WHERE db = $1 AND index_id = $2`, [db, scope.indexId]);
      }
      return;
    case 'database':
      for (const table of ['fql_docs', 'fql_index_entries', 'fql_unique_claims', 'fql_schema_versions', 'fql_versions']) {
        await sql.write(`DELETE FROM ${table} WHERE db = $1`, [db]);
      }
      return;
  }
}

/**
 * Deletes expired documents with their entries and claims, any entry that expired on its own,
 * and the versions history no longer keeps. Run it inside a transaction; returns how many
 * documents went.
 */
export async function sweepExpiredSql(sql: SqlQueryable, now: number): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `WITH gone AS (DELETE FROM fql_docs WHERE expires_at <= $1 RETURNING db, coll, id),
     entries AS (DELETE FROM fql_index_entries e USING gone g WHERE e.db = g.db AND e.coll = g.coll AND e.id = g.id),
     claims AS (DELETE FROM fql_unique_claims c USING gone g WHERE c.db = g.db AND c.coll = g.coll AND c.id = g.id)
     SELECT count(*) AS n FROM gone`,
    [now],
  );
  await sql.query('DELETE FROM fql_index_entries WHERE expires_at <= $1', [now]);
  await sweepVersionsSql(sql, now);
  return Number(rows[0]?.n ?? 0);
}

/** Appends the range's bounds and the liveness test to `params`; returns the SQL condition. */
function rangeConditions<K>(column: string, range: ScanRange<K>, params: unknown[], expiresColumn = 'expires_at'): string {
  const conditions: string[] = [];
  if (range.gte !== undefined) conditions.push(`${column} >= $${params.push(range.gte)}`);
  if (range.lt !== undefined) conditions.push(`${column} < $${params.push(range.lt)}`);
  conditions.push(live(`$${params.push(range.now)}`, expiresColumn));
  return conditions.join(' AND ');
}

function orderAndLimit<K>(column: string, range: ScanRange<K>, params: unknown[]): string {
  const order = `ORDER BY ${column} ${range.reverse === true ? 'DESC' : 'ASC'}`;
  return range.limit === undefined ? order : `${order} LIMIT $${params.push(range.limit)}`;
}

function docParams(db: DbId, doc: StoredDoc): unknown[] {
  return [db, doc.coll, doc.id, doc.orderKey, doc.ts, JSON.stringify(doc.body), doc.expiresAt];
}

/** A document row as getDoc answers it at `now`: null when there is none or it has expired. */
function liveDoc(row: DocRow | undefined, now: number): StoredDoc | null {
  if (row === undefined || (row.expires_at !== null && Number(row.expires_at) <= now)) return null;
  return decodeDoc(row);
}

function decodeDoc(row: DocRow): StoredDoc {
  return {
    coll: row.coll,
    id: row.id,
    orderKey: row.order_key,
    ts: Number(row.ts),
    body: parseStored(row.body),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

function decodeEntry(row: EntryRow): IndexEntry {
  return {
    terms: toBytes(row.terms),
    sortKey: toBytes(row.sort_key),
    values: parseStored(row.vals),
    coll: row.coll,
    id: row.id,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/**
 * The size in bytes (UTF-8) of the stored text each decoded body or entry value was parsed from,
 * which the metrics count (metrics.ts, x-storage-bytes-read). Measured here, on the text already
 * in hand, instead of encoding the value again there. It is the same number: what is stored was
 * written by JSON.stringify (docParams, entryParams), whose text parses and re-encodes to text of
 * the same length.
 */
const storedSizes = new WeakMap<object, number>();

export function storedJsonBytes(value: object): number | undefined {
  return storedSizes.get(value);
}

function parseStored(text: string): Json {
  const value = JSON.parse(text) as Json;
  if (typeof value === 'object' && value !== null) storedSizes.set(value, Buffer.byteLength(text));
  return value;
}

/** pg returns Buffers, which may be views into a shared pool slab: hand out plain copies. */
function toBytes(value: Uint8Array): Uint8Array {
  return value.constructor === Uint8Array ? value : new Uint8Array(value);
}
