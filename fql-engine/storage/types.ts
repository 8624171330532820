/**
 * The storage contract. Two backends (PGlite and PostgreSQL) implement it and share one
 * contract suite (`fql-engine/test/storage-contract.test.ts`).
 *
 * Principles:
 * - Storage knows nothing of FQL. Documents and index entries arrive already encoded; the
 *   evaluator decides what they mean and computes every key. Storage only keeps them,
 *   orders them by bytes, and enforces uniqueness with a real Postgres unique index.
 * - One `transaction()` is one Postgres transaction. PGlite runs them one at a time;
 *   PostgreSQL runs them SERIALIZABLE and re-runs the callback on serialization failure a
 *   bounded number of times, so the callback must have no effects outside `tx`.
 * - Expired rows (expiresAt <= now) are invisible to every read at once; `sweepExpired`
 *   deletes them later.
 * - History: a document's past versions are kept apart from its current state (`putVersion`),
 *   each for `keepFor` microseconds after it was replaced (`validUntil`). A version past that is
 *   invisible at once and swept with the expired documents.
 */

import type { Json } from '../values.ts';

/** Internal id of an engine database (not its name). The root database is `ROOT_DB`. */
export type DbId = string;
export const ROOT_DB: DbId = 'root';

export interface StoredDoc {
  /** Internal collection key: a native name such as 'collections', or a user collection's internal id. */
  readonly coll: string;
  readonly id: string;
  /** Orders documents within a collection (bytewise, "C" collation). */
  readonly orderKey: string;
  /** Transaction time of the last write, in microseconds since the epoch. */
  readonly ts: number;
  /** The document's fields other than ref and ts, wire-encoded. */
  readonly body: Json;
  /** Microseconds since the epoch after which the document is gone, or null. */
  readonly expiresAt: number | null;
}

export interface IndexEntry {
  /** Encoded terms: an entry matches a lookup when these bytes are equal. */
  readonly terms: Uint8Array;
  /** Encoded values followed by the document ref: entries are ordered by these bytes, and they are unique per entry. */
  readonly sortKey: Uint8Array;
  /** The entry's values, wire-encoded (what Paginate returns). */
  readonly values: Json;
  /** The document the entry came from. */
  readonly coll: string;
  readonly id: string;
  readonly expiresAt: number | null;
}

export interface IndexEntryWithDoc extends IndexEntry {
  readonly doc: StoredDoc | null;
}

export interface EntryInput {
  readonly terms: Uint8Array;
  readonly sortKey: Uint8Array;
  readonly values: Json;
}

/** A range over ordered keys. Bounds are bytewise: `gte` inclusive, `lt` exclusive. */
export interface ScanRange<K> {
  readonly gte?: K;
  readonly lt?: K;
  /** Descending order when true. */
  readonly reverse?: boolean;
  readonly limit?: number;
  /** Transaction time in microseconds: rows with expiresAt <= now are not returned. */
  readonly now: number;
}

export interface DocRef {
  readonly coll: string;
  readonly id: string;
}

/** The document a set of index entries belongs to: the entries expire with it. */
export interface EntryOwner extends DocRef {
  readonly expiresAt: number | null;
}

/**
 * One past version of a document, as history keeps it: what the document was from `ts` until
 * `validUntil`. Storage keeps it as given; what it means (create, update) is the evaluator's.
 */
export interface StoredVersion {
  readonly coll: string;
  readonly id: string;
  /** Valid time of the version, in microseconds: its key with coll and id. */
  readonly ts: number;
  /** The document was deleted at `ts` (body is then null). */
  readonly deleted: boolean;
  /** The document's body from `ts` on, as StoredDoc.body. */
  readonly body: Json | null;
  /** When a later version replaced it; null for a deletion (which is dated by its ts). */
  readonly validUntil: number | null;
  /** Microseconds the version stays visible once replaced (a deletion: once made); null keeps it forever. */
  readonly keepFor: number | null;
}

/** Versions by valid time: `gte` inclusive, `lt` exclusive, in ts order (then id). */
export interface VersionRange {
  readonly gte?: number;
  readonly lt?: number;
  readonly reverse?: boolean;
  readonly limit?: number;
  /** Transaction time: a version replaced (a deletion: made) more than its keepFor before it is not returned. */
  readonly now: number;
}

export interface PutEntriesOptions {
  /** The document has no entries in the index yet (it was just created): none need removing. */
  readonly fresh?: boolean;
}

/**
 * A read the evaluator foresees (eval/foresight.ts): the same call it is about to make, given
 * ahead of time so that reads it would otherwise wait for one by one travel together.
 */
export type ReadAhead =
  | { readonly kind: 'doc'; readonly db: DbId; readonly coll: string; readonly id: string; readonly now: number }
  | { readonly kind: 'scan'; readonly db: DbId; readonly indexId: string; readonly terms: Uint8Array; readonly range: ScanRange<Uint8Array> };

export interface StorageTx {
  getDoc(db: DbId, coll: string, id: string, now: number): Promise<StoredDoc | null>;
  /**
   * getDoc of several documents of one database in one statement, answered in the order asked:
   * for a caller that needs two documents whose keys it knows at once (a token and its identity).
   */
  getDocs(db: DbId, keys: readonly DocRef[], now: number): Promise<(StoredDoc | null)[]>;
  /** Inserts a new document; false (and nothing written) when one with that key exists, expired or not. */
  insertDoc(db: DbId, doc: StoredDoc): Promise<boolean>;
  /** Writes a document whether or not it exists. */
  putDoc(db: DbId, doc: StoredDoc): Promise<void>;
  /** Deletes a document and every index entry and unique claim it owns. */
  deleteDoc(db: DbId, coll: string, id: string): Promise<boolean>;
  scanDocs(db: DbId, coll: string, range: ScanRange<string>): Promise<StoredDoc[]>;

  /** Replaces every entry the document has in this index (an empty list removes them). */
  putIndexEntries(
    db: DbId,
    indexId: string,
    doc: EntryOwner,
    entries: readonly EntryInput[],
    options?: PutEntriesOptions,
  ): Promise<void>;
  scanIndex(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): Promise<IndexEntry[]>;
  /**
   * scanIndex, with each entry's document as getDoc would answer it at `range.now` (null when
   * missing or expired), in one statement: for callers about to read the documents they find.
   */
  scanIndexWithDocs(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): Promise<IndexEntryWithDoc[]>;

  /**
   * Claims a unique key for a document in a unique index, through a real unique index.
   * Returns null when the claim is held by `doc` now, or the holder when another document
   * holds it (the holder may be expired: the evaluator decides what that means).
   */
  claimUnique(db: DbId, indexId: string, key: Uint8Array, doc: DocRef): Promise<DocRef | null>;
  /** Drops every unique claim the document holds in this index. */
  releaseUnique(db: DbId, indexId: string, doc: DocRef): Promise<void>;

  /**
   * Records a version of a document. A version at the same ts (the same transaction writing the
   * document twice, or Insert over an existing event) is replaced.
   */
  putVersion(db: DbId, version: StoredVersion): Promise<void>;
  /** Removes the version at `ts`; true when there was one. */
  removeVersion(db: DbId, coll: string, id: string, ts: number): Promise<boolean>;
  /**
   * Visible past versions in valid-time order: of one document (`id`), or of every document of
   * the collection (`id` null). With the current rows (whose ts is their last write), this is how
   * a reader finds what changed since a time.
   */
  scanVersions(db: DbId, coll: string, id: string | null, range: VersionRange): Promise<StoredVersion[]>;
  /** Each document's newest visible version at or before `ts` (deletions included): the collection as of `ts`. */
  versionsAt(db: DbId, coll: string, ts: number, now: number): Promise<StoredVersion[]>;

  /** Removes a whole scope: every document of a collection, every entry of an index, or a whole database. */
  drop(db: DbId, scope: DropScope): Promise<void>;

  /**
   * A number that changes whenever a transaction that bumped it commits: the evaluator bumps it
   * with every schema write of the database, so a process that cached the schema at one version
   * knows the cache is good for as long as it reads that version. 0 for a database never bumped.
   */
  schemaVersion(db: DbId): Promise<number>;
  bumpSchemaVersion(db: DbId): Promise<void>;

  /**
   * Announces a change when (and only if) this transaction commits: every subscriber of the
   * storage gets the committed transaction's changes together, once, in commit order (see
   * `Storage.subscribe`). A thunk, so that a backend nobody listens to need not build it; it is
   * called at most once, after the callback returned. A retried attempt's announcements are dropped.
   */
  publish(change: () => Json): void;

  /**
   * A hint: these reads are about to be made. A transaction that remembers its reads (ReadCachingTx)
   * may start them now, together, and answer the calls from what they bring. Never throws;
   * whatever the reads fail with is the calls' to report.
   */
  readAhead?(reads: readonly ReadAhead[]): void;
}

export type DropScope =
  | { readonly kind: 'collection'; readonly coll: string }
  | { readonly kind: 'index'; readonly indexId: string }
  | { readonly kind: 'database' };

export interface TransactionOptions {
  /**
   * The callback is expected only to read. PostgreSQL then runs it READ ONLY, which takes fewer
   * predicate locks and can never be the one a conflict aborts; should it write after all, it is
   * run again read-write. Only a hint: the outcome is the same either way.
   */
  readonly readOnly?: boolean;
}

export interface Storage {
  readonly backend: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: StorageTx) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Deletes documents (and their entries and claims) whose expiresAt <= now, and versions no
   * longer visible at now (replaced more than their keepFor ago). Returns how many documents.
   */
  sweepExpired(now: number): Promise<number>;
  /**
   * Hears every committed transaction's announcements (`StorageTx.publish`) from now on, in
   * commit order: PGlite's from this process, PostgreSQL's from every process sharing the
   * database. Resolves once listening; the function it resolves to stops listening.
   */
  subscribe(listener: ChangeListener): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** One committed transaction's announcements, in the order it made them. */
export type ChangeBatch = readonly Json[];

export interface ChangeListener {
  changes(batch: ChangeBatch): void;
  /** The storage can no longer announce changes (its listening connection failed): nothing more will come. */
  failed(error: StorageError): void;
}

/**
 * Storage's closed set of failures. Anything else is a bug and surfaces as an internal error.
 * `resource_exhausted`: the server ran short of something it is configured with (shared memory
 * for locks, connections, disk); the message names it, since the fix is the server's settings.
 */
export type StorageErrorCode = 'serialization_failure' | 'unavailable' | 'resource_exhausted' | 'data_dir_locked' | 'invalid_config';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}
