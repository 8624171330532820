/**
 * Schema objects (collections, indexes, functions, databases, keys, roles, access providers) as the evaluator uses
 * them, read through a per-transaction cache. A schema object is stored as a document of a
 * native collection whose body is `{ public, meta }`: `public` is what Get returns, `meta`
 * is what only the engine needs (internal ids, hashes).
 */

import { FaunaError } from '../errors.ts';
import type { DbId, StoredDoc, StorageTx } from '../storage/types.ts';
import { decodeValue, encodeValue, isPlainJsonObject } from '../wire.ts';
import { type Json, type NativeName, type ObjectValue, isObject } from '../values.ts';

export type SchemaKind = 'collections' | 'indexes' | 'functions' | 'databases' | 'keys' | 'roles' | 'access_providers';

export interface SchemaRecord {
  readonly kind: SchemaKind;
  /** The ref id: the name, or a numeric id for keys. */
  readonly id: string;
  readonly ts: number;
  readonly public: ObjectValue;
  readonly meta: { readonly [k: string]: Json };
  /** When the object disappears (its `ttl`, in microseconds), or null. */
  readonly expiresAt?: number | null;
}

/** An object past its ttl is gone, in the cache as in storage (which no longer returns its row). */
function live(record: SchemaRecord | null, now: number): SchemaRecord | null {
  return record !== null && record.expiresAt != null && record.expiresAt <= now ? null : record;
}

/**
 * A string the engine wrote into a record's meta itself (an internal id, a key's database):
 * anything else means the stored record is damaged, which must not pass as "[object Object]".
 */
export function metaString(meta: { readonly [k: string]: Json }, field: string): string {
  const value = meta[field];
  if (typeof value !== 'string') throw new Error(`A stored record's meta.${field} is not a string.`);
  return value;
}

interface RecordMaps {
  readonly byId: Map<string, SchemaRecord | null>;
  readonly lists: Map<string, readonly SchemaRecord[]>;
}

function newMaps(): RecordMaps {
  return { byId: new Map(), lists: new Map() };
}

/**
 * Schema records kept across transactions, per database.
 *
 * - Unversioned: sound only when this process is the only writer of the storage (PGlite: the
 *   data directory is locked to one process). Nothing is read to trust the cache.
 * - Versioned (PostgreSQL, shared with other processes): a transaction reads the database's
 *   schema version (one row) and uses the records cached at that version; every schema write
 *   bumps it. Reading one row instead of the schema documents also keeps the transaction's
 *   SERIALIZABLE read set off the pages every document write touches.
 */
export class SharedSchemaCache {
  private readonly byDb = new Map<DbId, { version: number; maps: RecordMaps }>();

  /** Asked at each transaction: a storage may become shared after the cache was made. */
  constructor(readonly versioned: () => boolean) {}

  /**
   * The records cached for `db` at `version`, or null when this transaction must read its own:
   * its snapshot is older than what is cached (a newer version replaces an older one).
   */
  mapsAt(db: DbId, version: number): RecordMaps | null {
    return this.at(db, version)?.maps ?? null;
  }

  /** The records cached for `db` at the newest version this process has seen, if any. */
  latest(db: DbId): { readonly version: number; readonly maps: RecordMaps } | undefined {
    return this.byDb.get(db);
  }

  private at(db: DbId, version: number): { version: number; maps: RecordMaps } | null {
    const cached = this.byDb.get(db);
    if (cached === undefined || cached.version < version) {
      const fresh = { version, maps: newMaps() };
      this.byDb.set(db, fresh);
      return fresh;
    }
    return cached.version === version ? cached : null;
  }

  forget(db: DbId): void {
    this.byDb.delete(db);
  }
}

/**
 * Thrown when a transaction went ahead on the schema cached at one version and the version it
 * read turned out newer: what it did may rest on stale schema, so it is rolled back and run
 * again (the cache now knows the newer version).
 */
export class StaleSchemaError extends Error {
  constructor() {
    super('the schema changed while the transaction used the cached one');
    this.name = 'StaleSchemaError';
  }
}

interface VersionCheck {
  readonly db: DbId;
  readonly expected: number;
  /** The version the transaction read, or null when the read failed (the transaction fails anyway). */
  readonly read: Promise<number | null>;
}

/**
 * One transaction's view of the schema. Reads go through the shared cache; once the transaction
 * writes the schema of a database, that database is dropped from the shared cache, its version
 * is bumped, and it is read privately for the rest of the transaction, so nothing uncommitted
 * (or rolled back) is ever shared.
 */
export class SchemaCache {
  private readonly local: RecordMaps = newMaps();
  private readonly dirty = new Set<DbId>();
  /** The shared records this transaction may use, per database (null: none, read privately). */
  private readonly sharedMaps = new Map<DbId, RecordMaps | null>();
  private checks: VersionCheck[] = [];

  constructor(
    private readonly tx: StorageTx,
    private readonly shared: SharedSchemaCache,
  ) {}

  private async maps(db: DbId): Promise<RecordMaps> {
    if (this.dirty.has(db)) return this.local;
    let maps = this.sharedMaps.get(db);
    if (maps === undefined) {
      maps = await this.sharedAtOwnVersion(db);
      this.sharedMaps.set(db, maps);
    }
    return maps ?? this.local;
  }

  private async sharedAtOwnVersion(db: DbId): Promise<RecordMaps | null> {
    // Unversioned records sit at version 0: were the storage to become shared after a schema
    // write, the version read then is past 0 and they are dropped.
    if (!this.shared.versioned()) return this.shared.mapsAt(db, 0);
    const known = this.shared.latest(db);
    if (known === undefined) return this.shared.mapsAt(db, await this.tx.schemaVersion(db));
    // Schema changes are rare: go ahead on the newest version seen, without waiting for the
    // version read, which then travels with the transaction's next read instead of costing a
    // round trip of its own. verify() checks it before anything is answered.
    const read = this.tx.schemaVersion(db).catch(() => null);
    this.checks.push({ db, expected: known.version, read });
    return known.maps;
  }

  /**
   * Throws StaleSchemaError if a version this transaction went ahead on was not the one it read.
   * Called before the transaction commits, and before an error it raised is reported.
   */
  async verify(): Promise<void> {
    const checks = this.checks;
    this.checks = [];
    for (const check of checks) {
      const version = await check.read;
      if (version !== null && version !== check.expected) {
        this.shared.mapsAt(check.db, version);
        throw new StaleSchemaError();
      }
    }
  }

  async get(db: DbId, kind: SchemaKind, id: string, now: number): Promise<SchemaRecord | null> {
    const { byId } = await this.maps(db);
    const key = `${db}\u0000${kind}\u0000${id}`;
    if (byId.has(key)) return live(byId.get(key) ?? null, now);
    const doc = await this.tx.getDoc(db, kind, id, now);
    const record = doc ? toRecord(kind, doc) : null;
    byId.set(key, record);
    return record;
  }

  /** Every object of a kind in a database, in name order. */
  async list(db: DbId, kind: SchemaKind, now: number): Promise<readonly SchemaRecord[]> {
    const { lists } = await this.maps(db);
    const key = `${db}\u0000${kind}`;
    const cached = lists.get(key);
    if (cached) return cached.some((r) => live(r, now) === null) ? cached.filter((r) => live(r, now) !== null) : cached;
    const docs = await this.tx.scanDocs(db, kind, { now });
    const records = docs.map((d) => toRecord(kind, d));
    lists.set(key, records);
    return records;
  }

  async put(db: DbId, record: SchemaRecord, options: { readonly insert: boolean }): Promise<void> {
    const doc: StoredDoc = {
      coll: record.kind,
      id: record.id,
      orderKey: orderKeyFor(record.id),
      ts: record.ts,
      body: { public: encodeValue(record.public), meta: record.meta },
      expiresAt: record.expiresAt ?? null,
    };
    await this.changing(db);
    if (options.insert) {
      const inserted = await this.tx.insertDoc(db, doc);
      if (!inserted) throw new FaunaError('instance already exists', `${describeKind(record.kind)} already exists.`);
    } else {
      await this.tx.putDoc(db, doc);
    }
  }

  async remove(db: DbId, kind: SchemaKind, id: string): Promise<void> {
    await this.changing(db);
    await this.tx.deleteDoc(db, kind, id);
  }

  /** Before a schema write: other transactions and processes must stop trusting what they cached. */
  private async changing(db: DbId): Promise<void> {
    this.forget(db);
    await this.tx.bumpSchemaVersion(db);
  }

  /** Drops what is known about a database, here and in the shared cache (it is gone, or about to change). */
  forget(db: DbId): void {
    this.dirty.add(db);
    this.shared.forget(db);
    for (const map of [this.local.byId, this.local.lists]) {
      for (const key of map.keys()) if (key.startsWith(`${db}\u0000`)) map.delete(key);
    }
  }
}

function toRecord(kind: SchemaKind, doc: StoredDoc): SchemaRecord {
  const body = doc.body;
  if (!isPlainJsonObject(body) || !isPlainJsonObject(body.meta)) {
    throw new FaunaError('internal server error', `Corrupt schema document ${kind}/${doc.id}.`);
  }
  const pub = decodeValue(body.public ?? {});
  return { kind, id: doc.id, ts: doc.ts, public: isObject(pub) ? pub : {}, meta: body.meta, expiresAt: doc.expiresAt };
}

/** Keys have numeric ids (ordered numerically); every other schema object is ordered by name. */
export function orderKeyFor(id: string): string {
  return /^\d{1,20}$/.test(id) ? id.padStart(20, '0') : id;
}

export function describeKind(kind: SchemaKind | NativeName): string {
  const names: Record<string, string> = {
    collections: 'Collection',
    indexes: 'Index',
    functions: 'Function',
    databases: 'Database',
    keys: 'Key',
    roles: 'Role',
    access_providers: 'Access provider',
  };
  return names[kind] ?? 'Instance';
}
