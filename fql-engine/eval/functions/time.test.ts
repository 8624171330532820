import { describe, expect, it } from 'vitest';
import { FaunaDate, FaunaTime, typeName } from '../../values.ts';
import { formatDate, formatTime, parseDate, parseTime } from '../../wire.ts';
import { NOW, call, callError } from './spec-harness.ts';

async function timeText(args: Parameters<typeof call>[0]): Promise<string> {
  const v = await call(args);
  if (!(v instanceof FaunaTime)) throw new Error(`not a time: ${typeName(v)}`);
  return formatTime(v);
}

async function dateText(args: Parameters<typeof call>[0]): Promise<string> {
  const v = await call(args);
  if (!(v instanceof FaunaDate)) throw new Error(`not a date: ${typeName(v)}`);
  return formatDate(v);
}

const EPOCH = new FaunaTime(0n);
const T2038 = new FaunaTime(2_147_483_648n * 1_000_000_000n);

describe('Now, Time, Date, Epoch', () => {
  it('Now and Time("now") are the transaction time', async () => {
    expect(await call({ now: null })).toBe(NOW);
    expect(await call({ time: 'now' })).toBe(NOW);
  });

  it('parses times and dates', async () => {
    expect(await timeText({ time: '1970-01-01T00:00:00.123456789Z' })).toBe('1970-01-01T00:00:00.123456789Z');
    expect(await timeText({ time: '1970-01-01T01:00:00+01:00' })).toBe('1970-01-01T00:00:00Z');
    expect(await dateText({ date: '2019-11-26' })).toBe('2019-11-26');
  });

  it('refuses text that is not a time or a date', async () => {
    const e = await callError({ time: 'yesterday' });
    expect(e.code).toBe('invalid argument');
    expect(e.position).toEqual(['time']);
    expect((await callError({ date: '2019-02-30' })).code).toBe('invalid argument');
    expect((await callError({ time: 5 })).code).toBe('invalid argument');
  });

  it('builds a time from a count of units since the epoch', async () => {
    expect(await timeText({ epoch: 12, unit: 'second' })).toBe('1970-01-01T00:00:12Z');
    expect(await timeText({ epoch: 123456789, unit: 'nanosecond' })).toBe('1970-01-01T00:00:00.123456789Z');
    expect(await timeText({ epoch: 1, unit: 'day' })).toBe('1970-01-02T00:00:00Z');
    expect((await callError({ epoch: 1, unit: 'fortnight' })).code).toBe('invalid argument');
    expect((await callError({ epoch: 1.5, unit: 'second' })).code).toBe('invalid argument');
  });
});

describe('TimeAdd, TimeSubtract, TimeDiff', () => {
  it('moves times by any unit, plural or not', async () => {
    expect(await timeText({ time_add: EPOCH, offset: 1, unit: 'hour' })).toBe('1970-01-01T01:00:00Z');
    expect(await timeText({ time_add: EPOCH, offset: 3, unit: 'half days' })).toBe('1970-01-02T12:00:00Z');
    expect(await timeText({ time_subtract: EPOCH, offset: 1, unit: 'hours' })).toBe('1969-12-31T23:00:00Z');
    expect(await timeText({ time_add: EPOCH, offset: -5, unit: 'milliseconds' })).toBe('1969-12-31T23:59:59.995Z');
  });

  it('moves dates by days only', async () => {
    expect(await dateText({ time_add: parseDate('1970-01-01'), offset: 1, unit: 'day' })).toBe('1970-01-02');
    expect(await dateText({ time_subtract: parseDate('1970-01-01'), offset: 1, unit: 'days' })).toBe('1969-12-31');
    expect((await callError({ time_add: parseDate('1970-01-01'), offset: 1, unit: 'hour' })).code).toBe('invalid argument');
  });

  it('refuses bad bases, offsets and units', async () => {
    expect((await callError({ time_add: 'x', offset: 1, unit: 'day' })).position).toEqual(['time_add']);
    expect((await callError({ time_add: EPOCH, offset: 1.5, unit: 'day' })).position).toEqual(['offset']);
    expect((await callError({ time_add: EPOCH, offset: 1, unit: 'weeks' })).position).toEqual(['unit']);
  });

  it('counts whole units from start to other, truncated toward zero', async () => {
    const start = parseTime('1970-01-01T00:00:00Z');
    const finish = parseTime('2020-07-06T12:34:56.789Z');
    expect(await call({ time_diff: start, other: finish, unit: 'days' })).toBe(18449);
    expect(await call({ time_diff: start, other: finish, unit: 'half days' })).toBe(36899);
    expect(await call({ time_diff: start, other: finish, unit: 'seconds' })).toBe(1594038896);
    expect(await call({ time_diff: finish, other: start, unit: 'days' })).toBe(-18449);
    expect(await call({ time_diff: EPOCH, other: new FaunaTime(1_999_999_999n), unit: 'second' })).toBe(1);
    expect(await call({ time_diff: parseDate('1970-01-01'), other: parseDate('1970-01-02'), unit: 'day' })).toBe(1);
  });

  it('refuses to compare a time with a date', async () => {
    expect((await callError({ time_diff: EPOCH, other: parseDate('1970-01-02'), unit: 'day' })).code).toBe('invalid argument');
    expect((await callError({ time_diff: parseDate('1970-01-02'), other: EPOCH, unit: 'day' })).position).toEqual(['other']);
  });
});

describe('conversions and calendar fields', () => {
  it('ToTime and ToDate', async () => {
    expect(await timeText({ to_time: '1970-01-01T00:00:00Z' })).toBe('1970-01-01T00:00:00Z');
    expect(await timeText({ to_time: parseDate('1970-01-03') })).toBe('1970-01-03T00:00:00Z');
    expect(await dateText({ to_date: '1970-01-01' })).toBe('1970-01-01');
    expect(await dateText({ to_date: parseTime('1969-12-31T23:59:59Z') })).toBe('1969-12-31');
    expect(await timeText({ to_time: 1500 })).toBe('1970-01-01T00:00:01.500Z');
    expect((await callError({ to_time: 1.5 })).code).toBe('invalid argument');
    expect((await callError({ to_date: 'soon' })).code).toBe('invalid argument');
  });

  it('ToSeconds, ToMillis, ToMicros take times or microsecond numbers', async () => {
    expect(await call({ to_seconds: T2038 })).toBe(2147483648);
    expect(await call({ to_seconds: 2147483648000000 })).toBe(2147483648);
    expect(await call({ to_millis: 2147483648000000 })).toBe(2147483648000);
    expect(await call({ to_micros: NOW })).toBe(1_700_000_000_123_456);
    expect(await call({ to_seconds: new FaunaTime(-1n) })).toBe(-1);
    expect((await callError({ to_millis: 'x' })).code).toBe('invalid argument');
  });

  it('reads UTC calendar fields', async () => {
    expect(await call({ day_of_month: EPOCH })).toBe(1);
    expect(await call({ day_of_month: T2038 })).toBe(19);
    expect(await call({ day_of_week: EPOCH })).toBe(4);
    expect(await call({ day_of_week: T2038 })).toBe(2);
    expect(await call({ day_of_week: 2147483648000000 })).toBe(2);
    expect(await call({ day_of_year: T2038 })).toBe(19);
    expect(await call({ day_of_year: parseTime('2020-12-31T10:00:00Z') })).toBe(366);
    expect(await call({ month: T2038 })).toBe(1);
    expect(await call({ year: T2038 })).toBe(2038);
    expect(await call({ hour: NOW })).toBe(22);
    expect(await call({ minute: NOW })).toBe(13);
    expect(await call({ second: NOW })).toBe(20);
    expect(await call({ year: parseDate('1969-12-31') })).toBe(1969);
    expect((await callError({ hour: 'noon' })).code).toBe('invalid argument');
  });
});
