import { describe, expect, it } from 'vitest';
import { Ref, type Value } from '../../values.ts';
import { parseDate, parseTime } from '../../wire.ts';
import { javaDoubleString } from './convert.ts';
import { call, callError } from './spec-harness.ts';

describe('ToString', () => {
  it('prints scalars', async () => {
    expect(await call({ to_string: 42 })).toBe('42');
    expect(await call({ to_string: '42' })).toBe('42');
    expect(await call({ to_string: -3.5 })).toBe('-3.5');
    expect(await call({ to_string: 1e21 })).toBe('1000000000000000000000');
    expect(await call({ to_string: true })).toBe('true');
    expect(await call({ to_string: null })).toBe('null');
    expect(await call({ to_string: parseTime('2020-01-02T03:04:05.5Z') })).toBe('2020-01-02T03:04:05.500Z');
    expect(await call({ to_string: parseDate('2020-01-02') })).toBe('2020-01-02');
  });

  it("prints doubles the way Java's Double.toString does", () => {
    expect(javaDoubleString(3.14)).toBe('3.14');
    expect(javaDoubleString(10)).toBe('10.0');
    expect(javaDoubleString(1e-5)).toBe('1.0E-5');
    expect(javaDoubleString(1.5e10)).toBe('1.5E10');
    expect(javaDoubleString(0.001)).toBe('0.001');
  });

  it('refuses values that have no text form', async () => {
    expect((await callError({ to_string: [1] })).code).toBe('invalid argument');
    expect((await callError({ to_string: { a: 1 } })).code).toBe('invalid argument');
    expect((await callError({ to_string: Ref.native('collections') })).code).toBe('invalid argument');
  });
});

describe('ToNumber, ToInteger, ToDouble', () => {
  it('parse numeric text and pass numbers through', async () => {
    expect(await call({ to_number: 42 })).toBe(42);
    expect(await call({ to_number: '42' })).toBe(42);
    // Java's NumberFormat reads the longest numeric prefix: grouping commas, an upper-case E.
    expect(await call({ to_number: '-1.5E3' })).toBe(-1500);
    expect(await call({ to_number: ' 1,234.5 ' })).toBe(1234.5);
    expect(await call({ to_number: '42abc' })).toBe(42);
    expect(await call({ to_integer: '1x' })).toBe(1);
    expect(await call({ to_double: '3.14' })).toBe(3.14);
    expect(await call({ to_double: 3.14 })).toBe(3.14);
    expect(await call({ to_integer: '10' })).toBe(10);
    expect(await call({ to_integer: 10.9 })).toBe(10);
    expect(await call({ to_integer: -10.9 })).toBe(-10);
  });

  it('refuse text that is not a number, and other types', async () => {
    const calls: readonly Readonly<Record<string, Value>>[] = [
      { to_number: 'abc' },
      { to_number: '' },
      { to_number: '+5' },
      { to_double: 'NaN' },
      { to_integer: 'x1' },
      { to_number: true },
      { to_number: null },
    ];
    for (const args of calls) {
      const e = await callError(args);
      expect(e.code, JSON.stringify(args)).toBe('invalid argument');
    }
  });
});
