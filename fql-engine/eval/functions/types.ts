/**
 * Type tests. They never fail: any value gets a yes or a no.
 * IsDouble(2.0) is false here, since JSON cannot tell 2.0 from 2 (see numbers.ts).
 * The schema tests (IsCollection, IsIndex...) look at a ref's shape, or at the `ref` field
 * of a document someone already read; they do not check that the thing exists.
 */

import { Bytes, FaunaDate, FaunaTime, QueryValue, Ref, SetValue, isObject, type NativeName, type Value } from '../../values.ts';
import type { EagerSpec } from '../spec.ts';
import { unary } from './common.ts';

function test(key: string, name: string, ok: (v: Value) => boolean): EagerSpec {
  return unary(key, name, (v) => ok(v));
}

/** The ref a value stands for: itself, or a read document's `ref` field. */
function refOf(v: Value): Ref | undefined {
  if (v instanceof Ref) return v;
  if (isObject(v) && v.ref instanceof Ref) return v.ref;
  return undefined;
}

/** A ref into the native collection `native` (Collection("users") is Ref("users", Ref("collections"))). */
function inNative(native: NativeName): (v: Value) => boolean {
  return (v) => {
    const r = refOf(v);
    return r?.collection !== undefined && r.collection.isNative() && r.collection.id === native;
  };
}

/** A native ref such as Collections() is a set you can paginate, as well as a ref. */
function isSet(v: Value): boolean {
  return v instanceof SetValue || (v instanceof Ref && v.isNative());
}

export const typeFunctions: readonly EagerSpec[] = [
  test('is_null', 'IsNull', (v) => v === null),
  test('is_string', 'IsString', (v) => typeof v === 'string'),
  test('is_number', 'IsNumber', (v) => typeof v === 'number'),
  test('is_integer', 'IsInteger', (v) => typeof v === 'number' && Number.isInteger(v)),
  test('is_double', 'IsDouble', (v) => typeof v === 'number' && !Number.isInteger(v)),
  test('is_boolean', 'IsBoolean', (v) => typeof v === 'boolean'),
  test('is_array', 'IsArray', (v) => Array.isArray(v)),
  test('is_object', 'IsObject', (v) => isObject(v)),
  test('is_ref', 'IsRef', (v) => v instanceof Ref),
  test('is_timestamp', 'IsTimestamp', (v) => v instanceof FaunaTime),
  test('is_date', 'IsDate', (v) => v instanceof FaunaDate),
  test('is_bytes', 'IsBytes', (v) => v instanceof Bytes),
  test('is_set', 'IsSet', isSet),
  test('is_lambda', 'IsLambda', (v) => v instanceof QueryValue),
  test('is_doc', 'IsDoc', (v) => refOf(v)?.collection !== undefined),
  test('is_collection', 'IsCollection', inNative('collections')),
  test('is_database', 'IsDatabase', inNative('databases')),
  test('is_index', 'IsIndex', inNative('indexes')),
  test('is_function', 'IsFunction', inNative('functions')),
  test('is_key', 'IsKey', inNative('keys')),
  test('is_token', 'IsToken', inNative('tokens')),
  test('is_credentials', 'IsCredentials', inNative('credentials')),
  test('is_role', 'IsRole', inNative('roles')),
];
