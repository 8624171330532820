/**
 * Time and date functions. Times are nanoseconds since the epoch (bigint), dates are days.
 * Now() and Time("now") are the transaction's time, the same everywhere in one query.
 * The calendar accessors (Year, DayOfWeek...) and ToSeconds/ToMillis/ToMicros also accept
 * a number, read as microseconds since the epoch (Fauna's `ts` fields are such numbers).
 */

import { FaunaError, typeError } from '../../errors.ts';
import { FaunaDate, FaunaTime, type Value } from '../../values.ts';
import { dateInRange, parseDate, parseTime, timeInRange } from '../../wire.ts';
import { eager, type Args, type EagerSpec, type PureContext } from '../spec.ts';
import { integerAt, invalid, javaTrim, stringAt, unary } from './common.ts';

const NANOS_PER_DAY = 86_400_000_000_000n;

const UNIT_NANOS: Readonly<Record<string, bigint>> = {
  day: NANOS_PER_DAY,
  'half day': NANOS_PER_DAY / 2n,
  hour: 3_600_000_000_000n,
  minute: 60_000_000_000n,
  second: 1_000_000_000n,
  millisecond: 1_000_000n,
  microsecond: 1_000n,
  nanosecond: 1n,
};

/**
 * A unit name, singular or plural ("hour", "hours", "half days"), to its length in nanoseconds.
 * Fauna matched the trimmed name exactly: "HOURS" or "Hour" is no unit (MidstUnit.scala).
 */
function unitNanos(args: Args, key: string): bigint {
  const unit = stringAt({ value: args[key], position: [key] });
  const singular = javaTrim(unit).replace(/s$/, '');
  const nanos = Object.prototype.hasOwnProperty.call(UNIT_NANOS, singular) ? UNIT_NANOS[singular] : undefined;
  if (nanos === undefined) throw invalid(`Invalid time unit '${unit}'.`, [key]);
  return nanos;
}

/** Dates only move in whole days. */
function dayUnit(args: Args, key: string): void {
  if (unitNanos(args, key) !== NANOS_PER_DAY) throw invalid(`A Date can only be offset in days.`, [key]);
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function dateOfTime(t: FaunaTime): FaunaDate {
  return new FaunaDate(Number(floorDiv(t.epochNanos, NANOS_PER_DAY)));
}

function timeOfDate(d: FaunaDate): FaunaTime {
  return new FaunaTime(BigInt(d.epochDays) * NANOS_PER_DAY);
}

/** A time-like argument: a Time, a Date (its midnight), or a number of microseconds. */
function instant(v: Value, key: string): FaunaTime {
  if (v instanceof FaunaTime) return v;
  if (v instanceof FaunaDate) return timeOfDate(v);
  if (typeof v === 'number' && Number.isInteger(v)) return timeInRange(FaunaTime.fromMicros(v));
  throw typeError('Time or Date', v, [key]);
}

const time = eager({
  key: 'time',
  name: 'Time',
  run: (args, ctx: PureContext) => {
    const s = stringAt({ value: args.time, position: ['time'] });
    return s === 'now' ? ctx.now : at(() => parseTime(javaTrim(s)), 'time');
  },
});

/** Re-points a parse error at the argument it came from. */
function at<T>(parse: () => T, key: string): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof FaunaError && e.position.length === 0) throw new FaunaError(e.code, e.description, [key]);
    throw e;
  }
}

const epoch = eager({
  key: 'epoch',
  name: 'Epoch',
  params: ['unit'],
  run: (args) => timeInRange(new FaunaTime(BigInt(integerAt({ value: args.epoch, position: ['epoch'] })) * unitNanos(args, 'unit'))),
});

function shift(key: 'time_add' | 'time_subtract', name: string, direction: 1n | -1n): EagerSpec {
  return eager({
    key,
    name,
    params: ['offset', 'unit'],
    run: (args) => {
      const base = args[key];
      const offset = BigInt(integerAt({ value: args.offset, position: ['offset'] })) * direction;
      if (base instanceof FaunaDate) {
        dayUnit(args, 'unit');
        return dateInRange(new FaunaDate(base.epochDays + Number(offset)));
      }
      if (!(base instanceof FaunaTime)) throw typeError('Time or Date', base, [key]);
      return timeInRange(new FaunaTime(base.epochNanos + offset * unitNanos(args, 'unit')));
    },
  });
}

/** `other` minus `time_diff`, in whole units, truncated toward zero. */
const timeDiff = eager({
  key: 'time_diff',
  name: 'TimeDiff',
  params: ['other', 'unit'],
  run: (args) => {
    const start = args.time_diff;
    const other = args.other;
    if (start instanceof FaunaDate) {
      if (!(other instanceof FaunaDate)) throw typeError('Date', other, ['other']);
      dayUnit(args, 'unit');
      return other.epochDays - start.epochDays;
    }
    if (!(start instanceof FaunaTime)) throw typeError('Time or Date', start, ['time_diff']);
    if (!(other instanceof FaunaTime)) throw typeError('Time', other, ['other']);
    return Number((other.epochNanos - start.epochNanos) / unitNanos(args, 'unit'));
  },
});

/** A string as Time reads it; an integer as milliseconds since the epoch (Fauna's Timestamp.ofMillis). */
function toTime(v: Value, key: string): Value {
  if (typeof v === 'string') return at(() => parseTime(javaTrim(v)), key);
  if (typeof v === 'number' && Number.isInteger(v)) return timeInRange(new FaunaTime(BigInt(v) * 1_000_000n));
  if (v instanceof FaunaTime) return v;
  if (v instanceof FaunaDate) return timeOfDate(v);
  throw typeError('Integer, String, Time or Date', v, [key]);
}

function toDate(v: Value, key: string): Value {
  if (typeof v === 'string') return at(() => parseDate(v), key);
  if (v instanceof FaunaDate) return v;
  if (v instanceof FaunaTime) return dateOfTime(v);
  throw typeError('Integer, String, Time or Date', v, [key]);
}

/** Whole units since the epoch, rounded down (an instant before 1970 is in the unit it falls in). */
function since(unit: bigint): (v: Value, key: string) => Value {
  return (v, key) => Number(floorDiv(instant(v, key).epochNanos, unit));
}

const MAX_JS_DATE_MS = 8.64e15;

/** The UTC calendar fields of an instant, through JS Date (years -271821..275760, far beyond Fauna's). */
function calendar(field: (d: Date) => number): (v: Value, key: string) => Value {
  return (v, key) => {
    const ms = Number(floorDiv(instant(v, key).epochNanos, 1_000_000n));
    if (Math.abs(ms) > MAX_JS_DATE_MS) throw invalid('Time out of range.', [key]);
    return field(new Date(ms));
  };
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** ISO day of the week: Monday is 1, Sunday is 7 (1970-01-01 was a Thursday: 4). */
function dayOfWeek(d: Date): number {
  return ((d.getUTCDay() + 6) % 7) + 1;
}

export const timeFunctions: readonly EagerSpec[] = [
  eager({ key: 'now', name: 'Now', run: (_args, ctx) => ctx.now }),
  time,
  epoch,
  shift('time_add', 'TimeAdd', 1n),
  shift('time_subtract', 'TimeSubtract', -1n),
  timeDiff,
  unary('date', 'Date', (v, k) => at(() => parseDate(javaTrim(stringAt({ value: v, position: [k] }))), k)),
  unary('to_time', 'ToTime', toTime),
  unary('to_date', 'ToDate', toDate),
  unary('to_seconds', 'ToSeconds', since(UNIT_NANOS.second)),
  unary('to_millis', 'ToMillis', since(UNIT_NANOS.millisecond)),
  unary('to_micros', 'ToMicros', since(UNIT_NANOS.microsecond)),
  unary('day_of_month', 'DayOfMonth', calendar((d) => d.getUTCDate())),
  unary('day_of_week', 'DayOfWeek', calendar(dayOfWeek)),
  unary('day_of_year', 'DayOfYear', calendar(dayOfYear)),
  unary('month', 'Month', calendar((d) => d.getUTCMonth() + 1)),
  unary('year', 'Year', calendar((d) => d.getUTCFullYear())),
  unary('hour', 'Hour', calendar((d) => d.getUTCHours())),
  unary('minute', 'Minute', calendar((d) => d.getUTCMinutes())),
  unary('second', 'Second', calendar((d) => d.getUTCSeconds())),
];
