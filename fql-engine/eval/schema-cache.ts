/**
 * Schema objects (collections, indexes, functions, databases, keys) as the evaluator uses
 * them, read through a per-transaction cache. A schema object is stored as a document of a
 * native collection whose body is `{ public, meta }`: `public` is what Get returns, `meta`
 * is what only the engine needs (internal ids, hashes).
 */

import { FaunaError } from '../errors.ts';
import type { DbId, StoredDoc, StorageTx } from '../storage/types.ts';
import { decodeValue, encodeValue, isPlainJsonObject } from '../wire.ts';
import { type Json, type NativeName, type ObjectValue, isObject } from '../values.ts';

export type SchemaKind = 'collections' | 'indexes' | 'functions' | 'databases' | 'keys' | 'roles';

export interface SchemaRecord {
  readonly kind: SchemaKind;
  /** The ref id: the name, or a numeric id for keys. */
  readonly id: string;
  readonly ts: number;
  readonly public: ObjectValue;
  readonly meta: { readonly [k: string]: Json };
}

export class SchemaCache {
  private readonly byId = new Map<string, SchemaRecord | null>();
  private readonly lists = new Map<string, readonly SchemaRecord[]>();

  constructor(private readonly tx: StorageTx) {}

  async get(db: DbId, kind: SchemaKind, id: string, now: number): Promise<SchemaRecord | null> {
    const key = `${db}\u0000${kind}\u0000${id}`;
    if (this.byId.has(key)) return this.byId.get(key) ?? null;
    const doc = await this.tx.getDoc(db, kind, id, now);
    const record = doc ? toRecord(kind, doc) : null;
    this.byId.set(key, record);
    return record;
  }

  /** Every object of a kind in a database, in name order. */
  async list(db: DbId, kind: SchemaKind, now: number): Promise<readonly SchemaRecord[]> {
    const key = `${db}\u0000${kind}`;
    const cached = this.lists.get(key);
    if (cached) return cached;
    const docs = await this.tx.scanDocs(db, kind, { now });
    const records = docs.map((d) => toRecord(kind, d));
    this.lists.set(key, records);
    return records;
  }

  async put(db: DbId, record: SchemaRecord, options: { readonly insert: boolean }): Promise<void> {
    const doc: StoredDoc = {
      coll: record.kind,
      id: record.id,
      orderKey: orderKeyFor(record.kind, record.id),
      ts: record.ts,
      body: { public: encodeValue(record.public), meta: record.meta },
      expiresAt: null,
    };
    if (options.insert) {
      const inserted = await this.tx.insertDoc(db, doc);
      if (!inserted) throw new FaunaError('instance already exists', `${describeKind(record.kind)} already exists.`);
    } else {
      await this.tx.putDoc(db, doc);
    }
    this.invalidate(db, record.kind);
    this.byId.set(`${db}\u0000${record.kind}\u0000${record.id}`, record);
  }

  async remove(db: DbId, kind: SchemaKind, id: string): Promise<void> {
    await this.tx.deleteDoc(db, kind, id);
    this.invalidate(db, kind);
    this.byId.set(`${db}\u0000${kind}\u0000${id}`, null);
  }

  /** Forgets everything about a database (it was deleted). */
  forgetDatabase(db: DbId): void {
    for (const key of [...this.byId.keys(), ...this.lists.keys()]) {
      if (key.startsWith(`${db}\u0000`)) {
        this.byId.delete(key);
        this.lists.delete(key);
      }
    }
  }

  private invalidate(db: DbId, kind: SchemaKind): void {
    this.lists.delete(`${db}\u0000${kind}`);
  }
}

function toRecord(kind: SchemaKind, doc: StoredDoc): SchemaRecord {
  const body = doc.body;
  if (!isPlainJsonObject(body) || !isPlainJsonObject(body.meta)) {
    throw new FaunaError('internal server error', `Corrupt schema document ${kind}/${doc.id}.`);
  }
  const pub = decodeValue(body.public ?? {});
  return { kind, id: doc.id, ts: doc.ts, public: isObject(pub) ? pub : {}, meta: body.meta };
}

/** Keys have numeric ids (ordered numerically); every other schema object is ordered by name. */
export function orderKeyFor(coll: string, id: string): string {
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
  };
  return names[kind] ?? 'Instance';
}
