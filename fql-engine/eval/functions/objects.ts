/**
 * Paths into values (Select, Contains*), object building (Merge, ToObject, ToArray) and the
 * array aggregates. Sum, Mean, Any and All see arrays only; the spec table teaches them to
 * list sets and pages first.
 */

import { FaunaError, typeError, type Position } from '../../errors.ts';
import { Ref, isObject, makeObject, valueEquals, type ObjectValue, type Value, isArray } from '../../values.ts';
import { eager, type Args, type EagerSpec } from '../spec.ts';
import { booleanAt, invalid, numberAt, stringAt, type Item } from './common.ts';
import { compareValues } from '../../ordering.ts';

type Step = string | number;

function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/** A path is one field name or index, or an array of them. */
function pathOf(args: Args, key: string): readonly Step[] {
  const raw = args[key];
  const list: readonly Item[] = isArray(raw) ? raw.map((value, i) => ({ value, position: [key, i] })) : [{ value: raw, position: [key] }];
  return list.map(({ value, position }) => {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    throw typeError('Integer or String', value, position);
  });
}

/** A ref answers for its parts: `id`, `collection` and `database`. */
function refField(r: Ref, field: string): Value | undefined {
  if (field === 'id') return r.id;
  if (field === 'collection') return r.collection;
  if (field === 'database') return r.database;
  return undefined;
}

/** A page (`{data: [...], before?, after?}`): Fauna reads a number in a path into its data. */
function pageData(v: Value): readonly Value[] | undefined {
  return isObject(v) && Array.isArray(v.data) ? v.data : undefined;
}

function step(cur: Value, s: Step): Value | undefined {
  if (typeof s === 'number') {
    const list = Array.isArray(cur) ? cur : pageData(cur);
    return list !== undefined && s >= 0 && s < list.length ? list[s] : undefined;
  }
  if (cur instanceof Ref) return refField(cur, s);
  if (isObject(cur) && hasOwn(cur, s)) return cur[s];
  return undefined;
}

/** The value at `path`, or undefined when any step is missing. */
export function selectPath(root: Value, path: readonly Step[]): Value | undefined {
  let cur: Value | undefined = root;
  for (const s of path) {
    if (cur === undefined) return undefined;
    cur = step(cur, s);
  }
  return cur;
}

function notFound(path: readonly Step[], position: Position): FaunaError {
  return new FaunaError('value not found', `Value not found at path [${path.join(',')}].`, position);
}

/** A present `default` counts even when it is null: Select(path, from, null) answers null. */
const select = eager({
  key: 'select',
  name: 'Select',
  params: ['from'],
  optional: ['default'],
  run: (args) => {
    const path = pathOf(args, 'select');
    const found = selectPath(args.from, path);
    if (found !== undefined) return found;
    if (hasOwn(args, 'default')) return args.default;
    throw notFound(path, ['from']);
  },
});

/** Like Select, but a field name applied to an array is applied to each element, collecting every hit. */
function selectAllFrom(cur: Value, path: readonly Step[]): Value[] {
  if (path.length === 0) return [cur];
  const [s, ...rest] = path;
  if (typeof s === 'string' && isArray(cur)) return cur.flatMap((e) => selectAllFrom(e, path));
  const next = step(cur, s);
  return next === undefined ? [] : selectAllFrom(next, rest);
}

const selectAll = eager({
  key: 'select_all',
  name: 'SelectAll',
  params: ['from'],
  run: (args) => selectAllFrom(args.from, pathOf(args, 'select_all')),
});

function containsPath(key: string, name: string): EagerSpec {
  return eager({ key, name, params: ['in'], run: (args) => selectPath(args.in, pathOf(args, key)) !== undefined });
}

const containsField = eager({
  key: 'contains_field',
  name: 'ContainsField',
  params: ['in'],
  run: (args) => {
    const field = stringAt({ value: args.contains_field, position: ['contains_field'] });
    const target = args.in;
    if (!isObject(target)) throw typeError('Object', target, ['in']);
    return hasOwn(target, field);
  },
});

/**
 * The values ContainsValue looks among, as Fauna's ContainsValueFunction: an array's elements,
 * an object's (a page's, a document's) field values, and for a document also its collection's
 * ref; a ref's id, its collection and its database.
 */
function containedValues(target: Value): readonly (Value | undefined)[] | undefined {
  if (Array.isArray(target)) return target;
  if (target instanceof Ref) return [target.id, target.collection, target.database];
  if (!isObject(target)) return undefined;
  const ref = target.ref;
  const isDocument = ref instanceof Ref && !ref.isNative() && typeof target.ts === 'number';
  return isDocument ? [...Object.values(target), ref.collection] : Object.values(target);
}

const containsValue = eager({
  key: 'contains_value',
  name: 'ContainsValue',
  params: ['in'],
  run: (args) => {
    const needle = args.contains_value;
    const among = containedValues(args.in);
    if (among === undefined) throw typeError('Object, Array, Page, Set or Ref', args.in, ['in']);
    return among.some((v) => v !== undefined && valueEquals(v, needle));
  },
});

function objectsOf(v: Value, key: string): readonly ObjectValue[] {
  if (isObject(v)) return [v];
  if (!isArray(v)) throw typeError('Object or Array', v, [key]);
  return v.map((o, i) => {
    if (!isObject(o)) throw typeError('Object', o, [key, i]);
    return o;
  });
}

/**
 * Shallow merge: each field of `with` replaces the same field of `merge`, and a null value
 * removes it. With a lambda, (key, left, right) decides every field of `with` (left is null
 * when `merge` lacks the field); a null answer removes the field.
 */
const merge = eager({
  key: 'merge',
  name: 'Merge',
  params: ['with'],
  optional: ['lambda'],
  run: async (args, ctx) => {
    if (!isObject(args.merge)) throw typeError('Object', args.merge, ['merge']);
    const out = new Map(Object.entries(args.merge));
    const lambda = hasOwn(args, 'lambda') ? args.lambda : undefined;
    for (const source of objectsOf(args.with, 'with')) {
      for (const [k, right] of Object.entries(source)) {
        const v = lambda === undefined ? right : await ctx.apply(lambda, [k, out.get(k) ?? null, right]);
        if (v === null) out.delete(k);
        else out.set(k, v);
      }
    }
    return makeObject(out);
  },
});

/** [[key, value], ...] to an object; a repeated key keeps its last value. */
const toObject = eager({
  key: 'to_object',
  name: 'ToObject',
  run: (args) => {
    const pairs = args.to_object;
    if (!isArray(pairs)) throw typeError('Array', pairs, ['to_object']);
    const out = new Map<string, Value>();
    pairs.forEach((pair, i) => {
      if (!isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
        throw invalid('Each element must be a [String, value] pair.', ['to_object', i]);
      }
      out.set(pair[0], pair[1]);
    });
    return makeObject(out);
  },
});

const toArray = eager({
  key: 'to_array',
  name: 'ToArray',
  run: (args) => {
    if (!isObject(args.to_array)) throw typeError('Object', args.to_array, ['to_array']);
    return Object.entries(args.to_array).map(([k, v]) => [k, v]);
  },
});

function arrayItems(args: Args, key: string): readonly Item[] {
  const v = args[key];
  if (!isArray(v)) throw typeError('Array', v, [key]);
  return v.map((value, i) => ({ value, position: [key, i] }));
}

/** Sum of integers is an integer; any double makes it a double. Empty sums to 0. */
const sum = eager({ key: 'sum', name: 'Sum', run: (args) => arrayItems(args, 'sum').reduce((acc, i) => acc + numberAt(i), 0) });

/** An empty mean is refused, in Fauna's words. */
const mean = eager({
  key: 'mean',
  name: 'Mean',
  run: (args) => {
    const list = arrayItems(args, 'mean');
    if (list.length === 0) throw invalid('Non-empty array expected.', ['mean']);
    return list.reduce((acc, i) => acc + numberAt(i), 0) / list.length;
  },
});

/**
 * Min and Max compare any values, in the order of index entries (Fauna's server folded them
 * with its index-term ordering), and read sets and pages too (table.ts); a single array or page
 * given as the one element is what is compared.
 */
function extreme(key: 'min' | 'max', name: string, keeps: (cmp: number) => boolean): EagerSpec {
  return eager({
    key,
    name,
    run: (args) => {
      const given = args[key];
      const outer = Array.isArray(given) ? given : [given];
      const list = outer.length === 1 && Array.isArray(outer[0]) ? outer[0] : outer;
      if (list.length === 0) throw invalid('Non-empty array expected.', [key]);
      return list.reduce((acc, v) => (keeps(compareValues(acc, v)) ? acc : v));
    },
  });
}

const any = eager({ key: 'any', name: 'Any', run: (args) => arrayItems(args, 'any').map(booleanAt).some(Boolean) });
const all = eager({ key: 'all', name: 'All', run: (args) => arrayItems(args, 'all').map(booleanAt).every(Boolean) });

export const objectFunctions: readonly EagerSpec[] = [
  select,
  selectAll,
  containsPath('contains_path', 'ContainsPath'),
  containsPath('contains', 'Contains'),
  containsField,
  containsValue,
  merge,
  toObject,
  toArray,
  sum,
  mean,
  extreme('min', 'Min', (cmp) => cmp < 0),
  extreme('max', 'Max', (cmp) => cmp > 0),
  any,
  all,
];
