import { describe, expect, it } from 'vitest';
import { compareTuples, compareValues, encodeKey } from './ordering.ts';
import { Bytes, FaunaDate, FaunaTime, QueryValue, Ref, SetValue, makeObject, valueEquals, type Value } from './values.ts';

/** A small deterministic PRNG, so a failing case can be reproduced from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const users = new Ref('users', Ref.native('collections'));
const posts = new Ref('posts', Ref.native('collections'));

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Small alphabets on purpose: collisions and shared prefixes are where encodings go wrong. */
function randomString(r: () => number): string {
  const alphabet = ['a', 'b', '\u0000', '\u0001', '\u00ff', '\uffff', '\ud83d\ude00', '\ud800', '\udc00', '\ue000', 'é'];
  const n = Math.floor(r() * 4);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, alphabet);
  return s;
}

function randomNumber(r: () => number): number {
  return pick(r, [0, -0, 1, -1, 2, 1.5, -1.5, 0.1, 1e300, -1e300, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 5e-324, Math.floor(r() * 100) - 50]);
}

function randomValue(r: () => number, depth = 0): Value {
  const kind = Math.floor(r() * (depth > 2 ? 10 : 13));
  switch (kind) {
    case 0:
      return randomNumber(r);
    case 1:
      return randomString(r);
    case 2:
      return pick(r, [true, false, null]);
    case 3:
      return new Bytes(Uint8Array.from({ length: Math.floor(r() * 3) }, () => pick(r, [0, 1, 255])));
    case 4:
      return new Ref(pick(r, ['1', '2', '10', '9', '01', 'x', '', '18446744073709551615']), pick(r, [users, posts]));
    case 5:
      return pick(r, [
        Ref.native('collections'),
        Ref.native('indexes'),
        users,
        new Ref('users', Ref.native('collections'), new Ref('child', Ref.native('databases'))),
      ]);
    case 6:
      return new FaunaTime(BigInt(Math.floor(r() * 2000) - 1000) * pick(r, [1n, 1_000_000_000n, 10n ** 18n]));
    case 7:
      return new FaunaDate(Math.floor(r() * 40) - 20);
    case 8:
      return new QueryValue({ lambda: 'x', expr: { var: pick(r, ['x', 'y']) } });
    case 9:
      return new SetValue({ type: 'documents', collection: pick(r, [users, posts]) });
    case 10:
    case 11:
      return Array.from({ length: Math.floor(r() * 3) }, () => randomValue(r, depth + 1));
    default:
      return makeObject(Array.from({ length: Math.floor(r() * 3) }, () => [pick(r, ['a', 'b', 'ab', '']), randomValue(r, depth + 1)] as const));
  }
}

function memcmp(a: Uint8Array, b: Uint8Array): number {
  return Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function describeValue(v: Value): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x instanceof Uint8Array ? [...x] : x));
}

describe('compareValues', () => {
  it("follows Fauna's documented type order", () => {
    const ascending: Value[] = [
      1e300,
      new Bytes(new Uint8Array([0])),
      '',
      [],
      {},
      Ref.native('collections'),
      new FaunaTime(0n),
      new FaunaDate(0),
      false,
      true,
      null,
    ];
    for (let i = 0; i + 1 < ascending.length; i++) {
      expect(compareValues(ascending[i], ascending[i + 1]), `${i}`).toBeLessThan(0);
      expect(compareValues(ascending[i + 1], ascending[i]), `${i}`).toBeGreaterThan(0);
    }
  });

  it('orders numbers numerically with integers and doubles mixed', () => {
    expect(compareValues(0.5, 1)).toBeLessThan(0);
    expect(compareValues(1, 1.5)).toBeLessThan(0);
    expect(compareValues(-0, 0)).toBe(0);
    expect(compareValues(-Infinity, -1e308)).toBeLessThan(0);
  });

  it('orders strings by code point, not by UTF-16 unit', () => {
    // U+1F600 is encoded as surrogates (0xD83D...), which as UTF-16 units sort below U+E000.
    expect(compareValues('\ud83d\ude00', '\ue000')).toBeGreaterThan(0);
    expect('\ud83d\ude00' < '\ue000').toBe(true);
    expect(compareValues('a', 'ab')).toBeLessThan(0);
    expect(compareValues('B', 'a')).toBeLessThan(0);
  });

  it('orders arrays lexicographically, shorter first', () => {
    expect(compareValues([1, 2, 3], [1, 2, 3, 1])).toBeLessThan(0);
    expect(compareValues([1, 2, 3, 1], [2])).toBeLessThan(0);
  });

  it('orders refs by collection, then numeric id numerically', () => {
    expect(compareValues(new Ref('9', users), new Ref('10', users))).toBeLessThan(0);
    expect(compareValues(new Ref('10', posts), new Ref('9', users))).toBeLessThan(0);
    expect(compareValues(new Ref('99', users), new Ref('a', users))).toBeLessThan(0);
    expect(compareValues(Ref.native('indexes'), users)).toBeLessThan(0);
  });

  it('orders times by nanoseconds and booleans false first', () => {
    expect(compareValues(new FaunaTime(1n), new FaunaTime(2n))).toBeLessThan(0);
    expect(compareValues(new FaunaTime(-5n), new FaunaTime(-4n))).toBeLessThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
  });

  it('is zero exactly for equal values, and antisymmetric', () => {
    const r = rng(7);
    for (let i = 0; i < 3000; i++) {
      const a = randomValue(r);
      const b = randomValue(r);
      const c = compareValues(a, b);
      expect(c === 0, `${describeValue(a)} vs ${describeValue(b)}`).toBe(valueEquals(a, b));
      expect(Math.sign(compareValues(b, a)) || 0).toBe(-Math.sign(c) || 0);
    }
  });

  it('is transitive on random triples', () => {
    const r = rng(11);
    for (let i = 0; i < 2000; i++) {
      const [a, b, c] = [randomValue(r), randomValue(r), randomValue(r)].sort(compareValues);
      expect(compareValues(a, c), `${describeValue(a)} ${describeValue(c)}`).toBeLessThanOrEqual(0);
      expect(compareValues(a, b)).toBeLessThanOrEqual(0);
    }
  });
});

describe('encodeKey', () => {
  it('sorts by memcmp exactly as compareValues sorts single values', () => {
    const r = rng(1);
    for (let i = 0; i < 5000; i++) {
      const a = randomValue(r);
      const b = randomValue(r);
      const expected = Math.sign(compareValues(a, b));
      expect(memcmp(encodeKey([a]), encodeKey([b])), `${describeValue(a)} vs ${describeValue(b)}`).toBe(expected);
    }
  });

  it('sorts tuples element-wise, with and without reversed elements', () => {
    const r = rng(2);
    for (let i = 0; i < 4000; i++) {
      const len = 1 + Math.floor(r() * 3);
      const a = Array.from({ length: len }, () => randomValue(r, 1));
      const b = Array.from({ length: 1 + Math.floor(r() * 3) }, () => randomValue(r, 1));
      const reverse = Array.from({ length: 3 }, () => r() < 0.5);
      expect(memcmp(encodeKey(a), encodeKey(b))).toBe(Math.sign(compareTuples(a, b)));
      expect(memcmp(encodeKey(a, reverse), encodeKey(b, reverse)), `${describeValue(a)} vs ${describeValue(b)} ${reverse.join(',')}`).toBe(
        Math.sign(compareTuples(a, b, reverse)),
      );
    }
  });

  it('makes a tuple prefix a byte prefix that sorts first, reversed or not', () => {
    const r = rng(3);
    for (let i = 0; i < 2000; i++) {
      const head = randomValue(r, 1);
      const tail = randomValue(r, 1);
      const reverse = [r() < 0.5, r() < 0.5];
      const short = encodeKey([head], reverse);
      const long = encodeKey([head, tail], reverse);
      expect(Buffer.from(long.subarray(0, short.length)).equals(Buffer.from(short))).toBe(true);
      expect(memcmp(short, long)).toBe(-1);
    }
  });

  it('reverses a flagged element and leaves the others ascending', () => {
    const rows: Value[][] = [
      [1, 'b'],
      [2, 'a'],
      [2, 'b'],
      [3, 'a'],
    ];
    const sorted = [...rows].sort((x, y) => memcmp(encodeKey(x, [true, false]), encodeKey(y, [true, false])));
    expect(sorted).toEqual([
      [3, 'a'],
      [2, 'a'],
      [2, 'b'],
      [1, 'b'],
    ]);
  });

  it('keeps strings with NUL apart from their neighbours', () => {
    const keys = ['a', 'a\u0000', 'a\u0000\u0000', 'a\u0001', 'ab'].map((s) => encodeKey([s]));
    for (let i = 0; i + 1 < keys.length; i++) expect(memcmp(keys[i], keys[i + 1])).toBe(-1);
  });

  it('gives -0 and 0 the same key', () => {
    expect(memcmp(encodeKey([-0]), encodeKey([0]))).toBe(0);
  });
});
