import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { isoMillis } from './times.ts';

const { FaunaTime } = faunadb.values;

/** What the endpoints wrote before isoMillis: the driver's Date, printed by Date. */
function viaDate(text: string): string {
  return new FaunaTime(text).date.toISOString();
}

describe('isoMillis', () => {
  it('writes what Date writes, for every fraction length the engine may send', () => {
    const texts: string[] = [];
    for (let digits = 0; digits <= 9; digits += 1) {
      for (const base of ['2026-12-03T18:30:52', '1970-01-01T00:00:00', '0005-02-28T23:59:59', '9999-12-31T23:59:59', '1999-06-30T12:00:01']) {
        const fraction = '987654321'.slice(0, digits);
        texts.push(digits === 0 ? `${base}Z` : `${base}.${fraction}Z`);
      }
    }
    for (const text of texts) expect(isoMillis(new FaunaTime(text)), text).toBe(viaDate(text));
  });

  it('keeps the milliseconds, cutting the digits past them as Date does (no rounding)', () => {
    expect(isoMillis(new FaunaTime('2026-12-03T18:30:52.123999Z'))).toBe('2026-12-03T18:30:52.123Z');
    expect(isoMillis(new FaunaTime('2026-12-03T18:30:52.5Z'))).toBe('2026-12-03T18:30:52.500Z');
    expect(isoMillis(new FaunaTime('2026-12-03T18:30:52Z'))).toBe('2026-12-03T18:30:52.000Z');
  });

  it('leaves any other text to Date', () => {
    // An extended year (six digits and a sign), which the engine never writes but Date reads.
    const text = '+012026-12-03T18:30:52.123456Z';
    expect(isoMillis(new FaunaTime(text))).toBe(viaDate(text));
    expect(isoMillis(new FaunaTime(text))).toBe('+012026-12-03T18:30:52.123Z');
  });
});
