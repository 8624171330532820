/** Documents of user collections: Create, Get, Exists, Update, Replace, Delete, Documents. */

import { q, values, type Case } from '../harness.ts';

const things = q.CreateCollection({ name: 'things' });
const thing = (id: string) => q.Ref(q.Collection('things'), id);
const make = (id: string, data: object) => q.Create(thing(id), { data });
const threeThings = [things, make('101', { n: 1 }), make('102', { n: 2 }), make('103', { n: 3 })];

export const documentCases: readonly Case[] = [
  { name: 'Create answers the document: ref, ts and data', setup: [things], query: q.Let({ d: make('101', { n: 1 }) }, { ref: q.Select('ref', q.Var('d')), data: q.Select('data', q.Var('d')), ts: q.IsNumber(q.Select('ts', q.Var('d'))) }), expect: { ref: thing('101'), data: { n: 1 }, ts: true } },
  { name: 'Create without an id picks a new id in the collection', setup: [things], query: q.Let({ d: q.Create(q.Collection('things'), { data: {} }) }, [q.IsString(q.Select(['ref', 'id'], q.Var('d'))), q.Equals(q.Select(['ref', 'collection'], q.Var('d')), q.Collection('things'))]), expect: [true, true] },
  { name: "a document's ts is the transaction time in microseconds", setup: [things], query: q.Let({ d: make('101', {}) }, q.Equals(q.Epoch(q.Select('ts', q.Var('d')), 'microsecond'), q.Now())), expect: true },
  { name: 'Create with an id that is taken', setup: [things, make('101', {})], query: make('101', {}), expectError: 'instance already exists' },
  { name: 'a taken id is the error even when an Abort follows it', setup: [things, make('101', {})], query: q.Do(make('101', { n: 2 }), q.Abort('later')), expectError: 'instance already exists' },
  { name: 'Create in a collection that does not exist', query: q.Create(q.Collection('nope'), { data: {} }), expectError: 'invalid ref' },
  { name: 'Create stores every kind of value', setup: [things], query: q.Select('data', make('101', { s: 'x', i: 1, d: 1.5, b: true, arr: [1, 'a', [2]], obj: { k: 'v' }, t: q.Time('1970-01-01T00:00:00Z'), day: q.Date('1970-01-01'), r: q.Collection('things'), bytes: q.Bytes('AQIDBA==') })), expect: { s: 'x', i: 1, d: 1.5, b: true, arr: [1, 'a', [2]], obj: { k: 'v' }, t: q.Time('1970-01-01T00:00:00Z'), day: q.Date('1970-01-01'), r: q.Collection('things'), bytes: new values.Bytes('AQIDBA==') } },
  { name: 'a field written as null is not stored', setup: [things], query: q.Select('data', make('101', { kept: 1, gone: null })), expect: { kept: 1 } },
  // The driver cannot send a `__proto__` key (its wrapping assigns it, which sets a prototype), so ToObject makes it.
  { name: 'a field named __proto__ is stored and read back as a field', setup: [things, q.Create(thing('101'), { data: q.ToObject([['__proto__', q.ToObject([['x', 1]])], ['n', 2]]) })], query: [q.ToArray(q.Select('data', q.Get(thing('101')))), q.Select(['data', '__proto__', 'x'], q.Get(thing('101')))], expect: [[['__proto__', { x: 1 }], ['n', 2]], 1] },
  { name: 'a field whose name starts with @ round-trips', setup: [things, make('101', { '@tag': 'x' })], query: q.Select('data', q.Get(thing('101'))), expect: { '@tag': 'x' } },
  { name: 'Create with a ttl shows it', setup: [things], query: q.IsTimestamp(q.Select('ttl', q.Create(q.Collection('things'), { data: {}, ttl: q.TimeAdd(q.Now(), 1, 'day') }))), expect: true },

  { name: 'Get reads what an earlier query wrote', setup: [things, make('101', { n: 1, s: 'a' })], query: q.Select('data', q.Get(thing('101'))), expect: { n: 1, s: 'a' } },
  { name: 'Get answers ref and ts as well', setup: [things, make('101', {})], query: q.Let({ d: q.Get(thing('101')) }, [q.Select('ref', q.Var('d')), q.IsNumber(q.Select('ts', q.Var('d')))]), expect: [thing('101'), true] },
  { name: 'Get of a document that does not exist', setup: [things], query: q.Get(thing('999')), expectError: 'instance not found' },
  { name: 'Exists of a document and of a missing one', setup: [things, make('101', {})], query: [q.Exists(thing('101')), q.Exists(thing('999'))], expect: [true, false] },
  { name: 'documents of two collections are apart', setup: [things, q.CreateCollection({ name: 'others' }), make('101', {})], query: q.Exists(q.Ref(q.Collection('others'), '101')), expect: false },

  { name: 'Update merges nested objects and keeps other fields', setup: [things, make('101', { a: 1, b: { x: 1 } })], query: q.Select('data', q.Update(thing('101'), { data: { b: { y: 2 }, c: 3 } })), expect: { a: 1, b: { x: 1, y: 2 }, c: 3 } },
  { name: 'Update with null removes a field', setup: [things, make('101', { n: 0, m: 9 })], query: q.Select('data', q.Update(thing('101'), { data: { m: null } })), expect: { n: 0 } },
  { name: 'Update replaces arrays whole', setup: [things, make('101', { tags: ['a', 'b'] })], query: q.Select(['data', 'tags'], q.Update(thing('101'), { data: { tags: ['c'] } })), expect: ['c'] },
  { name: 'an Update is seen by the next query', setup: [things, make('101', { n: 1 }), q.Update(thing('101'), { data: { n: 2 } })], query: q.Select(['data', 'n'], q.Get(thing('101'))), expect: 2 },
  { name: 'Update moves ts forward', setup: [things, make('101', { n: 1 })], query: q.Let({ before: q.Select('ts', q.Get(thing('101'))) }, q.GT(q.Select('ts', q.Update(thing('101'), { data: { n: 2 } })), q.Var('before'))), expect: true },
  { name: 'Update of a document that does not exist', setup: [things], query: q.Update(thing('999'), { data: { n: 1 } }), expectError: 'instance not found' },
  { name: 'Replace replaces the data', setup: [things, make('101', { a: 1, b: 2 })], query: q.Select('data', q.Replace(thing('101'), { data: { c: 3 } })), expect: { c: 3 } },
  { name: 'Replace of a document that does not exist', setup: [things], query: q.Replace(thing('999'), { data: {} }), expectError: 'instance not found' },

  // Reads after writes in one query: the query sees its own writes, however often it read before.
  { name: 'Get, Update, Get in one query: the second Get sees the Update', setup: [things, make('101', { n: 1 })], query: q.Let({ before: q.Select(['data', 'n'], q.Get(thing('101'))), w: q.Update(thing('101'), { data: { n: 2 } }), after: q.Select(['data', 'n'], q.Get(thing('101'))) }, [q.Var('before'), q.Var('after')]), expect: [1, 2] },
  { name: 'Get, Replace, Get in one query', setup: [things, make('101', { a: 1 })], query: q.Let({ before: q.Select('data', q.Get(thing('101'))), w: q.Replace(thing('101'), { data: { b: 2 } }), after: q.Select('data', q.Get(thing('101'))) }, [q.Var('before'), q.Var('after')]), expect: [{ a: 1 }, { b: 2 }] },
  { name: 'Exists, Create, Exists in one query', setup: [things], query: q.Let({ before: q.Exists(thing('101')), w: make('101', {}), after: q.Exists(thing('101')) }, [q.Var('before'), q.Var('after')]), expect: [false, true] },
  { name: 'Get, Delete, Get in one query fails as not found', setup: [things, make('101', {})], query: q.Do(q.Get(thing('101')), q.Delete(thing('101')), q.Get(thing('101'))), expectError: 'instance not found' },
  { name: 'Delete answers the deleted document', setup: [things, make('101', { n: 1 })], query: q.Select('data', q.Delete(thing('101'))), expect: { n: 1 }, afterwards: { query: q.Exists(thing('101')), expect: false } },
  { name: 'Delete then Exists in the same query', setup: [things, make('101', {})], query: q.Do(q.Delete(thing('101')), q.Exists(thing('101'))), expect: false },
  { name: 'Get of a deleted document', setup: [things, make('101', {}), q.Delete(thing('101'))], query: q.Get(thing('101')), expectError: 'instance not found' },
  { name: 'Delete of a document that does not exist', setup: [things], query: q.Delete(thing('999')), expectError: 'instance not found' },

  { name: 'Documents lists a collection in ref order', setup: threeThings, query: q.Paginate(q.Documents(q.Collection('things'))), expect: { data: [thing('101'), thing('102'), thing('103')] } },
  { name: 'Documents of an empty collection', setup: [things], query: q.Paginate(q.Documents(q.Collection('things'))), expect: { data: [] } },
  { name: 'Count of Documents', setup: threeThings, query: q.Count(q.Documents(q.Collection('things'))), expect: 3 },
  { name: 'Map over a page of refs reads each document', setup: threeThings, query: q.Map(q.Paginate(q.Documents(q.Collection('things'))), q.Lambda('r', q.Select(['data', 'n'], q.Get(q.Var('r'))))), expect: { data: [1, 2, 3] } },
  { name: 'a ref from a page equals the ref built by hand', setup: threeThings, query: q.Equals(q.Select(['data', 0], q.Paginate(q.Documents(q.Collection('things')))), thing('101')), expect: true },
  { name: 'a ref stored in a document reads back as a ref', setup: [things, make('101', {}), make('102', { link: thing('101') })], query: q.Select(['data', 'n'], q.Get(q.Select(['data', 'link'], q.Get(thing('102')))), 'no n'), expect: 'no n' },
];
