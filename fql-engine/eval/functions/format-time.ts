/**
 * Format's date and time conversions, `%t` and `%T` with a suffix, as Fauna's server printed
 * them: Java's Formatter on the value in UTC, in English. A Date takes the date suffixes
 * (b B h a A C y Y d e m j D F); a Time takes those and the time ones (H I k l M S L N p z Z
 * s Q R T r c). With no suffix the value prints as ToString does. Any other suffix is
 * refused as Fauna refused it: "Invalid date/time suffix".
 */

import { FaunaDate, FaunaTime, typeName, type Value } from '../../values.ts';
import { formatDate, formatTime } from '../../wire.ts';
import { invalid, type Item } from './common.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Parts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly dayOfYear: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly nanos: number;
  readonly epochMillis: bigint;
}

function partsOf(epochDays: number, nanosOfDay: bigint, epochMillis: bigint): Parts {
  const d = new Date(epochDays * 86_400_000);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const seconds = Number(nanosOfDay / 1_000_000_000n);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth(),
    day: d.getUTCDate(),
    weekday: d.getUTCDay(),
    dayOfYear: Math.round((d.getTime() - yearStart) / 86_400_000) + 1,
    hour: Math.floor(seconds / 3600),
    minute: Math.floor(seconds / 60) % 60,
    second: seconds % 60,
    nanos: Number(nanosOfDay % 1_000_000_000n),
    epochMillis,
  };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const hour12 = (h: number): number => (h % 12 === 0 ? 12 : h % 12);

const DATE_SUFFIXES: Readonly<Record<string, (p: Parts) => string>> = {
  b: (p) => MONTHS[p.month].slice(0, 3),
  h: (p) => MONTHS[p.month].slice(0, 3),
  B: (p) => MONTHS[p.month],
  a: (p) => DAYS[p.weekday].slice(0, 3),
  A: (p) => DAYS[p.weekday],
  C: (p) => pad(Math.floor(p.year / 100), 2),
  y: (p) => pad(p.year % 100, 2),
  Y: (p) => pad(p.year, 4),
  d: (p) => pad(p.day, 2),
  e: (p) => String(p.day),
  m: (p) => pad(p.month + 1, 2),
  j: (p) => pad(p.dayOfYear, 3),
  D: (p) => `${pad(p.month + 1, 2)}/${pad(p.day, 2)}/${pad(p.year % 100, 2)}`,
  F: (p) => `${pad(p.year, 4)}-${pad(p.month + 1, 2)}-${pad(p.day, 2)}`,
};

const TIME_SUFFIXES: Readonly<Record<string, (p: Parts) => string>> = {
  H: (p) => pad(p.hour, 2),
  I: (p) => pad(hour12(p.hour), 2),
  k: (p) => String(p.hour),
  l: (p) => String(hour12(p.hour)),
  M: (p) => pad(p.minute, 2),
  S: (p) => pad(p.second, 2),
  L: (p) => pad(Math.floor(p.nanos / 1_000_000), 3),
  N: (p) => pad(p.nanos, 9),
  p: (p) => (p.hour < 12 ? 'am' : 'pm'),
  z: () => '+0000',
  Z: () => 'Z',
  s: (p) => String(p.epochMillis / 1000n - (p.epochMillis < 0n && p.epochMillis % 1000n !== 0n ? 1n : 0n)),
  Q: (p) => String(p.epochMillis),
  R: (p) => `${pad(p.hour, 2)}:${pad(p.minute, 2)}`,
  T: (p) => `${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}`,
  r: (p) => `${pad(hour12(p.hour), 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)} ${p.hour < 12 ? 'AM' : 'PM'}`,
  c: (p) => `${DAYS[p.weekday].slice(0, 3)} ${MONTHS[p.month].slice(0, 3)} ${pad(p.day, 2)} ${TIME_SUFFIXES.T(p)} Z ${pad(p.year, 4)}`,
};

function timeParts(t: FaunaTime): Parts {
  const dayNanos = 86_400_000_000_000n;
  let days = t.epochNanos / dayNanos;
  let rest = t.epochNanos % dayNanos;
  if (rest < 0n) {
    rest += dayNanos;
    days -= 1n;
  }
  const millis = t.epochNanos / 1_000_000n - (t.epochNanos < 0n && t.epochNanos % 1_000_000n !== 0n ? 1n : 0n);
  return partsOf(Number(days), rest, millis);
}

/** `%t` / `%T` (`upper`) with its suffix (undefined when none) applied to one argument. */
export function formatDateTime(item: Item, suffix: string | undefined, upper: boolean): string {
  const v: Value = item.value;
  if (!(v instanceof FaunaTime) && !(v instanceof FaunaDate)) {
    throw invalid(`Date or Time expected, ${typeName(v)} provided.`, item.position);
  }
  if (suffix === undefined) return v instanceof FaunaTime ? formatTime(v) : formatDate(v);
  const parts = v instanceof FaunaTime ? timeParts(v) : partsOf(v.epochDays, 0n, BigInt(v.epochDays) * 86_400_000n);
  const print = DATE_SUFFIXES[suffix] ?? (v instanceof FaunaTime ? TIME_SUFFIXES[suffix] : undefined);
  if (print === undefined) throw invalid(`Invalid date/time suffix '%${upper ? 'T' : 't'}${suffix}'.`, ['format']);
  const text = print(parts);
  return upper ? text.toUpperCase() : text;
}
