/**
 * Argument checks for eager functions. Each throws Fauna's `invalid argument` with the
 * parameter's key as its (relative) position, the way Fauna points at the bad argument.
 */

import { FaunaError } from '../errors.ts';
import type { Args } from './registry.ts';
import { FaunaDate, FaunaTime, Ref, isObject, typeName, type ObjectValue, type Value } from '../values.ts';

function wrong(key: string, expected: string, v: Value): FaunaError {
  return new FaunaError('invalid argument', `${expected} expected, ${typeName(v)} provided.`, [key]);
}

export function argString(args: Args, key: string): string {
  const v = args[key];
  if (typeof v !== 'string') throw wrong(key, 'String', v);
  return v;
}

export function argNumber(args: Args, key: string): number {
  const v = args[key];
  if (typeof v !== 'number') throw wrong(key, 'Number', v);
  return v;
}

export function argInteger(args: Args, key: string): number {
  const v = args[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrong(key, 'Integer', v);
  return v;
}

export function argBoolean(args: Args, key: string): boolean {
  const v = args[key];
  if (typeof v !== 'boolean') throw wrong(key, 'Boolean', v);
  return v;
}

export function argArray(args: Args, key: string): readonly Value[] {
  const v = args[key];
  if (!Array.isArray(v)) throw wrong(key, 'Array', v);
  return v;
}

export function argObject(args: Args, key: string): ObjectValue {
  const v = args[key];
  if (!isObject(v)) throw wrong(key, 'Object', v);
  return v;
}

export function argRef(args: Args, key: string): Ref {
  const v = args[key];
  if (!(v instanceof Ref)) throw wrong(key, 'Ref', v);
  return v;
}

export function argTime(args: Args, key: string): FaunaTime {
  const v = args[key];
  if (!(v instanceof FaunaTime)) throw wrong(key, 'Time', v);
  return v;
}

export function argDate(args: Args, key: string): FaunaDate {
  const v = args[key];
  if (!(v instanceof FaunaDate)) throw wrong(key, 'Date', v);
  return v;
}

/** Variadic wire arguments: the driver sends a single argument bare, several as an array. */
export function argList(args: Args, key: string): readonly Value[] {
  const v = args[key];
  return Array.isArray(v) ? v : [v];
}

export function optional(args: Args, key: string): Value | undefined {
  return Object.prototype.hasOwnProperty.call(args, key) ? args[key] : undefined;
}
