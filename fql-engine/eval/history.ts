/**
 * Document history (Fauna's temporality): a write that replaces a document's version (Update,
 * Replace, Delete) in a collection that keeps history records the version it replaced, which
 * then stays for the collection's `history_days` (storage sweeps it after). The current version
 * is the document's own row, so a Create records nothing, and an Update one row.
 *
 * A version is stored as live or deleted; "create" and "update" are read off the versions
 * around it, as Fauna did: a live version after a live one is an update. That is also why
 * Remove(ref, ts, 'create') removes an update, as Fauna's did.
 *
 * The current state of a document stays in its row (`getDoc`): a read at a time no earlier than
 * the current version's answers from it, so a collection with `history_days: 0` records nothing
 * and still answers reads at any time since its last write.
 */

import { FaunaError } from '../errors.ts';
import type { DbId, StorageTx, StoredDoc, StoredVersion } from '../storage/types.ts';
import { FaunaTime, Ref, isObject, makeObject, valueEquals, type Json, type ObjectValue, type Value } from '../values.ts';
import { decodeValue, isPlainJsonObject } from '../wire.ts';
import type { CollectionInfo } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { docOrderKey } from './ids.ts';

const DAY_MICROS = 86_400_000_000;

/** The document a history function works on: where it is stored, and the collection's settings. */
export interface HistoryTarget {
  readonly db: DbId;
  readonly coll: CollectionInfo;
  readonly id: string;
  readonly ref: Ref;
}

/** How long a replaced version of the collection is kept, in microseconds (null: forever). */
export function keepFor(coll: CollectionInfo): number | null {
  return coll.historyDays === null ? null : coll.historyDays * DAY_MICROS;
}

/**
 * Records the version a write replaces (its current row), when the collection keeps history. A
 * version this same transaction wrote was never seen by anyone: it is not history.
 */
export async function recordReplaced(ctx: QueryContext, target: HistoryTarget, replaced: StoredDoc): Promise<void> {
  if (target.coll.historyDays === 0 || replaced.ts === ctx.nowMicros) return;
  const version = { ...currentAsVersion(replaced), validUntil: ctx.nowMicros, keepFor: keepFor(target.coll) };
  await ctx.tx.putVersion(target.db, version);
}

/** Records a deletion, now, when the collection keeps history. */
export async function recordDeletion(ctx: QueryContext, target: HistoryTarget): Promise<void> {
  if (target.coll.historyDays === 0) return;
  const deletion = { coll: target.coll.iid, id: target.id, ts: ctx.nowMicros, deleted: true, body: null, validUntil: null, keepFor: keepFor(target.coll) };
  await ctx.tx.putVersion(target.db, deletion);
}

/**
 * After Insert or Remove rewrote history: each live version is valid until the next one (the
 * next past version, or the current row), as a write would have recorded it.
 */
export async function relink(ctx: QueryContext, target: HistoryTarget): Promise<void> {
  // Read as of time 0, where every version, however old, is still visible.
  const versions = await ctx.tx.scanVersions(target.db, target.coll.iid, target.id, { now: 0 });
  const current = await ctx.tx.getDoc(target.db, target.coll.iid, target.id, ctx.nowMicros);
  for (const [i, v] of versions.entries()) {
    const until = v.deleted ? null : (versions[i + 1]?.ts ?? current?.ts ?? null);
    if (until !== v.validUntil) await ctx.tx.putVersion(target.db, { ...v, validUntil: until });
  }
}

/** The document as it was at `ts`: its current row when that is no newer, else its version then. */
export async function storedDocAt(ctx: QueryContext, target: HistoryTarget, ts: number): Promise<StoredDoc | null> {
  const current = await ctx.tx.getDoc(target.db, target.coll.iid, target.id, ctx.nowMicros);
  if (current && current.ts <= ts) return current;
  const [version] = await ctx.tx.scanVersions(target.db, target.coll.iid, target.id, { lt: ts + 1, reverse: true, limit: 1, now: ctx.nowMicros });
  return version === undefined ? null : asStoredDoc(version);
}

/** A live version as the document it was (null for a deletion). */
export function asStoredDoc(version: StoredVersion): StoredDoc | null {
  if (version.deleted || version.body === null) return null;
  return { coll: version.coll, id: version.id, orderKey: docOrderKey(version.id), ts: version.ts, body: version.body, expiresAt: null };
}

/** The current row as a version. */
export function currentAsVersion(doc: StoredDoc): StoredVersion {
  return { coll: doc.coll, id: doc.id, ts: doc.ts, deleted: false, body: doc.body, validUntil: null, keepFor: null };
}

/** Every visible version of one document in time order, its current row last. */
export async function versionsOf(ctx: QueryContext, target: HistoryTarget): Promise<StoredVersion[]> {
  const versions = await ctx.tx.scanVersions(target.db, target.coll.iid, target.id, { now: ctx.nowMicros });
  const current = await ctx.tx.getDoc(target.db, target.coll.iid, target.id, ctx.nowMicros);
  if (current && !versions.some((v) => v.ts === current.ts)) versions.push(currentAsVersion(current));
  return versions.sort((a, b) => a.ts - b.ts);
}

/** Every document of a collection as it was at `ts` (live ones only): its past version then, or its current row. */
export async function collectionAt(tx: StorageTx, db: DbId, coll: string, ts: number, now: number): Promise<StoredDoc[]> {
  const byId = new Map<string, StoredVersion>();
  for (const v of await tx.versionsAt(db, coll, ts, now)) byId.set(v.id, v);
  for (const doc of await tx.scanDocs(db, coll, { now })) {
    const known = byId.get(doc.id);
    if (doc.ts <= ts && (known === undefined || known.ts < doc.ts)) byId.set(doc.id, currentAsVersion(doc));
  }
  const docs: StoredDoc[] = [];
  for (const v of byId.values()) {
    const doc = asStoredDoc(v);
    if (doc) docs.push(doc);
  }
  return docs.sort((a, b) => (a.orderKey < b.orderKey ? -1 : a.orderKey > b.orderKey ? 1 : 0));
}

/** A time argument of At, Get, Insert, Remove or Paginate: a Time, or microseconds since the epoch. */
export function timeArg(v: Value, key: string): number {
  if (v instanceof FaunaTime) return v.epochMicros;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new FaunaError('invalid argument', `Time or Number expected, ${v === null ? 'Null' : typeof v} provided.`, [key]);
}

/** Inside At, nothing may be written: Fauna refused a write at any time but the transaction's. */
export function refuseWriteInSnapshot(ctx: QueryContext): void {
  if (ctx.snapshot !== undefined) throw new FaunaError('invalid write time', 'Cannot write inside At: a snapshot is read-only.');
}

export type EventAction = 'create' | 'update' | 'delete';

/** A document event as Fauna showed it: `{ts, action, document, data}` (an update's data is what changed). */
export function documentEvent(ref: Ref, ts: number, action: EventAction, data: Value): ObjectValue {
  return makeObject([['ts', ts], ['action', action], ['document', ref], ['data', data]]);
}

/** The events of a document's versions: create, update (with what changed) and delete. */
export function documentEvents(ref: Ref, versions: readonly StoredVersion[]): { ts: number; action: EventAction; event: ObjectValue }[] {
  let before: ObjectValue | null = null;
  return versions.map((v) => {
    if (v.deleted) {
      before = null;
      return { ts: v.ts, action: 'delete' as const, event: documentEvent(ref, v.ts, 'delete', null) };
    }
    const data = dataOf(v.body);
    const action: EventAction = before === null ? 'create' : 'update';
    const shown = before === null ? data : changes(before, data);
    before = data;
    return { ts: v.ts, action, event: documentEvent(ref, v.ts, action, shown) };
  });
}

/** The `data` of a stored body (public fields, wire-encoded). */
export function dataOf(body: Json | null): ObjectValue {
  if (!isPlainJsonObject(body)) return {};
  const pub = decodeValue(body.public ?? {});
  const data = isObject(pub) ? pub.data : undefined;
  return data !== undefined && isObject(data) ? data : {};
}

/** What an update changed: new and changed fields, objects compared field by field, removed fields as null. */
export function changes(before: ObjectValue, after: ObjectValue): ObjectValue {
  const out: [string, Value][] = [];
  for (const [k, v] of Object.entries(after)) {
    const old = before[k];
    if (old !== undefined && isObject(old) && isObject(v)) {
      const inner = changes(old, v);
      if (Object.keys(inner).length > 0) out.push([k, inner]);
    } else if (old === undefined || !valueEquals(old, v)) {
      out.push([k, v]);
    }
  }
  for (const k of Object.keys(before)) if (!(k in after)) out.push([k, null]);
  return makeObject(out);
}
