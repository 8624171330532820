import { describe, expect, it } from 'vitest';
import { FaunaDate, FaunaTime, Ref } from '../../values.ts';
import { call, callError } from './spec-harness.ts';

describe('Not', () => {
  it('negates booleans only', async () => {
    expect(await call({ not: true })).toBe(false);
    expect(await call({ not: false })).toBe(true);
    const e = await callError({ not: 'false' });
    expect(e.code).toBe('invalid argument');
    expect(e.position).toEqual(['not']);
  });
});

describe('Equals', () => {
  it('compares every argument with the first, structurally', async () => {
    expect(await call({ equals: [1, 1, 1] })).toBe(true);
    expect(await call({ equals: [1, 1, 2] })).toBe(false);
    expect(await call({ equals: 1 })).toBe(true);
    expect(await call({ equals: [{ a: 10, b: 20 }, { b: 20, a: 10 }] })).toBe(true);
    expect(await call({ equals: [new Ref('1', new Ref('users', Ref.native('collections'))), new Ref('1', new Ref('users', Ref.native('collections')))] })).toBe(
      true,
    );
    expect(await call({ equals: [new FaunaTime(5n), new FaunaTime(6n)] })).toBe(false);
    expect(await call({ equals: ['1', 1] })).toBe(false);
  });
});

describe('LT, LTE, GT, GTE', () => {
  it('chain over neighbours', async () => {
    expect(await call({ lt: [1, 2, 3] })).toBe(true);
    expect(await call({ lt: [1, 3, 2] })).toBe(false);
    expect(await call({ lt: [1, 1] })).toBe(false);
    expect(await call({ lte: [1, 1, 2] })).toBe(true);
    expect(await call({ gt: [3, 2, 1] })).toBe(true);
    expect(await call({ gt: [2, 2] })).toBe(false);
    expect(await call({ gte: [2, 2, 1] })).toBe(true);
    expect(await call({ gte: [1, 2] })).toBe(false);
  });

  it('are true with a single argument', async () => {
    expect(await call({ lt: 5 })).toBe(true);
    expect(await call({ gt: 'x' })).toBe(true);
  });

  it('compare times as times and mix types by Fauna precedence', async () => {
    expect(await call({ lt: [new FaunaTime(-10n), new FaunaTime(0n), new FaunaTime(10n)] })).toBe(true);
    expect(await call({ lt: [new FaunaDate(1), new FaunaDate(0)] })).toBe(false);
    expect(await call({ lt: [0.5, 1, 1.5, 2] })).toBe(true);
    expect(await call({ lt: [99, 'a', [], {}, null] })).toBe(true);
    expect(await call({ lt: [true, false] })).toBe(false);
    expect(await call({ gt: [null, true] })).toBe(true);
  });
});
