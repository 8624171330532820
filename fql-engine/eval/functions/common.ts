/**
 * Small building blocks shared by the pure function specs: arguments read with the type
 * error that points at a bad one, and the shapes most functions share (one argument, a variadic list).
 */

import { FaunaError, typeError, type Position } from '../../errors.ts';
import { isArray, type Value } from '../../values.ts';
import { eager, type Args, type EagerSpec } from '../spec.ts';

export function invalid(description: string, position: Position): FaunaError {
  return new FaunaError('invalid argument', description, position);
}

/** One element of a variadic argument, with where Fauna would point if it is wrong. */
export interface Item {
  readonly value: Value;
  readonly position: Position;
}

/**
 * A variadic argument. The driver sends one argument bare and several as an array, so a
 * bad element is at `[key, i]` in an array and at `[key]` when it came alone.
 */
export function items(args: Args, key: string): readonly Item[] {
  const v = args[key];
  if (!isArray(v)) return [{ value: v, position: [key] }];
  return v.map((value, i) => ({ value, position: [key, i] }));
}

export function nonEmptyItems(args: Args, key: string, name: string): readonly Item[] {
  const list = items(args, key);
  if (list.length === 0) throw invalid(`${name} requires at least one argument.`, [key]);
  return list;
}

export function numberAt(item: Item): number {
  if (typeof item.value !== 'number') throw typeError('Number', item.value, item.position);
  return item.value;
}

export function integerAt(item: Item): number {
  if (typeof item.value !== 'number' || !Number.isInteger(item.value)) throw typeError('Integer', item.value, item.position);
  return item.value;
}

export function stringAt(item: Item): string {
  if (typeof item.value !== 'string') throw typeError('String', item.value, item.position);
  return item.value;
}

export function booleanAt(item: Item): boolean {
  if (typeof item.value !== 'boolean') throw typeError('Boolean', item.value, item.position);
  return item.value;
}

/** A function of one argument, which travels under the function's own key. */
export function unary(key: string, name: string, fn: (v: Value, key: string) => Value): EagerSpec {
  return eager({ key, name, run: (args) => fn(args[key], key) });
}

/** An optional argument: undefined when absent. The driver leaves out null optionals, so null counts as absent too. */
export function given(args: Args, key: string): Value | undefined {
  const v = Object.prototype.hasOwnProperty.call(args, key) ? args[key] : undefined;
  return v === null ? undefined : v;
}

/** A result that JSON cannot carry (NaN, ±Infinity) is refused rather than sent as null. */
export function finite(n: number, position: Position): number {
  if (!Number.isFinite(n)) throw invalid('Arithmetic result is not a finite number.', position);
  return n;
}
