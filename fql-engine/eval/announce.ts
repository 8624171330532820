/**
 * What a document write announces for streams (stream/change.ts): the document's version, and
 * each entry it adds to or removes from an index. Announcements are thunks (`StorageTx.publish`):
 * PGlite with no stream open never builds them.
 */

import type { DocChange, DocAction, SetChange } from '../stream/change.ts';
import { encodeValue } from '../wire.ts';
import { Ref, type ObjectValue } from '../values.ts';
import type { CollectionInfo } from './catalog.ts';
import type { QueryContext } from './context.ts';
import type { ComputedEntry, IndexDef } from './indexes.ts';

export interface AnnouncedState {
  readonly ts: number;
  readonly public: ObjectValue;
}

/** The document's ref in its own database, whatever scope the caller wrote it through. */
export function homeRef(coll: CollectionInfo, id: string): Ref {
  const collection = coll.iid === 'tokens' ? Ref.native('tokens') : new Ref(coll.name, Ref.native('collections'));
  return new Ref(id, collection);
}

export function announceDoc(
  ctx: QueryContext,
  db: string,
  coll: CollectionInfo,
  id: string,
  action: DocAction,
  before: AnnouncedState | null,
  after: AnnouncedState | null,
): void {
  const ts = ctx.nowMicros;
  ctx.tx.publish((): DocChange => ({
    kind: 'doc',
    db,
    coll: coll.iid,
    id,
    ref: encodeValue(homeRef(coll, id)),
    action,
    ts,
    doc: encodeValue((after ?? before)?.public ?? {}),
    prev: before === null ? null : encodeValue(before.public),
    prevTs: before?.ts ?? null,
  }));
}

/**
 * Announces the entries that differ between a document's old and new entries in one index, as
 * one announcement (an array): working out which differ is left to the thunk.
 */
export function announceEntries(
  ctx: QueryContext,
  db: string,
  def: IndexDef,
  ref: Ref,
  oldEntries: readonly ComputedEntry[],
  newEntries: readonly ComputedEntry[],
): void {
  const ts = ctx.nowMicros;
  ctx.tx.publish(() => entryChanges(db, def, ref, ts, oldEntries, newEntries));
}

/** The entries removed from and added to one index, as set changes. */
export function entryChanges(
  db: string,
  def: IndexDef,
  ref: Ref,
  ts: number,
  oldEntries: readonly ComputedEntry[],
  newEntries: readonly ComputedEntry[],
): SetChange[] {
  const oldKeys = new Set(oldEntries.map(entryKey));
  const newKeys = new Set(newEntries.map(entryKey));
  const change = (entry: ComputedEntry, action: 'add' | 'remove'): SetChange => ({
    kind: 'set',
    db,
    index: def.iid,
    terms: Buffer.from(entry.terms).toString('hex'),
    indexRef: encodeValue(new Ref(def.name, Ref.native('indexes'))),
    termValues: encodeValue(entry.termList),
    values: entry.values,
    ref: encodeValue(ref),
    action,
    ts,
  });
  return [
    ...oldEntries.filter((e) => !newKeys.has(entryKey(e))).map((e) => change(e, 'remove')),
    ...newEntries.filter((e) => !oldKeys.has(entryKey(e))).map((e) => change(e, 'add')),
  ];
}

function entryKey(entry: ComputedEntry): string {
  return `${Buffer.from(entry.terms).toString('hex')}:${Buffer.from(entry.sortKey).toString('hex')}`;
}
