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
      return new MemorySource(await combine(ctx, spec));
  }
}

/** With pushdown off, a leaf is listed whole and paged in memory like any other set. */
async function maybeInMemory(ctx: QueryContext, leaf: Source): Promise<Source> {
  if (ctx.settings.pushdown) return leaf;
  return new MemorySource(await leaf.scan({ backward: false }));
}

async function combine(ctx: QueryContext, spec: Exclude<SetSpec, { type: 'match' | 'documents' | 'native' }>): Promise<SetEntry[]> {
  if ('set' in spec) {
    const inner = await materialize(ctx, spec.set);
    return spec.type === 'reverse' ? inner.reverse() : distinctEntries(inner);
  }
  const parts = await Promise.all(spec.sets.map((s) => materialize(ctx, s)));
  if (parts.length === 0) return [];
  const keysOf = (entries: readonly SetEntry[]): Set<string> => new Set(entries.map(entryId));
  if (spec.type === 'union') return sortEntries(dedupe(parts.flat()));
  const others = parts.slice(1).map(keysOf);
  if (spec.type === 'intersection') return dedupe(parts[0].filter((e) => others.every((o) => o.has(entryId(e)))));
  return dedupe(parts[0].filter((e) => !others.some((o) => o.has(entryId(e)))));
}

/** Distinct compares what Paginate shows (the values), not which document they came from. */
function distinctEntries(entries: readonly SetEntry[]): SetEntry[] {
  const seen = new Set<string>();
  const out: SetEntry[] = [];
  for (const e of entries) {
    const k = valueKey(e.value);
    if (seen.has(k)) continue;
    seen.add(k);
    const values = e.cursor.slice(0, -1);
    out.push({ ...e, key: encodeKey(values.length > 0 ? values : [e.value]), cursor: values.length > 0 ? values : [e.value] });
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

/** Pages a fully listed set: `from`/`to` compare cursors in the list's own order. */
class MemorySource implements Source {
  constructor(private readonly entries: readonly SetEntry[]) {}

  async scan(scan: Scan): Promise<SetEntry[]> {
    const position = (cursor: readonly Value[]): number => {
      const key = Buffer.from(encodeKey(cursor));
      const i = this.entries.findIndex((e) => this.compare(e, key) >= 0);
      return i < 0 ? this.entries.length : i;
    };
    const start = scan.from ? position(scan.from) : 0;
    const end = scan.to ? position(scan.to) : this.entries.length;
    const slice = this.entries.slice(start, Math.max(start, end));
    const ordered = scan.backward ? slice.reverse() : slice;
    return scan.limit === undefined ? ordered : ordered.slice(0, scan.limit);
  }

  /** Compares an entry with a cursor key, following the list's direction (a reversed set runs downhill). */
  private compare(e: SetEntry, key: Buffer): number {
    const ascending = this.entries.length < 2 || Buffer.compare(this.entries[0].key, this.entries[this.entries.length - 1].key) <= 0;
    const c = Buffer.compare(Buffer.from(e.key), key);
    return ascending ? c : -c;
  }
}

async function matchSource(ctx: QueryContext, indexRef: Ref, terms: readonly Value[]): Promise<Source> {
  const { db, def } = await indexOf(ctx, indexRef);
  const termsKey = encodeKey(terms);
  const flags = reverseFlags(def);
  const scope = indexRef.collection?.database ?? indexRef.database;
  return {
    scan: async (scan) => {
      const rows = await ctx.tx.scanIndex(db, def.iid, termsKey, {
        gte: scan.from ? encodeKey(scan.from, flags) : undefined,
        lt: scan.to ? encodeKey(scan.to, flags) : undefined,
        reverse: scan.backward,
        limit: scan.limit,
        now: ctx.nowMicros,
      });
      return Promise.all(rows.map((r) => indexEntry(ctx, db, scope, def, r)));
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
  return docScanSource(ctx, db, info.iid, (doc) => new Ref(doc.id, collRef));
}

const SCANNABLE_NATIVES: readonly NativeName[] = ['collections', 'indexes', 'functions', 'databases', 'keys', 'roles'];

async function nativeSource(ctx: QueryContext, ref: Ref): Promise<Source> {
  const name = ref.id as NativeName;
  if (!SCANNABLE_NATIVES.includes(name)) throw new FaunaError('invalid argument', `Cannot list ${name} (not supported yet).`);
  if (name === 'keys' || name === 'databases') requireAdmin(ctx);
  const db = await resolveDb(ctx, ref.database);
  return docScanSource(ctx, db, name, (doc) => new Ref(doc.id, Ref.native(name, ref.database)));
}

/** A collection listed by document: entries are refs, ordered by ref. */
function docScanSource(ctx: QueryContext, db: DbId, coll: string, refOf: (doc: StoredDoc) => Ref): Source {
  const bound = (cursor: readonly Value[] | undefined): string | undefined => {
    const ref = cursor?.[0];
    return ref instanceof Ref ? orderKeyFor(coll, ref.id) : undefined;
  };
  return {
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
