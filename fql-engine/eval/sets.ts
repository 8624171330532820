/**
 * Sets and their pages.
 *
 * The meaning of a set is defined once, in memory: every set can list all its entries in
 * order (`materialize`), and a page is cut from that list by cursor. Plain index matches and
 * collection scans also have a shortcut that asks storage for just one page (a range scan
 * with a limit); `settings.pushdown = false` turns the shortcut off so tests can prove both
 * paths give the same answers.
 */

import { FaunaError } from '../errors.ts';
import { encodeKey } from '../ordering.ts';
import type { DbId, IndexEntry, StoredDoc } from '../storage/types.ts';
import { decodeValue } from '../wire.ts';
import { Ref, SetValue, makeObject, valueKey, type NativeName, type ObjectValue, type SetSpec, type Value } from '../values.ts';
import { collectionOf, collectionRefFor, indexOf, resolveDb } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { orderKeyFor } from './schema-cache.ts';
import { entryValueShape, reverseFlags, type IndexDef } from './indexes.ts';
import { requireAdmin } from './schema-objects.ts';

export interface SetEntry {
  /** Bytes that order the entry within its set. */
  readonly key: Uint8Array;
  /** What Paginate shows. */
  readonly value: Value;
  /** The entry's cursor: its values, then its ref. */
  readonly cursor: readonly Value[];
  /** The document the entry came from. */
  readonly ref: Ref;
}

export interface Bounds {
  /** Entries at or after this cursor (in the set's own order). */
  readonly from?: readonly Value[];
  /** Entries strictly before this cursor (in the set's own order). */
  readonly to?: readonly Value[];
}

interface Scan extends Bounds {
  readonly backward: boolean;
  readonly limit?: number;
}

/** A set that can answer scans: either through storage (a leaf) or in memory. */
interface Source {
  scan(scan: Scan): Promise<SetEntry[]>;
  /** Encodes a cursor the way this set's entry keys are encoded (index values may run in reverse). */
  readonly encode: (cursor: readonly Value[]) => Uint8Array;
  /** True when the set runs from high keys to low (a Reverse). */
  readonly descending: boolean;
}

export async function materialize(ctx: QueryContext, set: SetValue): Promise<SetEntry[]> {
  return (await sourceOf(ctx, set)).scan({ backward: false });
}

export async function firstEntry(ctx: QueryContext, set: SetValue): Promise<SetEntry | undefined> {
  const [first] = await (await sourceOf(ctx, set)).scan({ backward: false, limit: 1 });
  return first;
}

export interface PageRequest {
  readonly size: number;
  readonly after?: readonly Value[];
  readonly before?: readonly Value[];
}

/** One page of a set, with Fauna's `before`/`after` cursors. */
export async function pageOf(ctx: QueryContext, set: SetValue, req: PageRequest): Promise<ObjectValue> {
  const source = await sourceOf(ctx, set);
  if (req.before !== undefined) {
    const rows = await source.scan({ to: req.before, backward: true, limit: req.size + 1 });
    const data = rows.slice(0, req.size).reverse();
    const before = rows.length > req.size ? data[0].cursor : undefined;
    return page(data, before, req.before);
  }
  const rows = await source.scan({ from: req.after, backward: false, limit: req.size + 1 });
  const data = rows.slice(0, req.size);
  const after = rows.length > req.size ? rows[req.size].cursor : undefined;
  const before = req.after !== undefined ? (data[0]?.cursor ?? req.after) : undefined;
  return page(data, before, after);
}

function page(data: readonly SetEntry[], before: readonly Value[] | undefined, after: readonly Value[] | undefined): ObjectValue {
  const fields: [string, Value][] = [];
  if (before !== undefined) fields.push(['before', before]);
  if (after !== undefined) fields.push(['after', after]);
  fields.push(['data', data.map((e) => e.value)]);
  return makeObject(fields);
}

async function sourceOf(ctx: QueryContext, set: SetValue): Promise<Source> {
  const spec = set.spec;
  switch (spec.type) {
    case 'match':
      return maybeInMemory(ctx, await matchSource(ctx, spec.index, spec.terms));
    case 'documents':
      return maybeInMemory(ctx, await documentsSource(ctx, spec.collection));
    case 'native':
      return maybeInMemory(ctx, await nativeSource(ctx, spec.ref));
    default:
      return combine(ctx, spec);
  }
}

/** With pushdown off, a leaf is listed whole and paged in memory like any other set. */
async function maybeInMemory(ctx: QueryContext, leaf: Source): Promise<Source> {
  if (ctx.settings.pushdown) return leaf;
  return new MemorySource(await leaf.scan({ backward: false }), leaf.encode, false);
}

interface Listed {
  readonly source: Source;
  readonly entries: SetEntry[];
}

/** Children are listed one after another: a PostgreSQL transaction runs one statement at a time. */
async function listAll(ctx: QueryContext, sets: readonly SetValue[]): Promise<Listed[]> {
  const out: Listed[] = [];
  for (const set of sets) {
    const source = await sourceOf(ctx, set);
    out.push({ source, entries: await source.scan({ backward: false }) });
  }
  return out;
}

async function combine(ctx: QueryContext, spec: Exclude<SetSpec, { type: 'match' | 'documents' | 'native' }>): Promise<Source> {
  if ('set' in spec) {
    const [inner] = await listAll(ctx, [spec.set]);
    if (spec.type === 'reverse') return new MemorySource(inner.entries.reverse(), inner.source.encode, !inner.source.descending);
    return new MemorySource(distinctEntries(inner.entries, inner.source.encode), inner.source.encode, inner.source.descending);
  }
  const parts = await listAll(ctx, spec.sets);
  if (parts.length === 0) return new MemorySource([], (c) => encodeKey(c), false);
  const [first, ...rest] = parts;
  const { encode, descending } = first.source;
  if (spec.type === 'union') return new MemorySource(sortEntries(dedupe(parts.flatMap((p) => p.entries))), encode, false);
  const others = rest.map((p) => new Set(p.entries.map(entryId)));
  const keep = spec.type === 'intersection'
    ? (e: SetEntry): boolean => others.every((o) => o.has(entryId(e)))
    : (e: SetEntry): boolean => !others.some((o) => o.has(entryId(e)));
  return new MemorySource(dedupe(first.entries.filter(keep)), encode, descending);
}

/** Distinct compares what Paginate shows (the values), not which document they came from. */
function distinctEntries(entries: readonly SetEntry[], encode: (cursor: readonly Value[]) => Uint8Array): SetEntry[] {
  const seen = new Set<string>();
  const out: SetEntry[] = [];
  for (const e of entries) {
    const k = valueKey(e.value);
    if (seen.has(k)) continue;
    seen.add(k);
    const values = e.cursor.length > 1 ? e.cursor.slice(0, -1) : [e.value];
    out.push({ ...e, key: encode(values), cursor: values });
  }
  return out;
}

function entryId(e: SetEntry): string {
  return Buffer.from(e.key).toString('hex');
}

function dedupe(entries: readonly SetEntry[]): SetEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const id = entryId(e);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function sortEntries(entries: SetEntry[]): SetEntry[] {
  return entries.sort((a, b) => Buffer.compare(a.key, b.key));
}

/** Pages a fully listed set: `from`/`to` compare cursors in the list's own order and direction. */
class MemorySource implements Source {
  constructor(
    private readonly entries: readonly SetEntry[],
    readonly encode: (cursor: readonly Value[]) => Uint8Array,
    readonly descending: boolean,
  ) {}

  async scan(scan: Scan): Promise<SetEntry[]> {
    const start = scan.from ? this.position(scan.from) : 0;
    const end = scan.to ? this.position(scan.to) : this.entries.length;
    const slice = this.entries.slice(start, Math.max(start, end));
    const ordered = scan.backward ? slice.reverse() : slice;
    return scan.limit === undefined ? ordered : ordered.slice(0, scan.limit);
  }

  /** The index of the first entry at or past the cursor, in the set's direction. */
  private position(cursor: readonly Value[]): number {
    const key = Buffer.from(this.encode(cursor));
    const sign = this.descending ? -1 : 1;
    const i = this.entries.findIndex((e) => sign * Buffer.compare(Buffer.from(e.key), key) >= 0);
    return i < 0 ? this.entries.length : i;
  }
}

async function matchSource(ctx: QueryContext, indexRef: Ref, terms: readonly Value[]): Promise<Source> {
  const { db, def } = await indexOf(ctx, indexRef);
  await ctx.access.check(ctx, 'read', indexRef, [[...terms]]);
  const termsKey = encodeKey(terms);
  const flags = reverseFlags(def);
  const scope = indexRef.database ?? indexRef.collection?.database;
  return {
    descending: false,
    encode: (cursor) => encodeKey(cursor, flags),
    scan: async (scan) => {
      const rows = await ctx.tx.scanIndex(db, def.iid, termsKey, {
        gte: scan.from ? encodeKey(scan.from, flags) : undefined,
        lt: scan.to ? encodeKey(scan.to, flags) : undefined,
        reverse: scan.backward,
        limit: scan.limit,
        now: ctx.nowMicros,
      });
      const entries: SetEntry[] = [];
      for (const row of rows) entries.push(await indexEntry(ctx, db, scope, def, row));
      return entries;
    },
  };
}

async function indexEntry(ctx: QueryContext, db: DbId, scope: Ref | undefined, def: IndexDef, row: IndexEntry): Promise<SetEntry> {
  const ref = new Ref(row.id, await collectionRefFor(ctx, db, scope, row.coll));
  const decoded = decodeValue(row.values);
  const values = Array.isArray(decoded) ? decoded : [decoded];
  const { value, cursor } = entryValueShape(def, values, ref);
  return { key: row.sortKey, value, cursor, ref };
}

async function documentsSource(ctx: QueryContext, collRef: Ref): Promise<Source> {
  const { db, info } = await collectionOf(ctx, collRef);
  await ctx.access.check(ctx, 'read', info.ref, [], { perDocumentLater: true });
  return docScanSource(ctx, db, info.iid, (doc) => new Ref(doc.id, collRef));
}

const SCANNABLE_NATIVES: readonly NativeName[] = ['collections', 'indexes', 'functions', 'databases', 'keys', 'roles', 'tokens'];

async function nativeSource(ctx: QueryContext, ref: Ref): Promise<Source> {
  const name = ref.id as NativeName;
  if (!SCANNABLE_NATIVES.includes(name)) throw new FaunaError('invalid argument', `Cannot list ${name} (not supported yet).`);
  if (name === 'keys' || name === 'databases') requireAdmin(ctx);
  await ctx.access.check(ctx, 'read', Ref.native(name), []);
  const db = await resolveDb(ctx, ref.database);
  // Fauna scopes a key by its native collection, every other schema object by its own ref.
  const refOf = name === 'keys'
    ? (doc: StoredDoc): Ref => new Ref(doc.id, Ref.native(name, ref.database))
    : (doc: StoredDoc): Ref => new Ref(doc.id, Ref.native(name), ref.database);
  return docScanSource(ctx, db, name, refOf);
}

/** A collection listed by document: entries are refs, ordered by ref. */
function docScanSource(ctx: QueryContext, db: DbId, coll: string, refOf: (doc: StoredDoc) => Ref): Source {
  const bound = (cursor: readonly Value[] | undefined): string | undefined => {
    const ref = cursor?.[0];
    return ref instanceof Ref ? orderKeyFor(coll, ref.id) : undefined;
  };
  return {
    descending: false,
    encode: (cursor) => encodeKey(cursor),
    scan: async (scan) => {
      const docs = await ctx.tx.scanDocs(db, coll, {
        gte: bound(scan.from),
        lt: bound(scan.to),
        reverse: scan.backward,
        limit: scan.limit,
        now: ctx.nowMicros,
      });
      return docs.map((doc) => {
        const ref = refOf(doc);
        return { key: encodeKey([ref]), value: ref, cursor: [ref], ref };
      });
    },
  };
}
