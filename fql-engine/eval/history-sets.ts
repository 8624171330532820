/**
 * Sets read from history: an index match or a collection's documents as they were at a time
 * (inside At, or Paginate with `ts`), and the events of a document or of a set (Events, or
 * Paginate with `events`). Each is worked out in memory from the versions of the documents
 * involved: history is read far less often than the present, which the indexes serve.
 */

import { FaunaError } from '../errors.ts';
import { encodeKey } from '../ordering.ts';
import type { DbId, StoredDoc, StoredVersion } from '../storage/types.ts';
import { decodeValue } from '../wire.ts';
import { Ref, SetValue, makeObject, type Value } from '../values.ts';
import { collectionOf, collectionRefFor, indexOf } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { decodeState, docTarget, instanceOf } from './documents.ts';
import { asStoredDoc, collectionAt, currentAsVersion, documentEvents, versionsOf } from './history.ts';
import { entriesFor, entryValueShape, type IndexDef } from './indexes.ts';
import type { SetEntry } from './sets.ts';

/** The entries an index held for `terms` at `ts`, in index order. */
export async function matchEntriesAt(
  ctx: QueryContext,
  db: DbId,
  def: IndexDef,
  scope: Ref | undefined,
  termsKey: Uint8Array,
  ts: number,
): Promise<SetEntry[]> {
  const entries: SetEntry[] = [];
  for (const coll of def.sources) {
    const collRef = await collectionRefFor(ctx, db, scope, coll);
    for (const doc of await collectionAt(ctx.tx, db, coll, ts, ctx.nowMicros)) entries.push(...matching(def, doc, new Ref(doc.id, collRef), termsKey));
  }
  return entries.sort(byKey);
}

/** The documents of a collection at `ts`, by ref. */
export async function documentsAt(ctx: QueryContext, db: DbId, coll: string, refOf: (id: string) => Ref, ts: number): Promise<SetEntry[]> {
  return (await collectionAt(ctx.tx, db, coll, ts, ctx.nowMicros)).map((doc) => refEntry(refOf(doc.id)));
}

/** The events of a document or a set, oldest first (inside At, none after its time). */
export async function eventEntries(ctx: QueryContext, of: Ref | SetValue): Promise<SetEntry[]> {
  const found = of instanceof Ref ? await docEvents(ctx, of) : await setEvents(ctx, of);
  const until = ctx.snapshot;
  return (until === undefined ? found : found.filter((e) => eventTs(e) <= until)).sort(byKey);
}

async function docEvents(ctx: QueryContext, ref: Ref): Promise<SetEntry[]> {
  const target = await docTarget(ctx, ref);
  await ctx.access.check(ctx, 'history_read', target.coll.ref, [ref]);
  return documentEvents(ref, await versionsOf(ctx, target)).map(({ ts, action, event }) => eventEntry(ts, ref, action, event));
}

/** The adds and removes of Singleton, Documents and Match, from the versions of their documents. */
async function setEvents(ctx: QueryContext, set: SetValue): Promise<SetEntry[]> {
  const spec = set.spec;
  switch (spec.type) {
    case 'singleton': {
      const target = await docTarget(ctx, spec.ref);
      await ctx.access.check(ctx, 'history_read', target.coll.ref, [spec.ref]);
      return membershipEvents(spec.ref, await versionsOf(ctx, target), () => [refEntry(spec.ref)], false);
    }
    case 'documents': {
      const { db, info } = await collectionOf(ctx, spec.collection);
      await ctx.access.check(ctx, 'history_read', info.ref, []);
      const out: SetEntry[] = [];
      for (const [id, versions] of await allVersions(ctx, db, info.iid)) {
        const ref = new Ref(id, spec.collection);
        out.push(...membershipEvents(ref, versions, () => [refEntry(ref)], false));
      }
      return out;
    }
    case 'match': {
      const { db, def } = await indexOf(ctx, spec.index);
      await ctx.access.check(ctx, 'read', spec.index, [[...spec.terms]]);
      const termsKey = encodeKey(spec.terms);
      const scope = spec.index.database ?? spec.index.collection?.database;
      const out: SetEntry[] = [];
      for (const coll of def.sources) {
        const collRef = await collectionRefFor(ctx, db, scope, coll);
        for (const [id, versions] of await allVersions(ctx, db, coll)) {
          const ref = new Ref(id, collRef);
          out.push(...membershipEvents(ref, versions, (doc) => matching(def, doc, ref, termsKey), def.values.length > 0));
        }
      }
      return out;
    }
    default:
      throw new FaunaError('invalid argument', 'Events are kept for documents, Singleton, Documents and Match sets only (known difference 1).');
  }
}

/** Every version of every document of a collection, by document, the current rows included. */
async function allVersions(ctx: QueryContext, db: DbId, coll: string): Promise<Map<string, StoredVersion[]>> {
  const byId = new Map<string, StoredVersion[]>();
  for (const v of await ctx.tx.scanVersions(db, coll, null, { now: ctx.nowMicros })) byId.set(v.id, [...(byId.get(v.id) ?? []), v]);
  for (const doc of await ctx.tx.scanDocs(db, coll, { now: ctx.nowMicros })) {
    const versions = byId.get(doc.id) ?? [];
    if (!versions.some((v) => v.ts === doc.ts)) byId.set(doc.id, [...versions, currentAsVersion(doc)]);
  }
  for (const versions of byId.values()) versions.sort((a, b) => a.ts - b.ts);
  return byId;
}

/** An add for each entry a version brought into the set, a remove for each it took out. */
function membershipEvents(ref: Ref, versions: readonly StoredVersion[], members: (doc: StoredDoc) => SetEntry[], withData: boolean): SetEntry[] {
  const out: SetEntry[] = [];
  let before = new Map<string, SetEntry>();
  const show = (ts: number, action: 'add' | 'remove', e: SetEntry): SetEntry => {
    const fields: [string, Value][] = [['ts', ts], ['action', action], ['document', ref]];
    if (withData) fields.push(['data', e.cursor.slice(0, -1)]);
    return eventEntry(ts, ref, action, makeObject(fields), withData ? e.cursor.slice(0, -1) : []);
  };
  for (const v of versions) {
    const doc = asStoredDoc(v);
    const now = new Map((doc === null ? [] : members(doc)).map((e) => [hex(e.key), e] as const));
    for (const [k, e] of now) if (!before.has(k)) out.push(show(v.ts, 'add', e));
    for (const [k, e] of before) if (!now.has(k)) out.push(show(v.ts, 'remove', e));
    before = now;
  }
  return out;
}

function matching(def: IndexDef, doc: StoredDoc, ref: Ref, termsKey: Uint8Array): SetEntry[] {
  const instance = instanceOf(ref, decodeState(doc));
  return entriesFor(def, instance, ref)
    .filter((e) => Buffer.compare(e.terms, termsKey) === 0)
    .map((e) => {
      const decoded = decodeValue(e.values);
      const { value, cursor } = entryValueShape(def, Array.isArray(decoded) ? decoded : [decoded], ref);
      return { key: e.sortKey, value, cursor, ref };
    });
}

/** An event's entry: ordered by time, then document, then action; its cursor says the same. */
function eventEntry(ts: number, ref: Ref, action: string, event: Value, values: readonly Value[] = []): SetEntry {
  const cursor = [ts, ref, action, ...values];
  return { key: encodeKey(cursor), value: event, cursor, ref };
}

function eventTs(e: SetEntry): number {
  const ts = e.cursor[0];
  return typeof ts === 'number' ? ts : 0;
}

function refEntry(ref: Ref): SetEntry {
  return { key: encodeKey([ref]), value: ref, cursor: [ref], ref };
}

function byKey(a: SetEntry, b: SetEntry): number {
  return Buffer.compare(a.key, b.key);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
