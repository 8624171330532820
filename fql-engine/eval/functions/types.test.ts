import { describe, expect, it } from 'vitest';
import { Bytes, FaunaDate, FaunaTime, QueryValue, Ref, SetValue, type Value } from '../../values.ts';
import { call } from './spec-harness.ts';

const collections = Ref.native('collections');
const users = new Ref('users', collections);
const doc = new Ref('1', users);
const index = new Ref('by_email', Ref.native('indexes'));
const set = new SetValue({ type: 'match', index, terms: ['a'], rawTerms: 'a' });
const lambda = new QueryValue({ lambda: 'x', expr: { var: 'x' } });

const samples: Readonly<Record<string, Value>> = {
  null: null,
  string: 'string',
  integer: 10,
  double: 3.14,
  boolean: false,
  array: [10],
  object: { x: 10 },
  ref: users,
  time: new FaunaTime(0n),
  date: new FaunaDate(0),
  bytes: new Bytes(new Uint8Array([1, 2])),
  set,
  lambda,
};

/** Which samples each test accepts; every other sample must be rejected. */
const accepts: Readonly<Record<string, readonly string[]>> = {
  is_null: ['null'],
  is_string: ['string'],
  is_number: ['integer', 'double'],
  is_integer: ['integer'],
  is_double: ['double'],
  is_boolean: ['boolean'],
  is_array: ['array'],
  is_object: ['object'],
  is_ref: ['ref'],
  is_timestamp: ['time'],
  is_date: ['date'],
  is_bytes: ['bytes'],
  is_set: ['set'],
  is_lambda: ['lambda'],
};

describe('type tests', () => {
  for (const [key, yes] of Object.entries(accepts)) {
    it(`${key} accepts exactly ${yes.join(', ')}`, async () => {
      for (const [name, value] of Object.entries(samples)) {
        expect(await call({ [key]: value }), `${key}(${name})`).toBe(yes.includes(name));
      }
    });
  }

  it('treats native refs such as Collections() as sets too', async () => {
    expect(await call({ is_set: collections })).toBe(true);
    expect(await call({ is_ref: collections })).toBe(true);
    expect(await call({ is_set: users })).toBe(false);
  });

  it('recognises schema refs and read documents by their ref', async () => {
    expect(await call({ is_collection: users })).toBe(true);
    expect(await call({ is_collection: { ref: users, name: 'users' } })).toBe(true);
    expect(await call({ is_index: index })).toBe(true);
    expect(await call({ is_index: users })).toBe(false);
    expect(await call({ is_doc: doc })).toBe(true);
    expect(await call({ is_doc: { ref: doc, data: {} } })).toBe(true);
    expect(await call({ is_doc: {} })).toBe(false);
    expect(await call({ is_role: new Ref('admin', Ref.native('roles')) })).toBe(true);
    expect(await call({ is_role: collections })).toBe(false);
  });
});
