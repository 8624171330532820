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
import { QueryValue, Ref, SetValue, isArray, makeObject, typeName, valueKey, type NativeName, type ObjectValue, type SetSpec, type Value } from '../values.ts';
import { collectionOf, collectionRefFor, indexOf, isSchemaKind, resolveDb } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { listCredentials } from './credentials.ts';
import { docTarget, readDoc } from './documents.ts';
import { orderKeyFor } from './schema-cache.ts';
import { entryValueShape, reverseFlags, type IndexDef } from './indexes.ts';
import { documentsAt, eventEntries, matchEntriesAt } from './history-sets.ts';
import { ADMIN_KINDS, readSchema, requireAdmin } from './schema-objects.ts';

export interface SetEntry {
  /** Bytes that order the entry within its set. */
  readonly key: Uint8Array;
  /** What Paginate shows. */
  readonly value: Value;
  /** The entry's cursor: its values, then its ref. */
  readonly cursor: readonly Value[];
  /** The document the entry came from. */
  readonly ref: Ref;
  /** The leaf sets the entry came from (Paginate's `sources`), when they were asked for. */
  readonly sources?: readonly SetValue[];
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
  /** `[null]` (what `before: null` means) is the end of the set: the last page. */
  readonly before?: readonly Value[];
  /** Each element as `{value, sources}`: the leaf sets it came from. */
  readonly sources?: boolean;
}

/** `before: null` pages back from the end of the set (Fauna reads null as a cursor past every entry). */
function isEndCursor(cursor: readonly Value[]): boolean {
  return cursor.length === 1 && cursor[0] === null;
}

/** One page of a set, with Fauna's `before`/`after` cursors. */
export async function pageOf(ctx: QueryContext, set: SetValue, req: PageRequest): Promise<ObjectValue> {
  const source = await sourceOf(ctx, set, req.sources === true);
  const show = (e: SetEntry): Value => (req.sources ? makeObject([['value', e.value], ['sources', e.sources ?? [set]]]) : e.value);
  if (req.before !== undefined) {
    const to = isEndCursor(req.before) ? undefined : req.before;
    const rows = await source.scan({ to, backward: true, limit: req.size + 1 });
    const data = rows.slice(0, req.size).reverse();
    const before = rows.length > req.size ? data[0].cursor : undefined;
    return page(data.map(show), before, req.before);
  }
  const rows = await source.scan({ from: req.after, backward: false, limit: req.size + 1 });
  const data = rows.slice(0, req.size);
  const after = rows.length > req.size ? rows[req.size].cursor : undefined;
  const before = req.after !== undefined ? (data[0]?.cursor ?? req.after) : undefined;
  return page(data.map(show), before, after);
}

function page(data: readonly Value[], before: readonly Value[] | undefined, after: readonly Value[] | undefined): ObjectValue {
  const fields: [string, Value][] = [];
  if (before !== undefined) fields.push(['before', before]);
  if (after !== undefined) fields.push(['after', after]);
  fields.push(['data', data]);
  return makeObject(fields);
}

/** A set's source; with `track`, every entry carries the leaf sets it came from. */
async function sourceOf(ctx: QueryContext, set: SetValue, track = false): Promise<Source> {
  const spec = set.spec;
  switch (spec.type) {
    case 'match':
      return tracked(await maybeInMemory(ctx, await matchSource(ctx, spec.index, spec.terms)), set, track);
    case 'documents':
      return tracked(await maybeInMemory(ctx, await documentsSource(ctx, spec.collection)), set, track);
    case 'native':
      return tracked(await maybeInMemory(ctx, await nativeSource(ctx, spec.ref)), set, track);
    case 'singleton':
      return tracked(await singletonSource(ctx, spec.ref), set, track);
    case 'range':
      return rangeSource(ctx, spec, track);
    case 'join':
      return joinSource(ctx, spec, track);
    case 'filter':
      return new FilterSource(ctx, await sourceOf(ctx, spec.set, track), spec.lambda);
    case 'events':
      return tracked(new MemorySource(await eventEntries(ctx, spec.of), (cursor) => encodeKey(cursor), false), set, track);
    default:
      return combine(ctx, spec, track);
  }
}

/** Marks every entry of a leaf with the leaf set itself, as its source. */
function tracked(source: Source, set: SetValue, track: boolean): Source {
  if (!track) return source;
  return {
    descending: source.descending,
    encode: source.encode,
    scan: async (scan) => (await source.scan(scan)).map((e) => ({ ...e, sources: [set] })),
  };
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
async function listAll(ctx: QueryContext, sets: readonly SetValue[], track: boolean): Promise<Listed[]> {
  const out: Listed[] = [];
  for (const set of sets) {
    const source = await sourceOf(ctx, set, track);
    out.push({ source, entries: await source.scan({ backward: false }) });
  }
  return out;
}

type Combined = Extract<SetSpec, { type: 'union' | 'intersection' | 'difference' | 'distinct' | 'reverse' }>;

async function combine(ctx: QueryContext, spec: Combined, track: boolean): Promise<Source> {
  if ('set' in spec) {
    const [inner] = await listAll(ctx, [spec.set], track);
    if (spec.type === 'reverse') return new MemorySource(inner.entries.reverse(), inner.source.encode, !inner.source.descending);
    return new MemorySource(distinctEntries(inner.entries, inner.source.encode), inner.source.encode, inner.source.descending);
  }
  const parts = await listAll(ctx, spec.sets, track);
  if (parts.length === 0) return new MemorySource([], (c) => encodeKey(c), false);
  const [first, ...rest] = parts;
  const { encode, descending } = first.source;
  if (spec.type === 'union') return new MemorySource(sortEntries(dedupe(parts.flatMap((p) => p.entries), track)), encode, false);
  const others = rest.map((p) => new Map(p.entries.map((e) => [entryId(e), e] as const)));
  if (spec.type === 'difference') return new MemorySource(dedupe(first.entries.filter((e) => !others.some((o) => o.has(entryId(e))))), encode, descending);
  const kept = first.entries.filter((e) => others.every((o) => o.has(entryId(e))));
  // An element of an intersection came from every part: its sources are all of theirs.
  const withSources = track ? kept.map((e) => ({ ...e, sources: [e, ...others.map((o) => o.get(entryId(e)))].flatMap((x) => x?.sources ?? []) })) : kept;
  return new MemorySource(dedupe(withSources), encode, descending);
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

/** One entry per key; with `mergeSources`, a kept entry also carries the sources of the ones dropped. */
function dedupe(entries: readonly SetEntry[], mergeSources = false): SetEntry[] {
  const seen = new Map<string, number>();
  const out: SetEntry[] = [];
  for (const e of entries) {
    const id = entryId(e);
    const at = seen.get(id);
    if (at === undefined) {
      seen.set(id, out.length);
      out.push(e);
    } else if (mergeSources) {
      out[at] = { ...out[at], sources: [...(out[at].sources ?? []), ...(e.sources ?? [])] };
    }
  }
  return out;
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

/** Bounds on the entry keys themselves (a Range's), kept on top of a scan's cursors. */
interface KeyBounds {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
}

function higher(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Buffer.compare(a, b) >= 0 ? a : b;
}

function lower(a: Uint8Array | undefined, b: Uint8Array | undefined): Uint8Array | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return Buffer.compare(a, b) <= 0 ? a : b;
}

async function matchSource(ctx: QueryContext, indexRef: Ref, terms: readonly Value[], bounds: KeyBounds = {}): Promise<Source> {
  const { db, def } = await indexOf(ctx, indexRef);
  await ctx.access.check(ctx, 'read', indexRef, [[...terms]]);
  const termsKey = encodeKey(terms);
  const flags = reverseFlags(def);
  const scope = indexRef.database ?? indexRef.collection?.database;
  if (ctx.snapshot !== undefined) {
    const inBounds = (e: SetEntry): boolean =>
      (bounds.gte === undefined || Buffer.compare(e.key, bounds.gte) >= 0) && (bounds.lt === undefined || Buffer.compare(e.key, bounds.lt) < 0);
    const entries = (await matchEntriesAt(ctx, db, def, scope, termsKey, ctx.snapshot)).filter(inBounds);
    return new MemorySource(entries, (cursor) => encodeKey(cursor, flags), false);
  }
  return {
    descending: false,
    encode: (cursor) => encodeKey(cursor, flags),
    scan: async (scan) => {
      const range = {
        gte: higher(scan.from ? encodeKey(scan.from, flags) : undefined, bounds.gte),
        lt: lower(scan.to ? encodeKey(scan.to, flags) : undefined, bounds.lt),
        reverse: scan.backward,
        limit: scan.limit,
        now: ctx.nowMicros,
      };
      // A bounded page whose documents are about to be read comes with them, in one statement.
      const withDocs = ctx.prefetchDocs && scan.limit !== undefined;
      const rows = withDocs ? await ctx.tx.scanIndexWithDocs(db, def.iid, termsKey, range) : await ctx.tx.scanIndex(db, def.iid, termsKey, range);
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
  // Documents(Tokens()), Documents(Keys())...: the documents of a built-in collection.
  if (collRef.isNative()) return nativeSource(ctx, collRef);
  const { db, info } = await collectionOf(ctx, collRef);
  await ctx.access.check(ctx, 'read', info.ref, [], { perDocumentLater: true });
  if (ctx.snapshot !== undefined) {
    return new MemorySource(await documentsAt(ctx, db, info.iid, (id) => new Ref(id, collRef), ctx.snapshot), (cursor) => encodeKey(cursor), false);
  }
  return docScanSource(ctx, db, info.iid, (doc) => new Ref(doc.id, collRef));
}

const SCANNABLE_NATIVES: readonly NativeName[] = [
  'collections',
  'indexes',
  'functions',
  'databases',
  'keys',
  'roles',
  'tokens',
  'credentials',
  'access_providers',
];

async function nativeSource(ctx: QueryContext, ref: Ref): Promise<Source> {
  const name = ref.id as NativeName;
  if (!SCANNABLE_NATIVES.includes(name)) throw new FaunaError('invalid argument', `Cannot list ${name} (not supported yet).`);
  if (ADMIN_KINDS.has(name)) requireAdmin(ctx);
  await ctx.access.check(ctx, 'read', Ref.native(name), []);
  if (name === 'credentials') {
    const entries = (await listCredentials(ctx, ref.database)).map((c) => refEntry(c.ref));
    return new MemorySource(entries, (cursor) => encodeKey(cursor), false);
  }
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
    return ref instanceof Ref ? orderKeyFor(ref.id) : undefined;
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

function refEntry(ref: Ref): SetEntry {
  return { key: encodeKey([ref]), value: ref, cursor: [ref], ref };
}

/** Singleton(ref): the document while it exists (and the caller may read it), else nothing. */
async function singletonSource(ctx: QueryContext, ref: Ref): Promise<Source> {
  const entries = (await refExists(ctx, ref)) ? [refEntry(ref)] : [];
  return new MemorySource(entries, (cursor) => encodeKey(cursor), false);
}

async function refExists(ctx: QueryContext, ref: Ref): Promise<boolean> {
  if (ref.isNative()) throw new FaunaError('invalid argument', `Document Ref expected, ${typeName(ref)} provided.`);
  try {
    const coll = ref.collection;
    if (coll?.isNative() && isSchemaKind(coll.id)) return (await readSchema(ctx, ref)) !== null;
    return (await readDoc(ctx, await docTarget(ctx, ref))) !== null;
  } catch (err) {
    if (err instanceof FaunaError && err.code === 'invalid ref') return false;
    throw err;
  }
}

/** A Range bound: a cursor (a value is a cursor of one), `[]` for no bound. */
function rangeCursor(v: Value): readonly Value[] {
  return isArray(v) ? v : [v];
}

/** The first key past every key that starts with `key` (an inclusive `to`, see encodeKeyUpperBound). */
function pastPrefix(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  out[key.length] = 0xff;
  return out;
}

/**
 * Range(set, from, to): the entries from `from` to `to`, both inclusive, where a bound shorter
 * than the entries' cursors takes in every entry it begins (Fauna's prefix cursors). An index
 * match is ranged by storage; any other set is listed and cut in memory.
 */
async function rangeSource(ctx: QueryContext, spec: Extract<SetSpec, { type: 'range' }>, track: boolean): Promise<Source> {
  const from = rangeCursor(spec.from);
  const to = rangeCursor(spec.to);
  const inner = spec.set.spec;
  if (ctx.settings.pushdown && inner.type === 'match') {
    const flags = reverseFlags((await indexOf(ctx, inner.index)).def);
    const bounds = { gte: from.length > 0 ? encodeKey(from, flags) : undefined, lt: to.length > 0 ? pastPrefix(encodeKey(to, flags)) : undefined };
    return tracked(await matchSource(ctx, inner.index, inner.terms, bounds), spec.set, track);
  }
  const source = await sourceOf(ctx, spec.set, track);
  const [low, high] = source.descending ? [to, from] : [from, to];
  const gte = low.length > 0 ? source.encode(low) : undefined;
  const lt = high.length > 0 ? pastPrefix(source.encode(high)) : undefined;
  const inRange = (e: SetEntry): boolean => (gte === undefined || Buffer.compare(e.key, gte) >= 0) && (lt === undefined || Buffer.compare(e.key, lt) < 0);
  return new MemorySource((await source.scan({ backward: false })).filter(inRange), source.encode, source.descending);
}

/**
 * Join(source, with): the union of the sets each value of `source` leads to: the index `with`
 * matched on the value (a tuple of values is a tuple of terms), or the set a lambda answers.
 */
async function joinSource(ctx: QueryContext, spec: Extract<SetSpec, { type: 'join' }>, track: boolean): Promise<Source> {
  const source = await sourceOf(ctx, spec.source);
  const targets: SetValue[] = [];
  for (const entry of await source.scan({ backward: false })) targets.push(await joinTarget(ctx, spec.with, entry.value));
  return combine(ctx, { type: 'union', sets: targets }, track);
}

async function joinTarget(ctx: QueryContext, via: Ref | QueryValue, value: Value): Promise<SetValue> {
  if (via instanceof Ref) {
    const terms = Array.isArray(value) ? value : [value];
    return new SetValue({ type: 'match', index: via, terms, rawTerms: value });
  }
  const target = await ctx.lambdas.applyValue(via, value, ctx, ['with']);
  if (target instanceof SetValue) return target;
  if (target instanceof Ref && target.isNative()) return new SetValue({ type: 'native', ref: target });
  throw FaunaError.at('invalid argument', `Set expected, ${typeName(target)} provided.`, ['with']);
}

/**
 * Filter of a set: the entries whose value the lambda answers true for. A scan reads its set a
 * chunk at a time and stops as soon as it holds what was asked, so a page of a filtered set
 * costs about what the page needs, and its cursors are the set's own.
 */
class FilterSource implements Source {
  readonly descending: boolean;
  readonly encode: (cursor: readonly Value[]) => Uint8Array;

  constructor(
    private readonly ctx: QueryContext,
    private readonly inner: Source,
    private readonly lambda: QueryValue,
  ) {
    this.descending = inner.descending;
    this.encode = inner.encode;
  }

  async scan(scan: Scan): Promise<SetEntry[]> {
    const kept: SetEntry[] = [];
    const chunk = scan.limit === undefined ? undefined : Math.max(scan.limit, 16);
    let bounds: Bounds = { from: scan.from, to: scan.to };
    let resumeAt: Uint8Array | undefined;
    for (;;) {
      const asked = chunk === undefined ? undefined : chunk + (resumeAt === undefined ? 0 : 1);
      const rows = await this.inner.scan({ ...bounds, backward: scan.backward, limit: asked });
      // Going forward, a chunk starts at the last entry already seen (cursors are inclusive there).
      const fresh = resumeAt !== undefined && rows.length > 0 && Buffer.compare(rows[0].key, resumeAt) === 0 ? rows.slice(1) : rows;
      for (const entry of fresh) {
        if (!(await this.keeps(entry))) continue;
        kept.push(entry);
        if (scan.limit !== undefined && kept.length >= scan.limit) return kept;
      }
      if (asked === undefined || rows.length < asked || fresh.length === 0) return kept;
      const last = fresh[fresh.length - 1];
      if (scan.backward) bounds = { from: bounds.from, to: last.cursor };
      else [bounds, resumeAt] = [{ from: last.cursor, to: bounds.to }, last.key];
    }
  }

  private async keeps(entry: SetEntry): Promise<boolean> {
    const verdict = await this.ctx.lambdas.applyValue(this.lambda, entry.value, this.ctx, ['filter']);
    if (typeof verdict !== 'boolean') throw FaunaError.at('invalid argument', `Boolean expected, ${typeName(verdict)} provided.`, ['filter']);
    return verdict;
  }
}
