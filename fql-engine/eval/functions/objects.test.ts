import { describe, expect, it } from 'vitest';
import { QueryValue, Ref, type Value } from '../../values.ts';
import { call, callError } from './spec-harness.ts';

const users = new Ref('users', Ref.native('collections'));
const doc = new Ref('101', users);
const obj = { a: { b: 1 }, list: [10, 20, { c: 'deep' }], nothing: null };

describe('Select', () => {
  it('follows field names and array indexes', async () => {
    expect(await call({ select: 'a', from: obj })).toEqual({ b: 1 });
    expect(await call({ select: ['a', 'b'], from: obj })).toBe(1);
    expect(await call({ select: ['list', 2, 'c'], from: obj })).toBe('deep');
    expect(await call({ select: 2, from: [1, 2, 3] })).toBe(3);
    expect(await call({ select: [], from: obj })).toEqual(obj);
    expect(await call({ select: 'nothing', from: obj })).toBeNull();
  });

  it('reads the parts of a ref', async () => {
    expect(await call({ select: 'id', from: doc })).toBe('101');
    expect(await call({ select: 'collection', from: doc })).toBe(users);
    expect(await call({ select: ['collection', 'id'], from: doc })).toBe('users');
    expect(await call({ select: ['ref', 'id'], from: { ref: doc } })).toBe('101');
  });

  it('answers the default when the path is missing, even a null default', async () => {
    expect(await call({ select: 'c', from: obj, default: 'default' })).toBe('default');
    expect(await call({ select: 'c', from: obj, default: null })).toBeNull();
    expect(await call({ select: 3, from: [1, 2, 3], default: 0 })).toBe(0);
  });

  it("fails with Fauna's value not found (404) without a default", async () => {
    for (
      const args of [
        { select: 'c', from: obj },
        { select: 3, from: [1, 2, 3] },
        { select: ['a', 'b', 'c'], from: obj },
        { select: 0, from: obj },
        { select: 'a', from: [obj] },
        { select: 'database', from: doc },
      ]
    ) {
      const e = await callError(args);
      expect(e.code, JSON.stringify(args.select)).toBe('value not found');
      expect(e.status).toBe(404);
    }
  });

  it('refuses path elements that are not strings or integers', async () => {
    const e = await callError({ select: ['a', true], from: obj });
    expect(e.code).toBe('invalid argument');
    expect(e.position).toEqual(['select', 1]);
    expect((await callError({ select: 1.5, from: [1, 2] })).code).toBe('invalid argument');
  });
});

describe('SelectAll and the Contains family', () => {
  it('SelectAll collects a field across arrays', async () => {
    expect(await call({ select_all: 'foo', from: [{ foo: 'bar' }, { foo: 'baz' }, { other: 1 }] })).toEqual(['bar', 'baz']);
    expect(await call({ select_all: ['foo', 0], from: [{ foo: [0, 1] }, { foo: [2, 3] }] })).toEqual([0, 2]);
    expect(await call({ select_all: ['a', 'b'], from: { a: [{ b: 1 }, { b: 2 }] } })).toEqual([1, 2]);
  });

  it('ContainsPath and Contains tell whether Select would find something', async () => {
    expect(await call({ contains_path: ['a', 'b'], in: obj })).toBe(true);
    expect(await call({ contains_path: ['a', 'c'], in: obj })).toBe(false);
    expect(await call({ contains_path: 'nothing', in: obj })).toBe(true);
    expect(await call({ contains: 'a', in: obj })).toBe(true);
    expect(await call({ contains: ['list', 5], in: obj })).toBe(false);
    expect(await call({ contains_path: 'id', in: doc })).toBe(true);
  });

  it('ContainsField looks at one object level', async () => {
    expect(await call({ contains_field: 'a', in: obj })).toBe(true);
    expect(await call({ contains_field: 'b', in: obj })).toBe(false);
    expect((await callError({ contains_field: 'a', in: [1] })).code).toBe('invalid argument');
    expect((await callError({ contains_field: 1, in: obj })).code).toBe('invalid argument');
  });

  it('ContainsValue looks at array elements and object values', async () => {
    expect(await call({ contains_value: 20, in: [10, 20] })).toBe(true);
    expect(await call({ contains_value: { b: 1 }, in: obj })).toBe(true);
    expect(await call({ contains_value: 'deep', in: obj })).toBe(false);
    expect(await call({ contains_value: doc, in: [new Ref('101', users)] })).toBe(true);
    expect((await callError({ contains_value: 1, in: 'abc' })).code).toBe('invalid argument');
  });
});

describe('Merge', () => {
  it('merges shallowly, later objects winning, null removing', async () => {
    expect(await call({ merge: {}, with: { x: 10, y: 20 } })).toEqual({ x: 10, y: 20 });
    expect(await call({ merge: { x: 'x', y: 'y', z: 'z' }, with: { z: 'Zzz' } })).toEqual({ x: 'x', y: 'y', z: 'Zzz' });
    expect(await call({ merge: {}, with: [{ x: 'x' }, { y: 'y' }, { x: 'X' }] })).toEqual({ x: 'X', y: 'y' });
    expect(await call({ merge: { a: 1, b: 2 }, with: { a: null } })).toEqual({ b: 2 });
    expect(await call({ merge: { a: { deep: 1 } }, with: { a: { other: 2 } } })).toEqual({ a: { other: 2 } });
  });

  it('lets a lambda decide each field of `with`', async () => {
    const lambda = new QueryValue({ lambda: ['key', 'left', 'right'], expr: { var: 'left' } });
    const seen: Value[][] = [];
    const keepLeft = async (l: Value, args: readonly Value[]): Promise<Value> => {
      expect(l).toBe(lambda);
      seen.push([...args]);
      return args[1];
    };
    expect(await call({ merge: { x: 'A' }, with: { x: 'x', y: 'y' }, lambda }, keepLeft)).toEqual({ x: 'A' });
    expect(seen).toEqual([
      ['x', 'A', 'x'],
      ['y', null, 'y'],
    ]);
  });

  it('refuses what is not an object', async () => {
    expect((await callError({ merge: [1], with: {} })).position).toEqual(['merge']);
    expect((await callError({ merge: {}, with: [{}, 3] })).position).toEqual(['with', 1]);
  });
});

describe('ToObject and ToArray', () => {
  it('convert between objects and [key, value] pairs', async () => {
    expect(await call({ to_object: [['k0', 10], ['k1', 20]] })).toEqual({ k0: 10, k1: 20 });
    expect(await call({ to_array: { k0: 10, k1: 20 } })).toEqual([['k0', 10], ['k1', 20]]);
    const roundTrip = await call({ to_object: await call({ to_array: obj }) });
    expect(roundTrip).toEqual(obj);
  });

  it('keeps __proto__ as an ordinary field', async () => {
    const o = await call({ to_object: [['__proto__', 1]] });
    expect(Object.keys(o as object)).toEqual(['__proto__']);
  });

  it('refuses malformed input', async () => {
    expect((await callError({ to_object: [['k0']] })).position).toEqual(['to_object', 0]);
    expect((await callError({ to_object: [[1, 2]] })).code).toBe('invalid argument');
    expect((await callError({ to_array: [1] })).code).toBe('invalid argument');
  });
});

describe('Sum, Mean, Any, All on arrays', () => {
  it('aggregate', async () => {
    const values = Array.from({ length: 100 }, (_v, k) => k + 1);
    expect(await call({ sum: values })).toBe(5050);
    expect(await call({ mean: values })).toBe(50.5);
    expect(await call({ sum: [] })).toBe(0);
    expect(await call({ any: [false, false, false] })).toBe(false);
    expect(await call({ any: [true, false, true] })).toBe(true);
    expect(await call({ all: [true, true, true] })).toBe(true);
    expect(await call({ all: [true, false, true] })).toBe(false);
    expect(await call({ all: [] })).toBe(true);
    expect(await call({ any: [] })).toBe(false);
  });

  it('refuse wrong element types and non-arrays', async () => {
    expect((await callError({ sum: [1, 'a'] })).position).toEqual(['sum', 1]);
    expect((await callError({ any: [true, 1] })).code).toBe('invalid argument');
    expect((await callError({ all: 'true' })).code).toBe('invalid argument');
    expect((await callError({ mean: [] })).code).toBe('invalid argument');
  });
});
