import { describe, expect, it } from 'vitest';
import { call, callError } from './spec-harness.ts';

describe('variadic arithmetic', () => {
  it('adds, subtracts, multiplies left to right', async () => {
    expect(await call({ add: [2, 3, 5] })).toBe(10);
    expect(await call({ add: [1, 2.5] })).toBe(3.5);
    expect(await call({ subtract: [2, 3, 5] })).toBe(-6);
    expect(await call({ subtract: 2 })).toBe(2);
    expect(await call({ multiply: [2, 3, 5] })).toBe(30);
  });

  it('divides integers as integers and doubles as doubles', async () => {
    expect(await call({ divide: [7, 2] })).toBe(3);
    expect(await call({ divide: [-7, 2] })).toBe(-3);
    expect(await call({ divide: [7.5, 2] })).toBe(3.75);
    expect(await call({ divide: [7.5, 2.5, 2] })).toBe(1.5);
    expect(await call({ divide: [100, 5, 3] })).toBe(6);
    expect(await call({ divide: 2 })).toBe(2);
  });

  it('refuses division and modulo by zero', async () => {
    const e = await callError({ divide: [1, 0] });
    expect(e.code).toBe('invalid argument');
    expect(e.description).toBe('Illegal division by zero.');
    expect(e.position).toEqual(['divide', 1]);
    expect((await callError({ modulo: [1, 0] })).code).toBe('invalid argument');
  });

  it('takes the modulo left to right, keeping the dividend sign', async () => {
    expect(await call({ modulo: [5, 2] })).toBe(1);
    expect(await call({ modulo: [15, 10, 2] })).toBe(1);
    expect(await call({ modulo: 2 })).toBe(2);
    expect(await call({ modulo: [-5, 3] })).toBe(-2);
  });

  it('finds min and max', async () => {
    expect(await call({ max: [2, 3, 5, 4] })).toBe(5);
    expect(await call({ min: [2, 3, 5, 4] })).toBe(2);
    expect(await call({ min: [2, -0.5] })).toBe(-0.5);
    // Any values, in the order of index entries: a number sorts before a string.
    expect(await call({ max: ['a', 1] })).toBe('a');
    expect(await call({ min: [['b', 'a']] })).toBe('a');
  });

  it('refuses non-numbers and an empty list', async () => {
    const e = await callError({ add: [1, '2'] });
    expect(e.code).toBe('invalid argument');
    expect(e.position).toEqual(['add', 1]);
    expect((await callError({ add: 'x' })).position).toEqual(['add']);
    expect((await callError({ multiply: [] })).code).toBe('invalid argument');
    expect((await callError({ max: [] })).code).toBe('invalid argument');
  });
});

describe('bitwise', () => {
  it('works on 64-bit integers', async () => {
    expect(await call({ bitand: [7, 3] })).toBe(3);
    expect(await call({ bitor: [1, 2, 4] })).toBe(7);
    expect(await call({ bitxor: [1, 2, 4] })).toBe(7);
    expect(await call({ bitnot: 0 })).toBe(-1);
    expect(await call({ bitnot: 1 })).toBe(-2);
    expect(await call({ bitor: [2 ** 40, 1] })).toBe(2 ** 40 + 1);
  });

  it('refuses doubles', async () => {
    expect((await callError({ bitand: [1.5, 1] })).code).toBe('invalid argument');
    expect((await callError({ bitnot: 0.5 })).code).toBe('invalid argument');
  });
});

describe('one-number functions', () => {
  it('abs, ceil, floor, sign, sqrt, pow', async () => {
    expect(await call({ abs: -10 })).toBe(10);
    expect(await call({ ceil: 1.2 })).toBe(2);
    expect(await call({ floor: 1.8 })).toBe(1);
    expect(await call({ sign: -1.2 })).toBe(-1);
    expect(await call({ sign: 0 })).toBe(0);
    expect(await call({ sqrt: 16 })).toBe(4);
    expect(await call({ pow: 3, exp: 2 })).toBe(9);
    expect(await call({ pow: 3 })).toBe(9);
    expect(await call({ hypot: 3, b: 4 })).toBe(5);
  });

  it('rounds half away from zero, and truncates, at a precision', async () => {
    expect(await call({ round: 155.678, precision: -1 })).toBe(160);
    expect(await call({ round: 155.678, precision: 0 })).toBe(156);
    expect(await call({ round: 155.678, precision: 1 })).toBe(155.7);
    expect(await call({ round: 155.678 })).toBe(155.68);
    expect(await call({ round: 1.005, precision: 2 })).toBe(1.01);
    expect(await call({ round: -2.5, precision: 0 })).toBe(-3);
    expect(await call({ trunc: 155.678, precision: -1 })).toBe(150);
    expect(await call({ trunc: 155.678, precision: 0 })).toBe(155);
    expect(await call({ trunc: 155.678, precision: 1 })).toBe(155.6);
    expect(await call({ trunc: 155.678 })).toBe(155.67);
    expect(await call({ trunc: -155.678, precision: 1 })).toBe(-155.6);
  });

  it('computes the transcendental functions', async () => {
    expect(await call({ trunc: await call({ acos: 0.5 }), precision: 2 })).toBe(1.04);
    expect(await call({ trunc: await call({ asin: 0.5 }), precision: 2 })).toBe(0.52);
    expect(await call({ trunc: await call({ atan: 0.5 }), precision: 2 })).toBe(0.46);
    expect(await call({ cos: 0 })).toBe(1);
    expect(await call({ trunc: await call({ cosh: 7.6 }), precision: 1 })).toBe(999);
    expect(await call({ trunc: await call({ degrees: 6.29 }), precision: 0 })).toBe(360);
    expect(await call({ trunc: await call({ exp: 5 }), precision: 0 })).toBe(148);
    expect(await call({ ln: 1 })).toBe(0);
    expect(await call({ log: 100 })).toBe(2);
    expect(await call({ trunc: await call({ radians: 360 }), precision: 1 })).toBe(6.2);
    expect(await call({ trunc: await call({ sinh: 4 }), precision: 0 })).toBe(27);
    expect(await call({ trunc: await call({ tanh: 100 }), precision: 0 })).toBe(1);
    expect(await call({ sin: 0 })).toBe(0);
    expect(await call({ tan: 0 })).toBe(0);
  });

  it('refuses non-numbers and results JSON cannot carry', async () => {
    expect((await callError({ abs: 'x' })).code).toBe('invalid argument');
    expect((await callError({ round: 1.5, precision: 1.5 })).code).toBe('invalid argument');
    expect((await callError({ sqrt: -1 })).code).toBe('invalid argument');
    expect((await callError({ ln: 0 })).code).toBe('invalid argument');
    expect((await callError({ pow: 10, exp: 400 })).code).toBe('invalid argument');
  });
});
