/**
 * Functions over collections of values: arrays, pages (`{data: [...], before?, after?}`) and
 * sets. Sets are lazy descriptions (Match, Union...) until Paginate or a reader lists them.
 */

import { FaunaError, typeError } from '../../errors.ts';
import { QueryValue, Ref, SetValue, isObject, makeObject, typeName, valueKey, type ObjectValue, type Value, isArray } from '../../values.ts';
import type { QueryContext } from '../context.ts';
import { andThen, inOrder } from '../maybe-async.ts';
import { effect, lazy, type Args, type Frame, type RawArgs, type Spec } from '../spec.ts';
import { materialize, pageOf } from '../sets.ts';
import { timeArg } from '../history.ts';
import { eventsOf } from './history.ts';

type Page = ObjectValue & { readonly data: readonly Value[] };

function isPage(v: Value): v is Page {
  return isObject(v) && Array.isArray(v.data);
}

/** The elements of an array or a page; anything else is refused (a set must be paginated first). */
function elements(v: Value, key: string): readonly Value[] {
  if (isArray(v)) return v;
  if (isPage(v)) return v.data;
  throw typeError('Array or Page', v, [key]);
}

/** Rebuilds the same shape: an array stays an array, a page keeps its cursors. */
function sameShape(original: Value, data: readonly Value[]): Value {
  if (Array.isArray(original)) return data;
  return makeObject([...Object.entries(original as ObjectValue).filter(([k]) => k !== 'data'), ['data', data]]);
}

export function asSet(v: Value, key: string): SetValue {
  if (v instanceof SetValue) return v;
  if (v instanceof Ref && v.isNative()) return new SetValue({ type: 'native', ref: v });
  throw typeError('Set', v, [key]);
}

/** Map, Filter and Foreach: the lambda is applied element by element, in order. */
function iterate(key: 'map' | 'filter' | 'foreach', name: string): Spec {
  return lazy({
    key,
    name,
    params: ['collection'],
    run: async (raw: RawArgs, f: Frame) => {
      const coll = await collectionFor(raw, key, f);
      if (key === 'filter' && isSetLike(coll)) return filteredSet(asSet(coll, 'collection'), await f.eval(raw.filter, 'filter'));
      const items = elements(coll, 'collection');
      // Applied without an await per element where the lambda needs none (maybe-async.ts).
      const results = inOrder(items, (item) => andThen(f.apply(raw[key], item, key), (result) => checked(key, result)));
      return andThen(results, (answers) => {
        if (key === 'foreach') return coll;
        return sameShape(coll, key === 'map' ? answers : items.filter((_, i) => answers[i] === true));
      });
    },
  });
}

/** A lambda's answer for one element: Filter's must be a boolean, checked before the next element is tried. */
function checked(key: 'map' | 'filter' | 'foreach', result: Value): Value {
  if (key === 'filter' && typeof result !== 'boolean') throw typeError('Boolean', result, [key]);
  return result;
}

/** Filter of a set is a set, read lazily: Paginate(Filter(set, f)) pages through what f keeps. */
function filteredSet(set: SetValue, lambda: Value): SetValue {
  if (!(lambda instanceof QueryValue)) throw new FaunaError('invalid argument', `Lambda expected, ${typeName(lambda)} provided.`, ['filter']);
  return new SetValue({ type: 'filter', set, lambda });
}

/**
 * The collection a Map or Foreach runs over. When its lambda reads documents (it holds a Get),
 * a page of an index is read with its documents, in one statement instead of one per element.
 */
async function collectionFor(raw: RawArgs, key: 'map' | 'filter' | 'foreach', f: Frame): Promise<Value> {
  if (key === 'filter' || !readsDocuments(raw[key])) return f.eval(raw.collection, 'collection');
  const before = f.ctx.prefetchDocs;
  f.ctx.prefetchDocs = true;
  try {
    return await f.eval(raw.collection, 'collection');
  } finally {
    f.ctx.prefetchDocs = before;
  }
}

/** Whether a lambda holds a Get: the set it runs over is then read with its documents (see collectionFor). */
export function readsDocuments(expr: unknown): boolean {
  if (Array.isArray(expr)) return expr.some(readsDocuments);
  if (expr === null || typeof expr !== 'object') return false;
  return Object.entries(expr).some(([k, v]) => k === 'get' || readsDocuments(v));
}

const reduce = lazy({
  key: 'reduce',
  name: 'Reduce',
  params: ['initial', 'collection'],
  run: async (raw, f) => {
    let acc = await f.eval(raw.initial, 'initial');
    const coll = await f.eval(raw.collection, 'collection');
    const items = coll instanceof SetValue ? (await materialize(f.ctx, coll)).map((e) => e.value) : elements(coll, 'collection');
    for (const item of items) acc = await f.apply(raw.reduce, [acc, item], 'reduce');
    return aggregateShape(coll, acc);
  },
});

const match = effect({
  key: 'match',
  name: 'Match',
  optional: ['terms'],
  run: async (args) => matchSet(args),
});

/** The set Match(index, terms) means. Exported for foresight.ts, which works it out ahead of time. */
export function matchSet(args: Args): SetValue {
  const index = typeof args.match === 'string' ? new Ref(args.match, Ref.native('indexes')) : args.match;
  if (!(index instanceof Ref) || index.collection?.id !== 'indexes') {
    throw typeError('Index Ref', args.match, ['match']);
  }
  const rawTerms = args.terms ?? [];
  const terms = Array.isArray(rawTerms) ? rawTerms : [rawTerms];
  return new SetValue({ type: 'match', index, terms, rawTerms });
}

export const MAX_PAGE = 100_000;

/** A cursor is an array; any other value is a cursor of one (`before: null` is `[null]`: the end). */
function cursorOf(v: Value): readonly Value[] {
  return isArray(v) ? v : [v];
}

/** `after` (null: the start), or `before` (null: the end), given directly or in a `cursor` object. */
function cursorsOf(args: Args): { after?: readonly Value[]; before?: readonly Value[] } {
  const holder = isObject(args.cursor) ? args.cursor : args;
  if (args.cursor !== undefined && args.cursor !== null && !isObject(args.cursor)) {
    throw new FaunaError('invalid argument', `Object expected, ${typeName(args.cursor)} provided.`, ['cursor']);
  }
  if (holder.before !== undefined) return { before: cursorOf(holder.before) };
  if (holder.after !== undefined && holder.after !== null) return { after: cursorOf(holder.after) };
  return {};
}

/** What Paginate reads: a set, a built-in collection, or a document (a set of it alone). */
function paginated(v: Value): SetValue {
  if (v instanceof Ref && !v.isNative()) return new SetValue({ type: 'singleton', ref: v });
  return asSet(v, 'paginate');
}

const paginate = effect({
  key: 'paginate',
  name: 'Paginate',
  optional: ['size', 'after', 'before', 'ts', 'events', 'sources', 'cursor'],
  run: async (args, f) => {
    const events = args.events ?? false;
    if (typeof events !== 'boolean') throw new FaunaError('invalid argument', `Boolean expected, ${typeName(events)} provided.`, ['events']);
    // `ts` pages the set as it was then, as At(ts, Paginate(...)) does.
    const ctx = args.ts === undefined || args.ts === null ? f.ctx : f.ctx.at(timeArg(args.ts, 'ts'));
    const set = events ? new SetValue({ type: 'events', of: eventsOf(args.paginate, 'paginate') }) : paginated(args.paginate);
    const size = args.size ?? 64;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      throw new FaunaError('invalid argument', `Page size must be an integer from 1 to ${MAX_PAGE}.`, ['size']);
    }
    const sources = args.sources ?? false;
    if (typeof sources !== 'boolean' && sources !== null)
      throw new FaunaError('invalid argument', `Boolean expected, ${typeName(sources)} provided.`, ['sources']);
    return pageOf(ctx, set, { size, sources: sources === true, ...cursorsOf(args) });
  },
});

/** Count, IsEmpty and IsNonEmpty read arrays, pages and whole sets. */
export async function listOf(ctx: QueryContext, v: Value, key: string): Promise<readonly Value[]> {
  if (v instanceof SetValue || (v instanceof Ref && v.isNative())) return (await materialize(ctx, asSet(v, key))).map((e) => e.value);
  return elements(v, key);
}

function sizeSpec(key: string, name: string, fn: (n: number) => Value): Spec {
  return effect({ key, name, run: async (args, f) => fn((await listOf(f.ctx, args[key], key)).length) });
}

/** An aggregate of a page is a page holding the result, as Fauna answers it; of anything else, the result. */
export function aggregateShape(input: Value, result: Value): Value {
  return isPage(input) ? sameShape(input, [result]) : result;
}

const count = effect({
  key: 'count',
  name: 'Count',
  run: async (args, f) => aggregateShape(args.count, (await listOf(f.ctx, args.count, 'count')).length),
});

/** Union, Intersection and Difference: of sets a set, of arrays an array. */
function setAlgebra(key: 'union' | 'intersection' | 'difference', name: string): Spec {
  return effect({
    key,
    name,
    run: async (args) => {
      const parts = algebraParts(args[key]);
      if (parts.every(isSetLike)) {
        return new SetValue({ type: key, sets: parts.map((p) => asSet(p, key)) });
      }
      if (parts.every((p) => Array.isArray(p))) return arrayAlgebra(key, parts as Value[][]);
      throw new FaunaError('invalid argument', `${name} takes sets or arrays, not a mix.`, [key]);
    },
  });
}

function isSetLike(v: Value): boolean {
  return v instanceof SetValue || (v instanceof Ref && v.isNative());
}

/**
 * The driver sends one argument bare and several as an array: an array of arrays, or one that
 * holds any set, is a list of parts (a mix is then refused by the caller, not read as one array).
 */
function algebraParts(v: Value): readonly Value[] {
  if (!Array.isArray(v)) return [v];
  const list = v as readonly Value[];
  return list.length > 0 && (list.some(isSetLike) || list.every((p) => Array.isArray(p))) ? list : [v];
}

/**
 * Arrays combine as multisets, as Fauna's server combined them (Scala's `intersect` and `diff`;
 * a union keeps each value as often as the array holding it most often does), in the order of
 * first appearance; nothing is deduplicated that was repeated on one side only.
 */
function arrayAlgebra(key: 'union' | 'intersection' | 'difference', parts: readonly (readonly Value[])[]): Value[] {
  const [first, ...rest] = parts;
  const step = key === 'union' ? unionOf : key === 'intersection' ? intersectOf : differenceOf;
  return rest.reduce<Value[]>((acc, part) => step(acc, part), [...first]);
}

function counts(values: readonly Value[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(valueKey(v), (m.get(valueKey(v)) ?? 0) + 1);
  return m;
}

function unionOf(left: readonly Value[], right: readonly Value[]): Value[] {
  const occurrence = counts(left);
  for (const [k, n] of counts(right)) occurrence.set(k, Math.max(occurrence.get(k) ?? 0, n));
  const out: Value[] = [];
  for (const v of [...left, ...right]) {
    const k = valueKey(v);
    for (let i = 0; i < (occurrence.get(k) ?? 0); i++) out.push(v);
    occurrence.set(k, 0);
  }
  return out;
}

const intersectOf = (left: readonly Value[], right: readonly Value[]): Value[] => keepCounted(left, right, true);
const differenceOf = (left: readonly Value[], right: readonly Value[]): Value[] => keepCounted(left, right, false);

/** Scala's `intersect` (keep = true) or `diff` (keep = false): each match on the right is used once. */
function keepCounted(left: readonly Value[], right: readonly Value[], keep: boolean): Value[] {
  const available = counts(right);
  return left.filter((v) => {
    const k = valueKey(v);
    const n = available.get(k) ?? 0;
    if (n > 0) available.set(k, n - 1);
    return keep ? n > 0 : n === 0;
  });
}

function distinctValues(values: readonly Value[]): Value[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = valueKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const distinct = effect({
  key: 'distinct',
  name: 'Distinct',
  run: async (args) => {
    const v = args.distinct;
    if (v instanceof SetValue) return new SetValue({ type: 'distinct', set: v });
    return sameShape(v, distinctValues(elements(v, 'distinct')));
  },
});

const reverse = effect({
  key: 'reverse',
  name: 'Reverse',
  run: async (args) => {
    const v = args.reverse;
    if (isSetLike(v)) return new SetValue({ type: 'reverse', set: asSet(v, 'reverse') });
    return sameShape(v, [...elements(v, 'reverse')].reverse());
  },
});

function slicing(key: 'take' | 'drop', name: string): Spec {
  return effect({
    key,
    name,
    params: ['collection'],
    run: async (args: Args) => {
      const n = args[key];
      if (typeof n !== 'number' || !Number.isInteger(n)) throw typeError('Integer', n, [key]);
      const items = elements(args.collection, 'collection');
      const count = Math.max(0, n);
      return sameShape(args.collection, key === 'take' ? items.slice(0, count) : items.slice(count));
    },
  });
}

function joining(key: 'append' | 'prepend', name: string): Spec {
  return effect({
    key,
    name,
    params: ['collection'],
    run: async (args: Args) => {
      const extra = args[key];
      const coll = args.collection;
      if (!isArray(extra)) throw typeError('Array', extra, [key]);
      if (!isArray(coll)) throw typeError('Array', coll, ['collection']);
      return key === 'append' ? [...coll, ...extra] : [...extra, ...coll];
    },
  });
}

/** Range(set, from, to): the set's entries from one cursor to another, both inclusive. */
const range = effect({
  key: 'range',
  name: 'Range',
  params: ['from', 'to'],
  run: async (args) => new SetValue({ type: 'range', set: asSet(args.range, 'range'), from: args.from, to: args.to }),
});

/** Join(source, with): `with` is an index (matched on each value) or a lambda giving a set per value. */
const join = effect({
  key: 'join',
  name: 'Join',
  params: ['with'],
  run: async (args) => {
    const via = args.with;
    const isIndex = via instanceof Ref && via.collection?.id === 'indexes' && via.collection.isNative();
    if (!isIndex && !(via instanceof QueryValue))
      throw new FaunaError('invalid argument', `Index Ref or Lambda expected, ${typeName(via)} provided.`, ['with']);
    return new SetValue({ type: 'join', source: asSet(args.join, 'join'), with: via });
  },
});

/** Singleton(ref): a set of the document alone, while it exists. */
const singleton = effect({
  key: 'singleton',
  name: 'Singleton',
  run: async (args) => {
    const ref = args.singleton;
    if (!(ref instanceof Ref) || ref.isNative()) throw new FaunaError('invalid argument', `Ref expected, ${typeName(ref)} provided.`, ['singleton']);
    return new SetValue({ type: 'singleton', ref });
  },
});

export const collectionFunctions: readonly Spec[] = [
  range,
  join,
  singleton,
  iterate('map', 'Map'),
  iterate('filter', 'Filter'),
  iterate('foreach', 'Foreach'),
  reduce,
  match,
  paginate,
  count,
  sizeSpec('is_empty', 'IsEmpty', (n) => n === 0),
  sizeSpec('is_nonempty', 'IsNonEmpty', (n) => n > 0),
  setAlgebra('union', 'Union'),
  setAlgebra('intersection', 'Intersection'),
  setAlgebra('difference', 'Difference'),
  distinct,
  reverse,
  slicing('take', 'Take'),
  slicing('drop', 'Drop'),
  joining('append', 'Append'),
  joining('prepend', 'Prepend'),
];
