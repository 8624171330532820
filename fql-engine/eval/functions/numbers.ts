/**
 * Arithmetic. JSON cannot tell 1 from 1.0, so a number is an Integer exactly when
 * Number.isInteger(n). Where Fauna's answer depends on Integer vs Double this shows:
 * - Divide and Modulo of integers are integer operations (Divide(7, 2) = 3); once any
 *   argument has a fraction the whole chain is double arithmetic. A double that happens to
 *   be whole (2.0 sent by a client) therefore divides as an integer here.
 * - Ceil, Floor, Round and Trunc return doubles in Fauna (Ceil(1.2) = 2.0); here 2.
 * Integers are 64-bit in Fauna; bitwise functions compute in 64 bits, other arithmetic in
 * doubles (exact up to 2^53, which is as far as JSON numbers go in the driver anyway).
 */

import { FaunaError } from '../../errors.ts';
import { eager, type Args, type EagerSpec } from '../spec.ts';
import { finite, given, integerAt, invalid, nonEmptyItems, numberAt, unary, type Item } from './common.ts';
import type { Value } from '../../values.ts';

function divisionByZero(position: Item['position']): FaunaError {
  return new FaunaError('invalid argument', 'Illegal division by zero.', position);
}

/** Folds a variadic list of numbers left to right: Subtract(10, 2, 3) is (10 - 2) - 3; one argument is itself. */
function fold(key: string, name: string, op: (a: number, b: number, at: Item, integers: boolean) => number): EagerSpec {
  return eager({
    key,
    name,
    run: (args) => {
      const list = nonEmptyItems(args, key, name);
      const numbers = list.map(numberAt);
      // Integer arithmetic only when every operand is an Integer: 7.5 / 2.5 / 2 stays double.
      const integers = numbers.every(Number.isInteger);
      let acc = numbers[0];
      for (let i = 1; i < numbers.length; i++) acc = op(acc, numbers[i], list[i], integers);
      return finite(acc, [key]);
    },
  });
}

function divide(a: number, b: number, at: Item, integers: boolean): number {
  if (b === 0) throw divisionByZero(at.position);
  return integers ? Math.trunc(a / b) : a / b;
}

function modulo(a: number, b: number, at: Item): number {
  if (b === 0) throw divisionByZero(at.position);
  // JS `%` keeps the dividend's sign, as Java's does, for integers and doubles alike.
  return a % b;
}

/** Bitwise functions work on 64-bit integers, as Fauna's Longs. */
function bitwise(key: string, name: string, op: (a: bigint, b: bigint) => bigint): EagerSpec {
  return eager({
    key,
    name,
    run: (args) => {
      const list = nonEmptyItems(args, key, name);
      const ints = list.map((item) => BigInt(integerAt(item)));
      return Number(BigInt.asIntN(64, ints.reduce(op)));
    },
  });
}

function numeric(key: string, name: string, fn: (n: number) => number): EagerSpec {
  return unary(key, name, (v, k) => {
    const n = numberAt({ value: v, position: [k] });
    return finite(fn(n), [k]);
  });
}

/** Shifts the decimal point by `p` places through the number's text, so 155.678 * 10^2 has no binary error. */
function shiftDecimal(x: number, p: number): number {
  const [mantissa, exponent] = x.toExponential().split('e');
  return Number(`${mantissa}e${Number(exponent) + p}`);
}

/** Fauna rounds half away from zero at `precision` decimal places; a negative precision rounds left of the point. */
export function roundTo(x: number, precision: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const scaled = Math.round(shiftDecimal(Math.abs(x), precision));
  return Math.sign(x) * shiftDecimal(scaled, -precision);
}

export function truncTo(x: number, precision: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return shiftDecimal(Math.trunc(shiftDecimal(x, precision)), -precision);
}

function withPrecision(key: string, name: string, fn: (x: number, precision: number) => number): EagerSpec {
  return eager({
    key,
    name,
    optional: ['precision'],
    run: (args) => {
      const x = numberAt({ value: args[key], position: [key] });
      const p = given(args, 'precision');
      const precision = p === undefined ? 2 : integerAt({ value: p, position: ['precision'] });
      if (Math.abs(precision) > 300) throw invalid('Precision out of range.', ['precision']);
      return finite(fn(x, precision), [key]);
    },
  });
}

function secondOperand(args: Args, key: string, fallback: number): number {
  const v = given(args, key);
  return v === undefined ? fallback : numberAt({ value: v, position: [key] });
}

const pow = eager({
  key: 'pow',
  name: 'Pow',
  optional: ['exp'],
  run: (args) => {
    const base = numberAt({ value: args.pow, position: ['pow'] });
    return finite(Math.pow(base, secondOperand(args, 'exp', 2)), ['pow']);
  },
});

/** Hypot(a) without `b` uses `a` for both sides: an assumption, Fauna's docs we hold do not say. */
const hypot = eager({
  key: 'hypot',
  name: 'Hypot',
  optional: ['b'],
  run: (args) => {
    const a = numberAt({ value: args.hypot, position: ['hypot'] });
    return finite(Math.hypot(a, secondOperand(args, 'b', a)), ['hypot']);
  },
});

function sqrt(n: number): number {
  if (n < 0) throw invalid('Square root of a negative number.', ['sqrt']);
  return Math.sqrt(n);
}

function abs(v: Value, key: string): Value {
  return Math.abs(numberAt({ value: v, position: [key] }));
}

export const numberFunctions: readonly EagerSpec[] = [
  fold('add', 'Add', (a, b) => a + b),
  fold('subtract', 'Subtract', (a, b) => a - b),
  fold('multiply', 'Multiply', (a, b) => a * b),
  fold('divide', 'Divide', divide),
  fold('modulo', 'Modulo', modulo),
  bitwise('bitand', 'BitAnd', (a, b) => a & b),
  bitwise('bitor', 'BitOr', (a, b) => a | b),
  bitwise('bitxor', 'BitXor', (a, b) => a ^ b),
  unary('bitnot', 'BitNot', (v, k) => Number(BigInt.asIntN(64, ~BigInt(integerAt({ value: v, position: [k] }))))),
  unary('abs', 'Abs', abs),
  numeric('ceil', 'Ceil', Math.ceil),
  numeric('floor', 'Floor', Math.floor),
  numeric('sign', 'Sign', (n) => Math.sign(n) || 0),
  numeric('sqrt', 'Sqrt', sqrt),
  numeric('exp', 'Exp', Math.exp),
  numeric('ln', 'Ln', Math.log),
  numeric('log', 'Log', Math.log10),
  numeric('acos', 'Acos', Math.acos),
  numeric('asin', 'Asin', Math.asin),
  numeric('atan', 'Atan', Math.atan),
  numeric('cos', 'Cos', Math.cos),
  numeric('cosh', 'Cosh', Math.cosh),
  numeric('sin', 'Sin', Math.sin),
  numeric('sinh', 'Sinh', Math.sinh),
  numeric('tan', 'Tan', Math.tan),
  numeric('tanh', 'Tanh', Math.tanh),
  numeric('degrees', 'Degrees', (n) => (n * 180) / Math.PI),
  numeric('radians', 'Radians', (n) => (n * Math.PI) / 180),
  withPrecision('round', 'Round', roundTo),
  withPrecision('trunc', 'Trunc', truncTo),
  pow,
  hypot,
];
