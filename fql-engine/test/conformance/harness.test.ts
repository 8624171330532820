/**
 * The harness must be able to fail: these tests feed it outcomes by hand (no engine) and check
 * it rejects what it should, and that expected refs and times compare the way Fauna's answers do.
 */

import { describe, expect, it } from 'vitest';
import { assertOutcome, declarationProblem, q, representative, toComparable, values, type Case, type Outcome } from './harness.ts';

const value = (v: unknown): Outcome => ({ kind: 'value', value: v });
const error = (code: string, errorClass = 'BadRequest'): Outcome => ({ kind: 'error', code, description: 'd', errorClass });
const valueCase: Case = { name: 'v', query: 1, expect: 1 };
const errorCase: Case = { name: 'e', query: 1, expectError: 'invalid argument' };

describe('assertOutcome', () => {
  it('passes a matching value and a matching error code', () => {
    expect(() => assertOutcome(valueCase, value(1), 'l')).not.toThrow();
    expect(() => assertOutcome(errorCase, error('invalid argument'), 'l')).not.toThrow();
  });

  it('never passes an undefined result, whatever was expected', () => {
    expect(() => assertOutcome(valueCase, value(undefined), 'l')).toThrow(/returned nothing/);
    expect(() => assertOutcome({ name: 'u', query: 1, expect: null }, value(undefined), 'l')).toThrow(/returned nothing/);
  });

  it('fails a value when an error was expected, and the reverse', () => {
    expect(() => assertOutcome(errorCase, value(1), 'l')).toThrow(/expected error 'invalid argument'/);
    expect(() => assertOutcome(valueCase, error('invalid argument'), 'l')).toThrow(/got error 'invalid argument'/);
  });

  it('compares error codes, and the driver exception that goes with them', () => {
    expect(() => assertOutcome(errorCase, error('invalid ref'), 'l')).toThrow();
    expect(() => assertOutcome({ name: 'n', query: 1, expectError: 'instance not found' }, error('instance not found', 'BadRequest'), 'l')).toThrow(
      /driver exception/,
    );
    expect(() => assertOutcome({ name: 'n', query: 1, expectError: 'instance not found' }, error('instance not found', 'NotFound'), 'l')).not.toThrow();
  });

  it('fails a different value', () => {
    expect(() => assertOutcome(valueCase, value(2), 'l')).toThrow(/actual: {3}2/);
  });

  it('refuses a case that declares neither or both expectations', () => {
    expect(declarationProblem({ name: 'none', query: 1 })).toMatch(/exactly one/);
    expect(declarationProblem({ name: 'both', query: 1, expect: 1, expectError: 'invalid argument' })).toMatch(/exactly one/);
    expect(() => assertOutcome({ name: 'none', query: 1 }, value(1), 'l')).toThrow(/exactly one/);
  });
});

describe('toComparable', () => {
  it('turns ref expressions into the refs Fauna answers', () => {
    const driverRef = new values.Ref('1', new values.Ref('c', values.Native.COLLECTIONS));
    expect(toComparable(q.Ref(q.Collection('c'), '1'))).toEqual(JSON.parse(JSON.stringify(driverRef)));
  });

  it('puts the database of a scoped schema ref on the ref itself', () => {
    const scoped = new values.Ref('c', values.Native.COLLECTIONS, new values.Ref('d', values.Native.DATABASES));
    expect(toComparable(q.Collection('c', q.Database('d')))).toEqual(JSON.parse(JSON.stringify(scoped)));
  });

  it('turns Time and Date into @ts and @date', () => {
    expect(toComparable([q.Time('1970-01-01T00:00:00Z'), q.Date('1970-01-01')])).toEqual([{ '@ts': '1970-01-01T00:00:00Z' }, { '@date': '1970-01-01' }]);
  });

  it('refuses expressions that compute (an expectation must be a value)', () => {
    expect(() => toComparable(q.Add(1, 2))).toThrow(/only ref/);
    expect(() => toComparable(undefined)).toThrow();
  });
});

describe('representative', () => {
  it('keeps every group and at least two cases of each', () => {
    const groups = [
      { topic: 'a', cases: Array.from({ length: 40 }, (_, i): Case => ({ name: `a${i}`, query: i, expect: i })) },
      { topic: 'b', cases: Array.from({ length: 3 }, (_, i): Case => ({ name: `b${i}`, query: i, expect: i })) },
    ];
    const picked = representative(groups, 10);
    expect(picked.map((g) => g.topic)).toEqual(['a', 'b']);
    expect(picked[1].cases.length).toBe(2);
    expect(new Set(picked[0].cases.map((c) => c.name)).size).toBe(picked[0].cases.length);
  });
});
