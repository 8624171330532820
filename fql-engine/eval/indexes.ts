/**
 * Index definitions and the entries a document contributes to an index.
 *
 * Meaning stays here, in TypeScript: which fields a document contributes, how arrays fan
 * out into several entries, what a unique key is. Storage gets only bytes: the terms key
 * (compared for equality) and the sort key (values, then the ref: compared bytewise).
 */

import { FaunaError } from '../errors.ts';
import { encodeKey } from '../ordering.ts';
import type { EntryInput } from '../storage/types.ts';
import { encodeValue } from '../wire.ts';
import { Ref, isArray, isObject, type Json, type ObjectValue, type Value } from '../values.ts';
import { metaString, type SchemaRecord } from './schema-cache.ts';

export type FieldPath = readonly (string | number)[];

export interface ValueField {
  readonly path: FieldPath;
  readonly reverse: boolean;
}

export interface IndexDef {
  readonly name: string;
  /** Internal id: entries are stored under it, so renaming an index moves nothing. */
  readonly iid: string;
  /** Internal keys of the source collections. */
  readonly sources: readonly string[];
  readonly terms: readonly FieldPath[];
  readonly values: readonly ValueField[];
  readonly unique: boolean;
}

/** `values` holds the entry's value tuple only; the ref is rebuilt from the entry's document. */
export interface ComputedEntry extends EntryInput {
  /** The bytes a unique index claims for this entry (terms, then values when it has any). */
  readonly uniqueKey: Uint8Array;
}

export function indexDefOf(record: SchemaRecord): IndexDef {
  const meta = record.meta;
  return {
    name: record.id,
    iid: metaString(meta, 'iid'),
    sources: (meta.sources as readonly Json[]).map(String),
    terms: meta.terms as readonly FieldPath[],
    values: meta.values as unknown as readonly ValueField[],
    unique: meta.unique === true,
  };
}

/** Parses CreateIndex's `terms`: a list of `{field: path}`. */
export function parseTerms(v: Value | undefined): FieldPath[] {
  if (v === undefined || v === null) return [];
  return listOf(v, 'terms').map((t, i) => parseField(t, ['terms', i]).path);
}

/** Parses CreateIndex's `values`: a list of `{field: path, reverse?: boolean}`. */
export function parseValues(v: Value | undefined): ValueField[] {
  if (v === undefined || v === null) return [];
  return listOf(v, 'values').map((t, i) => parseField(t, ['values', i]));
}

function listOf(v: Value, key: string): readonly Value[] {
  if (isArray(v)) return v;
  if (isObject(v)) return [v];
  throw new FaunaError('validation failed', `${key} must be an array of objects.`, [key]);
}

function parseField(v: Value, pos: readonly (string | number)[]): ValueField {
  if (!isObject(v)) throw new FaunaError('validation failed', 'Index field definitions must be objects.', pos);
  if ('binding' in v) {
    throw new FaunaError('invalid argument', 'Index bindings are not supported by this engine.', [...pos, 'binding']);
  }
  const field = v.field;
  const path = typeof field === 'string' ? [field] : field;
  const validPath = Array.isArray(path) && path.length > 0 && path.every((p) => typeof p === 'string' || Number.isInteger(p));
  if (!validPath) throw new FaunaError('validation failed', 'An index field needs a `field` path.', [...pos, 'field']);
  const reverse = v.reverse ?? false;
  if (typeof reverse !== 'boolean') throw new FaunaError('validation failed', '`reverse` must be a boolean.', [...pos, 'reverse']);
  return { path: path as FieldPath, reverse };
}

/** What a document instance ({ref, ts, data, ...}) contributes to an index. */
export function entriesFor(def: IndexDef, instance: ObjectValue, ref: Ref): ComputedEntry[] {
  const termChoices = def.terms.map((p) => fanOut(selectPath(instance, p)));
  if (def.terms.length > 0 && termChoices.every((c) => c.length === 1 && c[0] === null)) return [];
  const valueChoices = def.values.map((f) => fanOut(selectPath(instance, f.path)));
  const reverse = [...def.values.map((f) => f.reverse), false];
  const seen = new Set<string>();
  const out: ComputedEntry[] = [];
  for (const terms of product(termChoices)) {
    const termsKey = encodeKey(terms);
    const termsHex = Buffer.from(termsKey).toString('hex');
    for (const values of product(valueChoices)) {
      const sortKey = encodeKey([...values, ref], reverse);
      const id = `${termsHex}:${Buffer.from(sortKey).toString('hex')}`;
      if (seen.has(id)) continue;
      seen.add(id);
      out.push({
        terms: termsKey,
        sortKey,
        values: encodeValue(values),
        uniqueKey: encodeKey(def.values.length === 0 ? terms : [...terms, ...values]),
      });
    }
  }
  return out;
}

/** The value at a path, or null when any step is missing (indexes never fail on shape). */
export function selectPath(root: Value, path: FieldPath): Value {
  let cur: Value = root;
  for (const step of path) {
    if (typeof step === 'number' && isArray(cur)) cur = step < cur.length ? cur[step] : null;
    else if (typeof step === 'string' && isObject(cur) && Object.prototype.hasOwnProperty.call(cur, step)) cur = cur[step];
    else return null;
  }
  return cur;
}

/** An array field contributes one entry per element; an empty array contributes none. */
function fanOut(v: Value): readonly Value[] {
  return isArray(v) ? v : [v];
}

function* product(choices: readonly (readonly Value[])[]): Generator<Value[]> {
  if (choices.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = choices;
  for (const head of first) {
    for (const tail of product(rest)) yield [head, ...tail];
  }
}

/** The value Paginate returns for an entry, and its cursor (values, then the ref). */
export function entryValueShape(def: IndexDef, values: readonly Value[], ref: Ref): { value: Value; cursor: Value[] } {
  if (def.values.length === 0) return { value: ref, cursor: [ref] };
  return { value: values.length === 1 ? values[0] : values, cursor: [...values, ref] };
}

export function reverseFlags(def: IndexDef): boolean[] {
  return [...def.values.map((f) => f.reverse), false];
}
