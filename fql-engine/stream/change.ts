/**
 * What a committed write announces for streams (`StorageTx.publish`), as JSON: it may travel
 * through PostgreSQL to another process. A change carries the document's state before and
 * after the write, because a stream renders an event after the fact, when the document may
 * have changed again. Refs are relative to the database the document lives in (`db`).
 */

import type { Json } from '../values.ts';

export type DocAction = 'create' | 'update' | 'delete';

/** A document written: created, updated or replaced, or deleted. */
export type DocChange = {
  readonly kind: 'doc';
  readonly db: string;
  /** Internal collection key and document id: what a document stream matches on. */
  readonly coll: string;
  readonly id: string;
  /** The document's ref, wire-encoded. */
  readonly ref: Json;
  readonly action: DocAction;
  /** The transaction's time, microseconds. */
  readonly ts: number;
  /** The fields Get shows besides ref and ts, wire-encoded: after the write (before it, for a delete). */
  readonly doc: Json;
  /** The fields before the write, and their ts; null for a create. */
  readonly prev: Json;
  readonly prevTs: number | null;
};

/** An entry added to or removed from an index by a write. */
export type SetChange = {
  readonly kind: 'set';
  readonly db: string;
  /** Internal index key and the entry's terms, hex of their encoded key: what a Match stream matches on. */
  readonly index: string;
  readonly terms: string;
  readonly indexRef: Json;
  /** The entry's terms and values, wire-encoded arrays. */
  readonly termValues: Json;
  readonly values: Json;
  readonly ref: Json;
  readonly action: 'add' | 'remove';
  readonly ts: number;
};

export type Change = DocChange | SetChange;

/** The changes of one announcement: a change, or an array of them (a write's index entries). */
export function readChanges(json: Json): Change[] {
  if (!Array.isArray(json)) return maybe(readChange(json));
  return (json as readonly Json[]).flatMap((item) => maybe(readChange(item)));
}

function maybe(change: Change | null): Change[] {
  return change === null ? [] : [change];
}

/** A change read back from an announcement; null for anything else (a newer engine's kind). */
export function readChange(json: Json): Change | null {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const record = json as { readonly [k: string]: Json };
  if (record.kind === 'doc' && typeof record.coll === 'string' && typeof record.id === 'string') return record as DocChange;
  if (record.kind === 'set' && typeof record.index === 'string' && typeof record.terms === 'string') return record as SetChange;
  return null;
}
