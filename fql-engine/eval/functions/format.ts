/**
 * Format(string, values...): Fauna handed each specifier to Java's Formatter. This covers
 * `%[index$][flags][width][.precision]conversion` with conversions s S d f e E x X o b B n %,
 * `%@` and `%^` (the value as the wire shows it, as Fauna's server rendered it), and `%t`/`%T`
 * with a date or time suffix (format-time.ts). Anything else (`%c` too, as Fauna's server refused
 * it) is refused as an invalid argument rather than guessed at.
 */

import { FaunaError } from '../../errors.ts';
import { typeName } from '../../values.ts';
import { encodeValue } from '../../wire.ts';
import { eager } from '../spec.ts';
import { invalid, items, stringAt, type Item } from './common.ts';
import { scalarText } from './convert.ts';
import { roundTo } from './numbers.ts';
import { formatDateTime } from './format-time.ts';

const SPEC = /%(?:(\d+)\$)?([-#+ 0,(]*)(\d+)?(?:\.(\d+))?([tT](?=[a-zA-Z]))?([a-zA-Z%@^])/g;

interface Spec {
  readonly flags: string;
  readonly width?: number;
  readonly precision?: number;
  readonly conversion: string;
  /** `t` or `T` when the conversion is a date/time suffix. */
  readonly dateTime?: string;
}

function pad(text: string, spec: Spec): string {
  if (spec.width === undefined || text.length >= spec.width) return text;
  if (spec.flags.includes('-')) return text.padEnd(spec.width);
  if (spec.flags.includes('0') && /^[-+ ]?[0-9]/.test(text)) {
    const sign = /^[-+ ]/.test(text) ? text[0] : '';
    return sign + text.slice(sign.length).padStart(spec.width - sign.length, '0');
  }
  return text.padStart(spec.width);
}

function group(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** Sign flags of %d, %f and %e: `+`, ` `, `(`, and `,` grouping of the integer part. */
function signed(abs: string, negative: boolean, flags: string): string {
  const [int, frac] = abs.split('.');
  const body = (flags.includes(',') ? group(int) : int) + (frac === undefined ? '' : `.${frac}`);
  if (negative) return flags.includes('(') ? `(${body})` : `-${body}`;
  return flags.includes('+') ? `+${body}` : flags.includes(' ') ? ` ${body}` : body;
}

function numberArg(item: Item, conversion: string, integer: boolean): number {
  const v = item.value;
  if (typeof v !== 'number' || (integer && !Number.isInteger(v))) {
    throw new FaunaError('invalid argument', `%${conversion} cannot format ${typeName(v)}.`, item.position);
  }
  return v;
}

/** Java's %e: at least two exponent digits. */
function exponential(x: number, precision: number): string {
  const [m, e] = x.toExponential(precision).split('e');
  const exp = Number(e);
  return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Java prints negative integers in hex and octal as 64-bit two's complement. */
function radix(n: number, base: number): string {
  return BigInt.asUintN(64, BigInt(n)).toString(base);
}

function convert(spec: Spec, item: Item): string {
  const { conversion: c, flags, precision } = spec;
  if (spec.dateTime !== undefined) return formatDateTime(item, c, spec.dateTime === 'T');
  switch (c.toLowerCase()) {
    case 't':
      return formatDateTime(item, undefined, false);
    case '@':
    case '^':
      return JSON.stringify(encodeValue(item.value));
    case 's': {
      // Fauna's %s took the value through ToString, which refuses arrays, objects, refs, sets.
      const text = scalarText(item.value);
      if (text === undefined) throw invalid(`Cannot cast ${typeName(item.value)} to String.`, item.position);
      const cut = precision === undefined ? text : text.slice(0, precision);
      return c === 'S' ? cut.toUpperCase() : cut;
    }
    case 'd': {
      const n = numberArg(item, c, true);
      return signed(BigInt(Math.abs(n)).toString(), n < 0, flags);
    }
    case 'f': {
      const x = numberArg(item, c, false);
      const digits = precision ?? 6;
      return signed(Math.abs(roundTo(x, digits)).toFixed(digits), x < 0, flags);
    }
    case 'e': {
      const x = numberArg(item, c, false);
      const text = signed(exponential(Math.abs(x), precision ?? 6), x < 0, flags.replace(',', ''));
      return c === 'E' ? text.toUpperCase() : text;
    }
    case 'x':
    case 'o': {
      const text = radix(numberArg(item, c, true), c.toLowerCase() === 'x' ? 16 : 8);
      return c === 'X' ? text.toUpperCase() : text;
    }
    case 'b': {
      const v = item.value;
      const text = String(v === null ? false : typeof v === 'boolean' ? v : true);
      return c === 'B' ? text.toUpperCase() : text;
    }
    default:
      throw invalid(`Unsupported format conversion '%${c}'.`, ['format']);
  }
}

function formatWith(template: string, values: readonly Item[]): string {
  let next = 0;
  return template.replace(
    SPEC,
    (
      _m,
      index: string | undefined,
      flags: string,
      width: string | undefined,
      precision: string | undefined,
      dateTime: string | undefined,
      conversion: string,
    ) => {
      if (conversion === '%') return '%';
      if (conversion === 'n') return '\n';
      const i = index === undefined ? next++ : Number(index) - 1;
      const item = values[i];
      if (item === undefined) throw invalid(`Format needs an argument for '%${conversion}'.`, ['values']);
      const spec: Spec = {
        flags,
        conversion,
        dateTime,
        width: width === undefined ? undefined : Number(width),
        precision: precision === undefined ? undefined : Number(precision),
      };
      return pad(convert(spec, item), spec);
    },
  );
}

export const format = eager({
  key: 'format',
  name: 'Format',
  params: ['values'],
  run: (args) => {
    const template = stringAt({ value: args.format, position: ['format'] });
    if (template.replace(SPEC, '').includes('%')) throw invalid('Malformed format string.', ['format']);
    return formatWith(template, items(args, 'values'));
  },
});
