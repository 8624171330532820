/**
 * FQL v4 values as the evaluator sees them.
 *
 * Plain JSON shapes (null, boolean, number, string, arrays, plain objects) stand for
 * themselves. Everything Fauna tags on the wire (@ref, @ts, @date, @bytes, @query,
 * @set) is a class deriving from `Special`, so "is this a plain object?" is one
 * instanceof check and never a guess about keys.
 */

export abstract class Special {
  abstract readonly kind: 'ref' | 'time' | 'date' | 'bytes' | 'query' | 'set';
}

/** Names of the built-in collections a Ref may point into. */
export type NativeName =
  | 'collections'
  | 'indexes'
  | 'functions'
  | 'databases'
  | 'keys'
  | 'tokens'
  | 'credentials'
  | 'roles'
  | 'access_providers';

export const NATIVE_NAMES: readonly NativeName[] = [
  'collections',
  'indexes',
  'functions',
  'databases',
  'keys',
  'tokens',
  'credentials',
  'roles',
  'access_providers',
];

/**
 * A reference. A native collection is `Ref(name)` with no collection; a schema object is
 * `Ref(name, Ref('collections'))`; a document is `Ref(id, Ref(name, Ref('collections')))`.
 * `database` scopes the ref to a child database, relative to the caller's database.
 */
export class Ref extends Special {
  readonly kind = 'ref' as const;
  constructor(
    readonly id: string,
    readonly collection?: Ref,
    readonly database?: Ref,
  ) {
    super();
  }
  static native(name: NativeName, database?: Ref): Ref {
    return new Ref(name, undefined, database);
  }
  /** True for `Ref('collections')` style refs to a built-in collection. */
  isNative(): boolean {
    return this.collection === undefined;
  }
}

/** A point in time with nanosecond precision, as Fauna's @ts. */
export class FaunaTime extends Special {
  readonly kind = 'time' as const;
  constructor(readonly epochNanos: bigint) {
    super();
  }
  get epochMicros(): number {
    return Number(this.epochNanos / 1000n);
  }
  static fromMicros(micros: number): FaunaTime {
    return new FaunaTime(BigInt(micros) * 1000n);
  }
}

/** A calendar date, as Fauna's @date: days since 1970-01-01. */
export class FaunaDate extends Special {
  readonly kind = 'date' as const;
  constructor(readonly epochDays: number) {
    super();
  }
}

export class Bytes extends Special {
  readonly kind = 'bytes' as const;
  constructor(readonly data: Uint8Array) {
    super();
  }
}

/**
 * A Query value: a lambda expression, kept as wire JSON. Variables captured from an
 * enclosing Let when the query was built are already substituted in as literals, so a
 * QueryValue never depends on the environment it was made in.
 */
export class QueryValue extends Special {
  readonly kind = 'query' as const;
  constructor(readonly lambda: Json) {
    super();
  }
}

/** A set, described the way Fauna describes it on the wire (@set). */
export type SetSpec =
  | { readonly type: 'match'; readonly index: Ref; readonly terms: readonly Value[]; readonly rawTerms: Value }
  | { readonly type: 'documents'; readonly collection: Ref }
  | { readonly type: 'native'; readonly ref: Ref }
  | { readonly type: 'union' | 'intersection' | 'difference'; readonly sets: readonly SetValue[] }
  | { readonly type: 'distinct' | 'reverse'; readonly set: SetValue }
  /** The document, while it exists (Singleton, and what Paginate makes of a document ref). */
  | { readonly type: 'singleton'; readonly ref: Ref }
  /** The entries of `set` from the cursor `from` to the cursor `to`, both inclusive. */
  | { readonly type: 'range'; readonly set: SetValue; readonly from: Value; readonly to: Value }
  /** The union of the sets each value of `source` leads to: an index matched on it, or a lambda's set. */
  | { readonly type: 'join'; readonly source: SetValue; readonly with: Ref | QueryValue }
  /** The entries of `set` whose value the lambda answers true for, found page by page. */
  | { readonly type: 'filter'; readonly set: SetValue; readonly lambda: QueryValue }
  /** The history of a document (its events) or of a set (its adds and removes). */
  | { readonly type: 'events'; readonly of: Ref | SetValue };

export class SetValue extends Special {
  readonly kind = 'set' as const;
  constructor(readonly spec: SetSpec) {
    super();
  }
}

export type Value =
  | null
  | boolean
  | number
  | string
  | readonly Value[]
  | ObjectValue
  | Ref
  | FaunaTime
  | FaunaDate
  | Bytes
  | QueryValue
  | SetValue;

export interface ObjectValue {
  readonly [field: string]: Value;
}

/** JSON as it travels on the wire, before decoding. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

export function isObject(v: unknown): v is ObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Special);
}

/**
 * Array.isArray for the readonly arrays of Value and Json: it narrows to the array member of the
 * union, where Array.isArray narrows a readonly array to `any[]` and lets `any` in unseen.
 */
export function isArray<T>(v: T): v is Extract<T, readonly unknown[]> {
  return Array.isArray(v);
}

export function isInteger(v: Value): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Builds an object value without ever touching Object.prototype (`__proto__` is a valid field). */
export function makeObject(entries: Iterable<readonly [string, Value]>): ObjectValue {
  const out: Record<string, Value> = {};
  for (const [k, v] of entries) setOwnField(out, k, v);
  return out;
}

/**
 * Sets an own, enumerable field. Only `__proto__` needs defining: assigning it would set the
 * prototype, while assigning any other name makes an own field (Object.prototype's other
 * properties are all writable data properties). Defining every field is several times slower.
 */
export function setOwnField<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

export function refEquals(a: Ref | undefined, b: Ref | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.id === b.id && refEquals(a.collection, b.collection) && refEquals(a.database, b.database);
}

/** Structural equality, as Equals() sees it. */
export function valueEquals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (isArray(a) || isArray(b)) {
    if (!isArray(a) || !isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => valueEquals(x, b[i]));
  }
  if (a instanceof Special || b instanceof Special) return specialEquals(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && valueEquals(a[k], b[k]));
}

function specialEquals(a: Value, b: Value): boolean {
  if (a instanceof Ref && b instanceof Ref) return refEquals(a, b);
  if (a instanceof FaunaTime && b instanceof FaunaTime) return a.epochNanos === b.epochNanos;
  if (a instanceof FaunaDate && b instanceof FaunaDate) return a.epochDays === b.epochDays;
  if (a instanceof Bytes && b instanceof Bytes) {
    return a.data.length === b.data.length && a.data.every((x, i) => x === b.data[i]);
  }
  if (a instanceof QueryValue && b instanceof QueryValue) return JSON.stringify(a.lambda) === JSON.stringify(b.lambda);
  if (a instanceof SetValue && b instanceof SetValue) return setSpecKey(a) === setSpecKey(b);
  return false;
}

/** A stable string for a set, used to compare sets by what they describe. */
export function setSpecKey(s: SetValue): string {
  const spec = s.spec;
  switch (spec.type) {
    case 'match':
      return `match(${refKey(spec.index)},${JSON.stringify(spec.terms.map(valueKey))})`;
    case 'documents':
      return `documents(${refKey(spec.collection)})`;
    case 'native':
      return `native(${refKey(spec.ref)})`;
    case 'union':
    case 'intersection':
    case 'difference':
      return `${spec.type}(${spec.sets.map(setSpecKey).join(',')})`;
    case 'distinct':
    case 'reverse':
      return `${spec.type}(${setSpecKey(spec.set)})`;
    case 'singleton':
      return `singleton(${refKey(spec.ref)})`;
    case 'range':
      return `range(${setSpecKey(spec.set)},${valueKey(spec.from)},${valueKey(spec.to)})`;
    case 'join':
      return `join(${setSpecKey(spec.source)},${valueKey(spec.with)})`;
    case 'filter':
      return `filter(${setSpecKey(spec.set)},${valueKey(spec.lambda)})`;
    case 'events':
      return `events(${valueKey(spec.of)})`;
  }
}

export function refKey(r: Ref): string {
  const coll = r.collection ? refKey(r.collection) : '';
  const db = r.database ? `@${refKey(r.database)}` : '';
  return `${coll}/${r.id}${db}`;
}

/** A canonical string for any value: equal values give equal keys (used for Distinct, maps). */
export function valueKey(v: Value): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueKey).join(',')}]`;
  if (v instanceof Ref) return `ref:${refKey(v)}`;
  if (v instanceof FaunaTime) return `ts:${v.epochNanos}`;
  if (v instanceof FaunaDate) return `date:${v.epochDays}`;
  if (v instanceof Bytes) return `bytes:${Buffer.from(v.data).toString('base64')}`;
  if (v instanceof QueryValue) return `query:${JSON.stringify(v.lambda)}`;
  if (v instanceof SetValue) return `set:${setSpecKey(v)}`;
  const o = v as ObjectValue;
  return `{${
    Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${valueKey(o[k])}`)
      .join(',')
  }}`;
}

/** Fauna's name for a value's type, used in error descriptions. */
export function typeName(v: Value): string {
  if (v === null) return 'Null';
  if (typeof v === 'boolean') return 'Boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'Integer' : 'Double';
  if (typeof v === 'string') return 'String';
  if (Array.isArray(v)) return 'Array';
  if (v instanceof Ref) return 'Ref';
  if (v instanceof FaunaTime) return 'Time';
  if (v instanceof FaunaDate) return 'Date';
  if (v instanceof Bytes) return 'Bytes';
  if (v instanceof QueryValue) return 'Lambda';
  if (v instanceof SetValue) return 'Set';
  return 'Object';
}
