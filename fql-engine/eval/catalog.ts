/**
 * Finding schema objects from refs: which database a ref lives in, which collection or
 * index a name means, and the reverse (an internal id back to a ref).
 */

import { FaunaError } from '../errors.ts';
import type { DbId } from '../storage/types.ts';
import { Ref, type NativeName } from '../values.ts';
import type { QueryContext } from './context.ts';
import { indexDefOf, type IndexDef } from './indexes.ts';
import { metaString, type SchemaKind, type SchemaRecord } from './schema-cache.ts';

export interface CollectionInfo {
  readonly name: string;
  readonly iid: string;
  readonly ttlDays: number | null;
  /** The collection's ref as seen from the caller (scope kept). */
  readonly ref: Ref;
}

export const SCHEMA_KINDS: readonly SchemaKind[] = ['collections', 'indexes', 'functions', 'databases', 'keys', 'roles', 'access_providers'];

export function isSchemaKind(name: string): name is SchemaKind {
  return (SCHEMA_KINDS as readonly string[]).includes(name);
}

/** The database a scope ref (`Database("a", Database("b"))`) names, relative to the caller's. */
export async function resolveDb(ctx: QueryContext, scope: Ref | undefined): Promise<DbId> {
  if (scope === undefined) return ctx.db;
  if (scope.collection?.id !== 'databases' || !scope.collection.isNative()) {
    throw new FaunaError('invalid argument', 'Database ref expected.');
  }
  const parent = await resolveDb(ctx, scope.collection.database ?? scope.database);
  const record = await ctx.schema.get(parent, 'databases', scope.id, ctx.nowMicros);
  if (!record) throw new FaunaError('invalid ref', `Database '${scope.id}' does not exist.`);
  return metaString(record.meta, 'iid');
}

/** A schema object's record, or null when it does not exist. */
export async function schemaRecord(ctx: QueryContext, ref: Ref): Promise<{ db: DbId; record: SchemaRecord | null; kind: SchemaKind }> {
  const coll = ref.collection;
  if (!coll || !coll.isNative() || !isSchemaKind(coll.id)) throw new FaunaError('invalid ref', 'Schema ref expected.');
  const db = await resolveDb(ctx, coll.database ?? ref.database);
  return { db, kind: coll.id, record: await ctx.schema.get(db, coll.id, ref.id, ctx.nowMicros) };
}

/** Tokens behave as a collection stored under the native name 'tokens'. */
export function tokensInfo(scope: Ref | undefined): CollectionInfo {
  return { name: 'tokens', iid: 'tokens', ttlDays: null, ref: Ref.native('tokens', scope) };
}

export async function collectionOf(ctx: QueryContext, collRef: Ref): Promise<{ db: DbId; info: CollectionInfo }> {
  if (collRef.isNative() && collRef.id === 'tokens') return { db: await resolveDb(ctx, collRef.database), info: tokensInfo(collRef.database) };
  if (collRef.collection?.id !== 'collections' || !collRef.collection.isNative()) {
    throw new FaunaError('invalid ref', 'Collection ref expected.');
  }
  const { db, record } = await schemaRecord(ctx, collRef);
  if (!record) throw new FaunaError('invalid ref', `Ref refers to undefined collection '${collRef.id}'`);
  return { db, info: collectionInfo(record, collRef) };
}

export function collectionInfo(record: SchemaRecord, ref: Ref): CollectionInfo {
  const ttl = record.public.ttl_days;
  return { name: record.id, iid: metaString(record.meta, 'iid'), ttlDays: typeof ttl === 'number' ? ttl : null, ref };
}

export async function indexOf(ctx: QueryContext, indexRef: Ref): Promise<{ db: DbId; def: IndexDef }> {
  if (indexRef.collection?.id !== 'indexes' || !indexRef.collection.isNative()) {
    throw new FaunaError('invalid ref', 'Index ref expected.');
  }
  const { db, record } = await schemaRecord(ctx, indexRef);
  if (!record) throw new FaunaError('invalid ref', `Ref refers to undefined index '${indexRef.id}'`);
  return { db, def: indexDefOf(record) };
}

/** Every index of a database whose source includes a collection. */
export async function indexesOver(ctx: QueryContext, db: DbId, collIid: string): Promise<IndexDef[]> {
  const all = await ctx.schema.list(db, 'indexes', ctx.nowMicros);
  return all.map(indexDefOf).filter((d) => d.sources.includes(collIid));
}

/**
 * The collection ref for an internal collection key, as the caller sees it. Built-in
 * collections (tokens, keys...) keep their native name as their key.
 */
export async function collectionRefFor(ctx: QueryContext, db: DbId, scope: Ref | undefined, collKey: string): Promise<Ref> {
  if (!isUserCollectionKey(collKey)) return Ref.native(collKey as NativeName, scope);
  const all = await ctx.schema.list(db, 'collections', ctx.nowMicros);
  const record = all.find((r) => r.meta.iid === collKey);
  if (!record) throw new FaunaError('internal server error', `Index entry points at a missing collection (${collKey}).`);
  return new Ref(record.id, Ref.native('collections'), scope);
}

/** User collections are stored under `u<digits>`; built-in ones under their native name. */
export function isUserCollectionKey(key: string): boolean {
  return /^u\d+$/.test(key);
}
