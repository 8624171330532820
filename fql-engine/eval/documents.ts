/**
 * Documents of user collections (and tokens, which behave as one): read, create, update,
 * replace, delete, each checked against the caller's roles and keeping every index over the
 * collection (and every unique claim) in step, inside the query's transaction.
 */

import { FaunaError, typeError } from '../errors.ts';
import type { DbId, EntryOwner, StoredDoc } from '../storage/types.ts';
import { decodeValue, encodeValue, isPlainJsonObject } from '../wire.ts';
import { FaunaTime, Ref, isObject, makeObject, type Json, type ObjectValue, type Value } from '../values.ts';
import { collectionOf, indexesOver, type CollectionInfo } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { docOrderKey, isValidDocId, newId } from './ids.ts';
import { entriesFor, type ComputedEntry, type IndexDef } from './indexes.ts';
import { recordDeletion, recordReplaced, refuseWriteInSnapshot, storedDocAt } from './history.ts';
import { announceDoc, announceEntries, entryChanges, homeRef } from './announce.ts';

export interface DocTarget {
  readonly db: DbId;
  readonly coll: CollectionInfo;
  readonly id: string;
  readonly ref: Ref;
}

export interface DocState {
  readonly ts: number;
  readonly public: ObjectValue;
  readonly meta: Meta;
  readonly expiresAt: number | null;
}

/** The fields a write may set, by kind of collection. */
const WRITABLE_FIELDS: Record<'documents' | 'tokens', readonly string[]> = {
  documents: ['data', 'ttl', 'credentials', 'delegates'],
  tokens: ['instance', 'data', 'ttl'],
};

export type Meta = { readonly [k: string]: Json };

export async function docTarget(ctx: QueryContext, ref: Ref): Promise<DocTarget> {
  const coll = ref.collection;
  if (!coll || (coll.isNative() && coll.id !== 'tokens')) throw new FaunaError('invalid ref', 'Document ref expected.');
  const { db, info } = await collectionOf(ctx, coll);
  return { db, coll: info, id: ref.id, ref };
}

/**
 * The document as Get shows it, or null when it does not exist (or has expired): now, or as it
 * was at `at` (Get with a ts, or inside At).
 */
export async function readDoc(ctx: QueryContext, target: DocTarget, at = ctx.snapshot): Promise<ObjectValue | null> {
  const state = await loadState(ctx, target, at);
  if (!state) return null;
  const instance = instanceOf(target.ref, state);
  await ctx.access.check(ctx, 'read', target.coll.ref, [target.ref]);
  return instance;
}

/** The engine-only part of a document (a password hash, a token's secret hash). */
export async function readMeta(ctx: QueryContext, ref: Ref): Promise<{ instance: ObjectValue; meta: Meta } | null> {
  const target = await docTarget(ctx, ref);
  const state = await loadState(ctx, target);
  return state ? { instance: instanceOf(target.ref, state), meta: state.meta } : null;
}

export async function createDoc(ctx: QueryContext, collRef: Ref, wantedId: string | undefined, params: Value, meta: Meta = {}): Promise<ObjectValue> {
  const { db, info } = await collectionOf(ctx, collRef);
  if (wantedId !== undefined && !isValidDocId(wantedId)) {
    throw new FaunaError('invalid argument', `Invalid document id '${wantedId}': ids are positive 64-bit integers.`);
  }
  refuseWriteInSnapshot(ctx);
  const fields = writableFields(params, 'create', info);
  await ctx.access.check(ctx, wantedId === undefined ? 'create' : 'create_with_id', info.ref, [fields]);
  const fullMeta = await withCredentials(ctx, meta, fields);
  for (let attempt = 0;; attempt++) {
    const id = wantedId ?? newId();
    const target: DocTarget = { db, coll: info, id, ref: new Ref(id, collRef) };
    const state = newState(ctx, info, fields, fullMeta);
    if (await ctx.tx.insertDoc(db, storedDoc(target, state))) {
      await reindex(ctx, target, null, state);
      announceDoc(ctx, db, info, id, 'create', null, state);
      return instanceOf(target.ref, state);
    }
    // A document past its ttl is gone: its id is free once the row is swept now.
    if (attempt < 5 && !(await ctx.tx.getDoc(db, info.iid, id, ctx.nowMicros))) {
      await ctx.tx.deleteDoc(db, info.iid, id);
      continue;
    }
    if (wantedId !== undefined || attempt >= 5) throw new FaunaError('instance already exists', 'Document already exists.');
  }
}

export async function updateDoc(ctx: QueryContext, ref: Ref, params: Value, mode: 'update' | 'replace'): Promise<ObjectValue> {
  refuseWriteInSnapshot(ctx);
  const target = await docTarget(ctx, ref);
  const before = await loadState(ctx, target);
  if (!before) throw new FaunaError('instance not found', 'Document not found.');
  const fields = writableFields(params, mode, target.coll);
  const merged = mode === 'update' ? mergeFields(before.public, fields) : replaceFields(fields);
  const after = newState(ctx, target.coll, merged, await withCredentials(ctx, before.meta, fields));
  await ctx.access.check(ctx, 'write', target.coll.ref, [instanceOf(target.ref, before), instanceOf(target.ref, after), target.ref]);
  await recordReplaced(ctx, target, storedDoc(target, before));
  await ctx.tx.putDoc(target.db, storedDoc(target, after));
  await reindex(ctx, target, before, after);
  announceDoc(ctx, target.db, target.coll, target.id, 'update', before, after);
  return instanceOf(target.ref, after);
}

/** `unchecked`: the engine deletes on the caller's behalf (Logout's tokens), asking no role. */
export async function deleteDoc(ctx: QueryContext, ref: Ref, options: { readonly unchecked?: boolean } = {}): Promise<ObjectValue> {
  refuseWriteInSnapshot(ctx);
  const target = await docTarget(ctx, ref);
  const before = await loadState(ctx, target);
  if (!before) throw new FaunaError('instance not found', 'Document not found.');
  if (options.unchecked !== true) await ctx.access.check(ctx, 'delete', target.coll.ref, [target.ref]);
  await recordReplaced(ctx, target, storedDoc(target, before));
  await ctx.tx.deleteDoc(target.db, target.coll.iid, target.id);
  await recordDeletion(ctx, target);
  await announceDelete(ctx, target, before);
  return instanceOf(target.ref, before);
}

/** A delete takes the document's entries with it (storage drops them): each is announced removed. */
async function announceDelete(ctx: QueryContext, target: DocTarget, before: DocState): Promise<void> {
  announceDoc(ctx, target.db, target.coll, target.id, 'delete', before, null);
  const defs = await indexesOver(ctx, target.db, target.coll.iid);
  const ts = ctx.nowMicros;
  ctx.tx.publish(() => {
    const ref = homeRef(target.coll, target.id);
    return defs.flatMap((def) => entryChanges(target.db, def, ref, ts, entriesFor(def, instanceOf(target.ref, before), target.ref), []));
  });
}

/**
 * `credentials: {password}` becomes a bcrypt hash in the document's meta, never in what Get
 * shows; `credentials: null` removes it.
 */
async function withCredentials(ctx: QueryContext, meta: Meta, fields: ObjectValue): Promise<Meta> {
  if (!('credentials' in fields)) return meta;
  const creds = fields.credentials;
  const { credentials: _old, credentialsId, ...rest } = meta;
  if (creds === null) return rest;
  const password = isObject(creds) ? creds.password : undefined;
  if (typeof password !== 'string' || password.length === 0) {
    throw new FaunaError('validation failed', 'credentials must be an object with a non-empty password.', ['params', 'credentials']);
  }
  // The credentials keep their id (their ref in Credentials(), see credentials.ts) across password changes.
  return { ...rest, credentials: await ctx.passwords.hash(password), credentialsId: typeof credentialsId === 'string' ? credentialsId : newId() };
}

async function loadState(ctx: QueryContext, target: DocTarget, at?: number): Promise<DocState | null> {
  if (!isValidDocId(target.id)) return null;
  const doc = at === undefined ? await ctx.tx.getDoc(target.db, target.coll.iid, target.id, ctx.nowMicros) : await storedDocAt(ctx, target, at);
  return doc ? decodeState(doc) : null;
}

/**
 * Documents already decoded, by the stored document they came from. A transaction's read cache
 * answers every read of a document with the same StoredDoc, and one query often reads a document
 * several times (a role's read predicate `Get`s each document the query reads): decoding it
 * (its times, refs, nested objects) once is enough, since neither it nor its values change.
 */
const decoded = new WeakMap<StoredDoc, DocState>();

/** A stored document (or version) as the evaluator reads it. */
export function decodeState(doc: StoredDoc): DocState {
  const known = decoded.get(doc);
  if (known !== undefined) return known;
  const body = doc.body;
  if (!isPlainJsonObject(body) || !isPlainJsonObject(body.meta)) throw new FaunaError('internal server error', 'Corrupt document.');
  const pub = decodeValue(body.public ?? {});
  const state = { ts: doc.ts, public: isObject(pub) ? pub : {}, meta: body.meta, expiresAt: doc.expiresAt };
  decoded.set(doc, state);
  return state;
}

export function instanceOf(ref: Ref, state: DocState): ObjectValue {
  return makeObject([['ref', ref], ['ts', state.ts], ...Object.entries(state.public)]);
}

export function storedDoc(target: DocTarget, state: DocState): StoredDoc {
  return {
    coll: target.coll.iid,
    id: target.id,
    orderKey: docOrderKey(target.id),
    ts: state.ts,
    body: { public: encodeValue(state.public), meta: state.meta },
    expiresAt: state.expiresAt,
  };
}

function newState(ctx: QueryContext, coll: CollectionInfo, fields: ObjectValue, meta: Meta): DocState {
  const ts = ctx.nowMicros;
  const ttl = fields.ttl;
  const expiresAt = ttl instanceof FaunaTime ? ttl.epochMicros : coll.ttlDays !== null ? ts + coll.ttlDays * 86_400_000_000 : null;
  const pub = withoutNulls(makeObject(Object.entries(fields).filter(([k]) => k !== 'credentials')));
  return { ts, public: pub, meta, expiresAt };
}

/** The fields a write may set, checked: `data` is an object, `ttl` a time, a token's `instance` a ref. */
function writableFields(params: Value, fn: string, coll: CollectionInfo): ObjectValue {
  if (params === null) return {};
  if (!isObject(params)) throw typeError('Object', params, ['params']);
  const allowed = WRITABLE_FIELDS[coll.iid === 'tokens' ? 'tokens' : 'documents'];
  for (const k of Object.keys(params)) {
    if (!allowed.includes(k)) {
      throw new FaunaError('validation failed', `${fn}: field '${k}' cannot be written (expected one of ${allowed.join(', ')}).`, ['params']);
    }
  }
  if ('instance' in params && !(params.instance instanceof Ref)) {
    throw new FaunaError('validation failed', 'instance must be a document ref.', ['params', 'instance']);
  }
  if ('data' in params && params.data !== null && !isObject(params.data)) {
    throw new FaunaError('validation failed', 'data must be an object.', ['params', 'data']);
  }
  if ('ttl' in params && params.ttl !== null && !(params.ttl instanceof FaunaTime)) {
    throw new FaunaError('validation failed', 'ttl must be a time.', ['params', 'ttl']);
  }
  return params;
}

function replaceFields(fields: ObjectValue): ObjectValue {
  return makeObject([['data', fields.data ?? {}], ...Object.entries(fields).filter(([k]) => k !== 'data')]);
}

/** Update: objects merge deeply, a null removes a field, anything else replaces. */
function mergeFields(base: ObjectValue, patch: ObjectValue): ObjectValue {
  return deepMerge(base, patch);
}

/** Fauna does not store null fields, at any depth of an object (array elements stay as they are). */
function withoutNulls(o: ObjectValue): ObjectValue {
  return makeObject(
    Object.entries(o)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, isObject(v) ? withoutNulls(v) : v] as const),
  );
}

export function deepMerge(base: ObjectValue, patch: ObjectValue): ObjectValue {
  const out = new Map<string, Value>(Object.entries(base));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) out.delete(k);
    else {
      const prev = out.get(k);
      out.set(k, isObject(v) && prev !== undefined && isObject(prev) ? deepMerge(prev, v) : v);
    }
  }
  return makeObject(out);
}

/** Brings every index over the document's collection in step with its new state. */
export async function reindex(ctx: QueryContext, target: DocTarget, before: DocState | null, after: DocState): Promise<void> {
  const defs = await indexesOver(ctx, target.db, target.coll.iid);
  for (const def of defs) {
    const oldEntries = before ? entriesFor(def, instanceOf(target.ref, before), target.ref) : [];
    const newEntries = entriesFor(def, instanceOf(target.ref, after), target.ref);
    if (before && before.expiresAt === after.expiresAt && sameEntries(oldEntries, newEntries)) continue;
    announceEntries(ctx, target.db, def, homeRef(target.coll, target.id), oldEntries, newEntries);
    await writeEntries(ctx, target.db, def, { coll: target.coll.iid, id: target.id, expiresAt: after.expiresAt }, newEntries, before !== null);
  }
}

export async function writeEntries(
  ctx: QueryContext,
  db: DbId,
  def: IndexDef,
  doc: EntryOwner,
  entries: readonly ComputedEntry[],
  existed: boolean,
): Promise<void> {
  if (existed || entries.length > 0) await ctx.tx.putIndexEntries(db, def.iid, doc, entries, { fresh: !existed });
  if (!def.unique) return;
  if (existed) await ctx.tx.releaseUnique(db, def.iid, doc);
  for (const e of entries) await claim(ctx, db, def, doc, e.uniqueKey);
}

/** A unique claim held by an expired document is freed (the document is gone), then retried. */
async function claim(ctx: QueryContext, db: DbId, def: IndexDef, doc: { coll: string; id: string }, key: Uint8Array): Promise<void> {
  let holder = await ctx.tx.claimUnique(db, def.iid, key, doc);
  if (holder && !(await ctx.tx.getDoc(db, holder.coll, holder.id, ctx.nowMicros))) {
    await ctx.tx.deleteDoc(db, holder.coll, holder.id);
    holder = await ctx.tx.claimUnique(db, def.iid, key, doc);
  }
  if (holder) throw new FaunaError('instance not unique', 'document is not unique.');
}

function sameEntries(a: readonly ComputedEntry[], b: readonly ComputedEntry[]): boolean {
  if (a.length !== b.length) return false;
  const key = (e: ComputedEntry): string => Buffer.from(e.terms).toString('hex') + Buffer.from(e.sortKey).toString('hex');
  const set = new Set(a.map(key));
  return b.every((e) => set.has(key(e)));
}
