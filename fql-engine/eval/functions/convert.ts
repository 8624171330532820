/**
 * Conversions between strings and numbers, and ToString of scalars.
 * Integer vs Double shows here (see numbers.ts): ToString(ToDouble(10)) is "10.0" in Fauna
 * but "10" here, because a whole number is an Integer once it has been through JSON.
 */

import { typeError } from '../../errors.ts';
import { FaunaDate, FaunaTime, typeName, type Value } from '../../values.ts';
import { formatDate, formatTime } from '../../wire.ts';
import type { EagerSpec } from '../spec.ts';
import { invalid, unary } from './common.ts';

/** Java's Double.toString: plain between 10^-3 and 10^7, else "d.dddE±n"; always a fraction digit. */
export function javaDoubleString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const plain = String(x);
    return plain.includes('.') ? plain : `${plain}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.replace('+', '')}`;
}

/** Whole numbers print as integers, without JS's exponent form for large ones (1e21). */
function numberString(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  return javaDoubleString(n);
}

/** The text of a scalar, as ToString gives it; undefined for arrays, objects, refs and the like. */
export function scalarText(v: Value): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return numberString(v);
  if (v instanceof FaunaTime) return formatTime(v);
  if (v instanceof FaunaDate) return formatDate(v);
  return undefined;
}

function toString(v: Value, key: string): Value {
  const text = scalarText(v);
  if (text === undefined) throw invalid(`Cannot cast ${typeName(v)} to String.`, [key]);
  return text;
}

/**
 * What Java's NumberFormat (en_US), which Fauna's ToNumber, ToInteger and ToDouble used,
 * reads at the start of the trimmed text: an optional minus, digits with `,` grouping, a
 * fraction, an `E` exponent. It reads the longest such prefix ("42abc" is 42, "1,234.5" is
 * 1234.5) and refuses text that does not start with one ("+5", "abc").
 */
const JAVA_NUMBER_PREFIX = /^-?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:E[+-]?\d+)?/;

function parseNumber(text: string, key: string): number {
  const match = JAVA_NUMBER_PREFIX.exec(text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, ''));
  const n = match === null ? NaN : Number(match[0].replace(/,/g, ''));
  if (!Number.isFinite(n)) throw invalid(`Cannot cast String to Number.`, [key]);
  return n;
}

function numeric(v: Value, key: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseNumber(v, key);
  throw typeError('Number or String', v, [key]);
}

/** ToInteger truncates a fraction toward zero, as a Java cast of a double to a long does. */
function toInteger(v: Value, key: string): Value {
  return Math.trunc(numeric(v, key)) || 0;
}

export const convertFunctions: readonly EagerSpec[] = [
  unary('to_string', 'ToString', toString),
  unary('to_number', 'ToNumber', numeric),
  unary('to_double', 'ToDouble', numeric),
  unary('to_integer', 'ToInteger', toInteger),
];
