/** Select, Contains*, Merge, ToObject, ToArray and the Is* type tests. */

import { q, type Case } from '../harness.ts';

const obj = { a: { b: 1 } };
const band = { band: 'phish', members: { trey: 'guitar', mike: 'bass' } };
const phish = { guitar: 'trey', bass: 'mike', members: 4, instruments: ['guitar', 'bass'] };

const things = [q.CreateCollection({ name: 'things' }), q.Create(q.Ref(q.Collection('things'), '101'), { data: { n: 1 } }), q.Create(q.Ref(q.Collection('things'), '102'), { data: { n: 2 } })];
const thing = (id: string) => q.Ref(q.Collection('things'), id);

export const objectAndTypeCases: readonly Case[] = [
  { name: 'Select a field', query: q.Select('a', obj), expect: { b: 1 } },
  { name: 'Select a path', query: q.Select(['a', 'b'], obj), expect: 1 },
  { name: 'Select an array element', query: q.Select(2, [1, 2, 3]), expect: 3 },
  { name: 'Select through objects and arrays', query: q.Select(['a', 0, 'b'], { a: [{ b: 'x' }] }), expect: 'x' },
  { name: 'Select a missing field with a default', query: [q.Select('c', obj, 'default'), q.Select('c', obj, null)], expect: ['default', null] },
  { name: 'Select ignores the default when the field exists', query: q.Select(['a', 'b'], obj, 'default'), expect: 1 },
  { name: 'Select a missing field without a default', query: q.Select('c', obj), expectError: 'value not found' },
  { name: 'Select past the end of an array', query: q.Select(3, [1, 2, 3]), expectError: 'value not found' },
  { name: 'Select a missing path without a default', query: q.Select(['a', 'b', 'c'], obj), expectError: 'value not found' },

  { name: 'ContainsField looks at top-level fields only', query: [q.ContainsField('band', band), q.ContainsField('trey', band)], expect: [true, false] },
  // The driver's typings allow only a string field; Fauna refused anything else at run time.
  { name: 'ContainsField refuses a path', query: q.ContainsField(['band'] as unknown as string, band), expectError: 'invalid argument' },
  { name: 'ContainsPath', query: [q.ContainsPath(['a', 'b'], obj), q.ContainsPath('a', obj), q.ContainsPath(['a', 'c'], obj)], expect: [true, true, false] },
  { name: 'ContainsPath through arrays', query: [q.ContainsPath(['a', 0], { a: [1] }), q.ContainsPath(['a', 1], { a: [1] })], expect: [true, false] },
  { name: 'ContainsValue in an array', query: [q.ContainsValue(1, [1, [2, 3]]), q.ContainsValue([2, 3], [1, [2, 3]]), q.ContainsValue({ id: 2 }, [{ id: 1 }, { id: 2 }]), q.ContainsValue({ id: 3 }, [{ id: 1 }])], expect: [true, true, true, false] },
  { name: 'ContainsValue in an object', query: [q.ContainsValue('trey', phish), q.ContainsValue('kuroda', phish), q.ContainsValue(4, phish), q.ContainsValue(['guitar', 'bass'], phish)], expect: [true, false, true, true] },
  { name: 'ContainsValue refuses a string to search', query: q.ContainsValue('a', 'abc'), expectError: 'invalid argument' },

  { name: 'Merge adds fields', query: [q.Merge({}, { x: 10, y: 20 }), q.Merge({ one: 1 }, { two: 2 })], expect: [{ x: 10, y: 20 }, { one: 1, two: 2 }] },
  { name: 'Merge overwrites a field', query: q.Merge({ x: 'x', y: 'y', z: 'z' }, { z: 'Zzz' }), expect: { x: 'x', y: 'y', z: 'Zzz' } },
  { name: 'Merge of a list of objects', query: q.Merge({}, [{ x: 'x' }, { y: 'y' }, { z: 'z' }]), expect: { x: 'x', y: 'y', z: 'z' } },
  { name: 'Merge removes a field set to null', query: q.Merge({ a: 1, b: 2 }, { b: null }), expect: { a: 1 } },
  { name: 'Merge is shallow', query: q.Merge({ a: { x: 1 } }, { a: { y: 2 } }), expect: { a: { y: 2 } } },
  { name: 'Merge with a resolver lambda (key, left, right)', query: q.Merge({ x: 'A' }, { x: 'x', y: 'y', z: 'z' }, q.Lambda(['key', 'left', 'right'], q.Var('left'))), expect: { x: 'A' } },
  { name: 'Merge with a resolver that combines', query: q.Merge({ n: 1 }, { n: 2 }, q.Lambda(['key', 'left', 'right'], q.Add(q.Var('left'), q.Var('right')))), expect: { n: 3 } },

  { name: 'ToObject', query: q.ToObject([['k0', 10], ['k1', 20]]), expect: { k0: 10, k1: 20 } },
  { name: 'ToArray', query: q.ToArray({ k0: 10, k1: 20 }), expect: [['k0', 10], ['k1', 20]] },
  { name: 'ToObject of ToArray round-trips', query: q.ToObject(q.ToArray({ k0: 10, k1: 20 })), expect: { k0: 10, k1: 20 } },

  { name: 'type tests answering true', setup: [q.CreateCollection({ name: 'kinds' })], query: [q.IsNull(null), q.IsString('s'), q.IsNumber(3.14), q.IsNumber(10), q.IsArray([10]), q.IsObject({ x: 10 }), q.IsObject(q.Paginate(q.Collections())), q.IsRef(q.Collection('kinds')), q.IsTimestamp(q.Now()), q.IsTimestamp(q.Epoch(1, 'second')), q.IsTimestamp(q.Time('1970-01-01T00:00:00Z'))], expect: [true, true, true, true, true, true, true, true, true, true, true] },
  { name: 'type tests answering false', query: [q.IsNull('string'), q.IsString([]), q.IsString(10), q.IsNumber('string'), q.IsNumber([]), q.IsArray({ x: 10 }), q.IsObject([10]), q.IsRef(10), q.IsRef('collections/x'), q.IsTimestamp(q.Date('1970-01-01')), q.IsTimestamp(10)], expect: [false, false, false, false, false, false, false, false, false, false, false] },

  // A page is Fauna's own value: a number in a path reads its data (ReadAdaptor.scala).
  { name: "Select of a number in a page reads the page's data", setup: things, query: q.Select([0], q.Paginate(q.Documents(q.Collection('things')))), expect: thing('101') },
  { name: 'Select of a path through a page', setup: things, query: q.Select([1, 'id'], q.Paginate(q.Documents(q.Collection('things')))), expect: '102' },
  { name: 'Select past the end of a page is not found', setup: things, query: q.Select([5], q.Paginate(q.Documents(q.Collection('things')))), expectError: 'value not found' },
  { name: "Select of a page's after cursor", setup: things, query: q.Select(['after', 0], q.Paginate(q.Documents(q.Collection('things')), { size: 1 })), expect: thing('102') },
  // ContainsValue looks in a ref's id, collection and database, and in a document's collection too (ObjectFunctions.scala).
  { name: 'ContainsValue finds the collection of a ref', setup: things, query: q.ContainsValue(q.Collection('things'), thing('101')), expect: true },
  { name: 'ContainsValue finds the id of a ref', setup: things, query: [q.ContainsValue('101', thing('101')), q.ContainsValue('102', thing('101'))], expect: [true, false] },
  { name: "ContainsValue finds a document's ref, data and collection", setup: things, query: q.Let({ d: q.Get(thing('101')) }, [q.ContainsValue(thing('101'), q.Var('d')), q.ContainsValue({ n: 1 }, q.Var('d')), q.ContainsValue(q.Collection('things'), q.Var('d')), q.ContainsValue(1, q.Var('d'))]), expect: [true, true, true, false] },
  { name: 'ContainsValue finds an element of a set', setup: [...things, q.CreateIndex({ name: 'things_n', source: q.Collection('things'), values: [{ field: ['data', 'n'] }] })], query: [q.ContainsValue(2, q.Match(q.Index('things_n'))), q.ContainsValue(7, q.Match(q.Index('things_n')))], expect: [true, false] },
  { name: 'ContainsValue in a page compares its data as a whole', setup: things, query: q.Let({ p: q.Paginate(q.Documents(q.Collection('things'))) }, [q.ContainsValue(q.Select('data', q.Var('p')), q.Var('p')), q.ContainsValue(thing('101'), q.Var('p'))]), expect: [true, false] },
  { name: 'ContainsValue in a scalar is refused', query: q.ContainsValue(1, 123), expectError: 'invalid argument' },
];
