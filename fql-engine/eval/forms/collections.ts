/**
 * Functions over collections of values: arrays, pages (`{data: [...], before?, after?}`) and
 * sets. Sets are lazy descriptions (Match, Union...) until Paginate or a reader lists them.
 */

import { FaunaError } from '../../errors.ts';
import { Ref, SetValue, isArray, isObject, makeObject, typeName, valueKey, type ObjectValue, type Value } from '../../values.ts';
import type { QueryContext } from '../context.ts';
import type { Frame, Spec } from '../evaluate.ts';
import type { Args, LazySpec, RawArgs } from '../registry.ts';
import { materialize, pageOf } from '../sets.ts';
import { effect } from './effect.ts';

type Page = ObjectValue & { readonly data: readonly Value[] };

function isPage(v: Value): v is Page {
  return isObject(v) && Array.isArray(v.data);
}

/** The elements of an array or a page; anything else is refused (a set must be paginated first). */
function elements(v: Value, key: string): readonly Value[] {
  if (isArray(v)) return v;
  if (isPage(v)) return v.data;
  throw new FaunaError('invalid argument', `Array or Page expected, ${typeName(v)} provided.`, [key]);
}

/** Rebuilds the same shape: an array stays an array, a page keeps its cursors. */
function sameShape(original: Value, data: readonly Value[]): Value {
  if (Array.isArray(original)) return data;
  return makeObject([...Object.entries(original as ObjectValue).filter(([k]) => k !== 'data'), ['data', data]]);
}

export function asSet(v: Value, key: string): SetValue {
  if (v instanceof SetValue) return v;
  if (v instanceof Ref && v.isNative()) return new SetValue({ type: 'native', ref: v });
  throw new FaunaError('invalid argument', `Set expected, ${typeName(v)} provided.`, [key]);
}

function lazy(spec: Omit<LazySpec<Frame>, 'kind'>): Spec {
  return { kind: 'lazy', ...spec };
}

/** Map, Filter and Foreach: the lambda is applied element by element, in order. */
function iterate(key: 'map' | 'filter' | 'foreach', name: string): Spec {
  return lazy({
    key,
    name,
    params: ['collection'],
    run: async (raw: RawArgs, f: Frame) => {
      const coll = await f.eval(raw.collection, 'collection');
      const items = elements(coll, 'collection');
      const out: Value[] = [];
      for (const item of items) {
        const result = await f.apply(raw[key], item, key);
        if (key === 'map') out.push(result);
        if (key === 'filter') {
          if (typeof result !== 'boolean') throw new FaunaError('invalid argument', `Boolean expected, ${typeName(result)} provided.`, [key]);
          if (result) out.push(item);
        }
      }
      return key === 'foreach' ? coll : sameShape(coll, out);
    },
  });
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
  run: async (args) => {
    const index = typeof args.match === 'string' ? new Ref(args.match, Ref.native('indexes')) : args.match;
    if (!(index instanceof Ref) || index.collection?.id !== 'indexes') {
      throw new FaunaError('invalid argument', `Index Ref expected, ${typeName(args.match)} provided.`, ['match']);
    }
    const rawTerms = args.terms ?? [];
    const terms = Array.isArray(rawTerms) ? rawTerms : [rawTerms];
    return new SetValue({ type: 'match', index, terms, rawTerms });
  },
});

const MAX_PAGE = 100_000;

function cursorArg(v: Value | undefined): readonly Value[] | undefined {
  if (v === undefined || v === null) return undefined;
  return isArray(v) ? v : [v];
}

const paginate = effect({
  key: 'paginate',
  name: 'Paginate',
  optional: ['size', 'after', 'before', 'ts', 'events', 'sources', 'cursor'],
  run: async (args, f) => {
    for (const unsupported of ['ts', 'events', 'sources'] as const) {
      if (unsupported in args && args[unsupported] !== false && args[unsupported] !== null) {
        throw new FaunaError('invalid argument', `Paginate's ${unsupported} option is not supported by this engine.`, [unsupported]);
      }
    }
    const size = args.size ?? 64;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE) {
      throw new FaunaError('invalid argument', `Page size must be an integer from 1 to ${MAX_PAGE}.`, ['size']);
    }
    const cursor = isObject(args.cursor) ? args.cursor : {};
    return pageOf(f.ctx, asSet(args.paginate, 'paginate'), {
      size,
      after: cursorArg(args.after ?? cursor.after),
      before: cursorArg(args.before ?? cursor.before),
    });
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

function arrayAlgebra(key: 'union' | 'intersection' | 'difference', parts: readonly (readonly Value[])[]): Value[] {
  const [first, ...rest] = parts;
  const restKeys = rest.map((p) => new Set(p.map(valueKey)));
  if (key === 'union') return distinctValues(parts.flat());
  if (key === 'intersection') return distinctValues(first.filter((v) => restKeys.every((s) => s.has(valueKey(v)))));
  return distinctValues(first.filter((v) => !restKeys.some((s) => s.has(valueKey(v)))));
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
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new FaunaError('invalid argument', `Integer expected, ${typeName(n)} provided.`, [key]);
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
      if (!isArray(extra)) throw new FaunaError('invalid argument', `Array expected, ${typeName(extra)} provided.`, [key]);
      if (!isArray(coll)) throw new FaunaError('invalid argument', `Array expected, ${typeName(coll)} provided.`, ['collection']);
      return key === 'append' ? [...coll, ...extra] : [...extra, ...coll];
    },
  });
}

export const collectionFunctions: readonly Spec[] = [
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
