/**
 * Indexes (terms, values, reverse, unique, several sources) and the set functions: Match, Get
 * and Exists on sets, Count, IsEmpty, IsNonEmpty, Union, Intersection, Difference, Distinct,
 * Reverse, Take, Drop, Append, Prepend, Map, Filter, Foreach.
 */

import { q, type Case, type ExprArg } from '../harness.ts';

const person = (id: string) => q.Ref(q.Collection('people'), id);
const byCity = q.Index('people_by_city');
const index = (name: string, params: object) => q.CreateIndex({ name, source: q.Collection('people'), ...params });

/** Four people, and an index by city created before them (so every write maintains it). */
const people = [
  q.CreateCollection({ name: 'people' }),
  index('people_by_city', { terms: [{ field: ['data', 'city'] }] }),
  index('people_by_lang', { terms: [{ field: ['data', 'lang'] }] }),
  q.Create(person('101'), { data: { name: 'Ada', city: 'London', lang: 'en', age: 36 } }),
  q.Create(person('102'), { data: { name: 'Bob', city: 'Paris', lang: 'fr', age: 25 } }),
  q.Create(person('103'), { data: { name: 'Cy', city: 'London', lang: 'fr', age: 41 } }),
  q.Create(person('104'), { data: { name: 'Di', city: 'Paris', lang: 'en', age: 30 } }),
];
const withIndex = (name: string, params: object) => [...people, index(name, params)];
const page = (set: ExprArg) => q.Paginate(set);

const pets = [
  q.CreateCollection({ name: 'cats' }),
  q.CreateCollection({ name: 'dogs' }),
  q.CreateIndex({ name: 'pets_by_color', source: [q.Collection('cats'), q.Collection('dogs')], terms: [{ field: ['data', 'color'] }], values: [{ field: ['data', 'name'] }] }),
  q.Create(q.Ref(q.Collection('cats'), '101'), { data: { name: 'Tom', color: 'brown' } }),
  q.Create(q.Ref(q.Collection('dogs'), '102'), { data: { name: 'Rex', color: 'brown' } }),
  q.Create(q.Ref(q.Collection('dogs'), '103'), { data: { name: 'Ace', color: 'black' } }),
];

const uniqueNames = withIndex('people_by_name', { terms: [{ field: ['data', 'name'] }], unique: true });
const tags = [q.CreateCollection({ name: 'posts' }), q.CreateIndex({ name: 'posts_by_tag', source: q.Collection('posts'), terms: [{ field: ['data', 'tags'] }] }), q.Create(q.Ref(q.Collection('posts'), '101'), { data: { tags: ['a', 'b'] } })];

/** People with an index of their ages and refs: 25 (102), 30 (104), 36 (101), 41 (103). A cursor is the values, then the ref. */
const withAges = withIndex('people_by_age', { values: [{ field: ['data', 'age'] }, { field: ['ref'] }] });
const byAge = q.Match(q.Index('people_by_age'));
/** Who names whom as a friend: Ada and Cy name Bob; Di names Ada. */
const withFriends = [
  ...withIndex('people_by_friend', { terms: [{ field: ['data', 'friend'] }] }),
  q.Update(person('101'), { data: { friend: person('102') } }),
  q.Update(person('103'), { data: { friend: person('102') } }),
  q.Update(person('104'), { data: { friend: person('101') } }),
];

export const indexAndSetCases: readonly Case[] = [
  { name: 'Match on one term', setup: people, query: page(q.Match(byCity, 'London')), expect: { data: [person('101'), person('103')] } },
  // Matches after writes in one query see the writes, however often the query matched before.
  { name: 'Match, Update of the term, Match in one query: the entry moved', setup: people, query: q.Let({ before: page(q.Match(byCity, 'London')), w: q.Update(person('101'), { data: { city: 'Rome' } }), london: page(q.Match(byCity, 'London')), rome: page(q.Match(byCity, 'Rome')) }, [q.Var('before'), q.Var('london'), q.Var('rome')]), expect: [{ data: [person('101'), person('103')] }, { data: [person('103')] }, { data: [person('101')] }] },
  { name: 'Exists on a Match, Create, Exists again in one query', setup: people, query: q.Let({ before: q.Exists(q.Match(byCity, 'Oslo')), w: q.Create(person('105'), { data: { city: 'Oslo' } }), after: q.Exists(q.Match(byCity, 'Oslo')) }, [q.Var('before'), q.Var('after')]), expect: [false, true] },
  { name: 'Count of a Match, Delete, Count again in one query', setup: people, query: q.Let({ before: q.Count(q.Match(byCity, 'Paris')), w: q.Delete(person('102')), after: q.Count(q.Match(byCity, 'Paris')) }, [q.Var('before'), q.Var('after')]), expect: [2, 1] },
  { name: 'Union of a set and an array is refused, not read as one array', setup: people, query: q.Union(q.Match(byCity, 'London'), [1]), expectError: 'invalid argument' },
  { name: 'Intersection of an array and a set is refused', setup: people, query: q.Intersection([person('101')], q.Match(byCity, 'London')), expectError: 'invalid argument' },
  { name: 'Match with a term nobody has', setup: people, query: page(q.Match(byCity, 'Rome')), expect: { data: [] } },
  { name: 'Match on several terms', setup: withIndex('people_by_city_lang', { terms: [{ field: ['data', 'city'] }, { field: ['data', 'lang'] }] }), query: page(q.Match(q.Index('people_by_city_lang'), ['Paris', 'en'])), expect: { data: [person('104')] } },
  { name: 'an index without terms lists every document', setup: withIndex('all_people', {}), query: page(q.Match(q.Index('all_people'))), expect: { data: [person('101'), person('102'), person('103'), person('104')] } },
  { name: 'index values come sorted ascending', setup: withIndex('ages_by_city', { terms: [{ field: ['data', 'city'] }], values: [{ field: ['data', 'age'] }] }), query: page(q.Match(q.Index('ages_by_city'), 'Paris')), expect: { data: [25, 30] } },
  { name: 'index values with reverse come sorted descending', setup: withIndex('ages_desc', { values: [{ field: ['data', 'age'], reverse: true }] }), query: page(q.Match(q.Index('ages_desc'))), expect: { data: [41, 36, 30, 25] } },
  { name: 'several values come as tuples, sorted by the first', setup: withIndex('names_ages', { values: [{ field: ['data', 'name'] }, { field: ['data', 'age'] }] }), query: page(q.Match(q.Index('names_ages'))), expect: { data: [['Ada', 36], ['Bob', 25], ['Cy', 41], ['Di', 30]] } },
  { name: 'a value may be the ref', setup: withIndex('ages_refs', { terms: [{ field: ['data', 'city'] }], values: [{ field: ['data', 'age'] }, { field: ['ref'] }] }), query: page(q.Match(q.Index('ages_refs'), 'London')), expect: { data: [[36, person('101')], [41, person('103')]] } },
  { name: 'a reversed first value, then a second ascending', setup: withIndex('lang_desc_name', { values: [{ field: ['data', 'lang'], reverse: true }, { field: ['data', 'name'] }] }), query: page(q.Match(q.Index('lang_desc_name'))), expect: { data: [['fr', 'Bob'], ['fr', 'Cy'], ['en', 'Ada'], ['en', 'Di']] } },
  { name: 'an index created after its documents is built at once', setup: [...people, index('late_by_lang', { terms: [{ field: ['data', 'lang'] }], values: [{ field: ['data', 'name'] }] })], query: page(q.Match(q.Index('late_by_lang'), 'fr')), expect: { data: ['Bob', 'Cy'] } },
  { name: 'an index over two collections', setup: pets, query: page(q.Match(q.Index('pets_by_color'), 'brown')), expect: { data: ['Rex', 'Tom'] } },
  { name: 'an index over two collections shows both sources', setup: pets, query: q.Select('source', q.Get(q.Index('pets_by_color'))), expect: [q.Collection('cats'), q.Collection('dogs')] },
  { name: 'an array field puts the document under each element', setup: tags, query: [page(q.Match(q.Index('posts_by_tag'), 'a')), page(q.Match(q.Index('posts_by_tag'), 'b'))], expect: [{ data: [q.Ref(q.Collection('posts'), '101')] }, { data: [q.Ref(q.Collection('posts'), '101')] }] },
  { name: 'an index follows an Update', setup: [...people, q.Update(person('101'), { data: { city: 'Paris' } })], query: [page(q.Match(byCity, 'London')), page(q.Match(byCity, 'Paris'))], expect: [{ data: [person('103')] }, { data: [person('101'), person('102'), person('104')] }] },
  { name: 'an index follows a Delete', setup: [...people, q.Delete(person('103'))], query: page(q.Match(byCity, 'London')), expect: { data: [person('101')] } },
  { name: 'a write is seen by the index in the next query', setup: [...people, q.Create(person('105'), { data: { city: 'London' } })], query: q.Count(q.Match(byCity, 'London')), expect: 3 },
  { name: 'Match on an index that does not exist', setup: people, query: page(q.Match(q.Index('nope'), 'x')), expectError: 'invalid ref' },

  { name: 'Get on a set reads its first document', setup: people, query: q.Select(['data', 'name'], q.Get(q.Match(byCity, 'Paris'))), expect: 'Bob' },
  { name: 'Get on an empty set', setup: people, query: q.Get(q.Match(byCity, 'Rome')), expectError: 'instance not found' },
  { name: 'Exists on sets', setup: people, query: [q.Exists(q.Match(byCity, 'Paris')), q.Exists(q.Match(byCity, 'Rome'))], expect: [true, false] },

  { name: 'a unique index refuses a second document with the same term', setup: uniqueNames, query: q.Create(person('201'), { data: { name: 'Ada' } }), expectError: 'instance not unique', afterwards: { query: q.Exists(person('201')), expect: false } },
  { name: 'a uniqueness failure undoes the whole query', setup: uniqueNames, query: q.Do(q.Create(person('201'), { data: { name: 'Zed' } }), q.Create(person('202'), { data: { name: 'Ada' } })), expectError: 'instance not unique', afterwards: { query: q.Exists(person('201')), expect: false } },
  // PGlite learns of a collision late (writes travel with COMMIT): the error must still be the collision, not what came after it.
  { name: 'a uniqueness failure is the error even when an Abort follows it', setup: uniqueNames, query: q.Do(q.Create(person('201'), { data: { name: 'Ada' } }), q.Abort('later')), expectError: 'instance not unique', afterwards: { query: q.Exists(person('201')), expect: false } },
  { name: 'two documents of one query claiming one unique term', setup: uniqueNames, query: q.Do(q.Create(person('201'), { data: { name: 'Zed' } }), q.Create(person('202'), { data: { name: 'Zed' } })), expectError: 'instance not unique', afterwards: { query: q.Exists(person('201')), expect: false } },
  { name: 'a document may repeat a term of a unique index over an array field', setup: [q.CreateCollection({ name: 'posts' }), q.CreateIndex({ name: 'posts_by_slug', source: q.Collection('posts'), terms: [{ field: ['data', 'slugs'] }], unique: true })], query: [q.Select(['data', 'slugs'], q.Create(q.Ref(q.Collection('posts'), '101'), { data: { slugs: ['a', 'a', 'b'] } })), q.Count(q.Match(q.Index('posts_by_slug'), 'a'))], expect: [['a', 'a', 'b'], 1] },
  { name: 'a unique index refuses an Update to a taken term', setup: uniqueNames, query: q.Update(person('102'), { data: { name: 'Ada' } }), expectError: 'instance not unique', afterwards: { query: q.Select(['data', 'name'], q.Get(person('102'))), expect: 'Bob' } },
  { name: 'a unique term is free again after its holder changed', setup: [...uniqueNames, q.Update(person('101'), { data: { name: 'Ada L.' } })], query: q.Select(['data', 'name'], q.Create(person('201'), { data: { name: 'Ada' } })), expect: 'Ada' },
  { name: 'a unique term is free again after its holder was deleted', setup: [...uniqueNames, q.Delete(person('101'))], query: q.Select(['data', 'name'], q.Create(person('201'), { data: { name: 'Ada' } })), expect: 'Ada' },
  { name: 'a unique index with values is unique over terms and values together', setup: withIndex('unique_city_name', { terms: [{ field: ['data', 'city'] }], values: [{ field: ['data', 'name'] }], unique: true }), query: q.Select(['data', 'name'], q.Create(person('201'), { data: { name: 'Eve', city: 'London' } })), expect: 'Eve' },
  { name: 'a unique index with values refuses the same terms and values', setup: withIndex('unique_city_name', { terms: [{ field: ['data', 'city'] }], values: [{ field: ['data', 'name'] }], unique: true }), query: q.Create(person('201'), { data: { name: 'Ada', city: 'London' } }), expectError: 'instance not unique' },
  { name: 'CreateIndex keeps unique, serialized, terms and values', setup: withIndex('shown', { terms: [{ field: ['data', 'city'] }], values: [{ field: ['data', 'age'], reverse: true }], unique: true, serialized: true }), query: q.Let({ i: q.Get(q.Index('shown')) }, [q.Select('unique', q.Var('i')), q.Select('serialized', q.Var('i')), q.Select('terms', q.Var('i')), q.Select('values', q.Var('i')), q.Select('source', q.Var('i'))]), expect: [true, true, [{ field: ['data', 'city'] }], [{ field: ['data', 'age'], reverse: true }], q.Collection('people')] },

  { name: 'Count of an array and of a set', setup: people, query: [q.Count([1, 2, 3]), q.Count(q.Match(byCity, 'London'))], expect: [3, 2] },
  { name: 'Count of a page answers a page', setup: people, query: q.Count(page(q.Match(byCity, 'London'))), expect: { data: [2] } },
  { name: 'IsEmpty and IsNonEmpty of arrays', query: [q.IsEmpty([]), q.IsEmpty([1, 2, 3]), q.IsNonEmpty([]), q.IsNonEmpty([1, 2, 3])], expect: [true, false, false, true] },
  { name: 'IsEmpty and IsNonEmpty of pages', setup: people, query: [q.IsEmpty(page(q.Match(byCity, 'Rome'))), q.IsEmpty(page(q.Match(byCity, 'Paris'))), q.IsNonEmpty(page(q.Match(byCity, 'Rome'))), q.IsNonEmpty(page(q.Match(byCity, 'Paris')))], expect: [true, false, false, true] },
  { name: 'IsEmpty and IsNonEmpty of sets', setup: people, query: [q.IsEmpty(q.Match(byCity, 'Rome')), q.IsNonEmpty(q.Match(byCity, 'Paris'))], expect: [true, true] },

  { name: 'Union of sets', setup: people, query: page(q.Union(q.Match(byCity, 'London'), q.Match(q.Index('people_by_lang'), 'en'))), expect: { data: [person('101'), person('103'), person('104')] } },
  { name: 'Intersection of sets', setup: people, query: page(q.Intersection(q.Match(byCity, 'London'), q.Match(q.Index('people_by_lang'), 'fr'))), expect: { data: [person('103')] } },
  { name: 'Difference of sets', setup: people, query: page(q.Difference(q.Match(byCity, 'London'), q.Match(q.Index('people_by_lang'), 'fr'))), expect: { data: [person('101')] } },
  { name: 'Union, Intersection and Difference of arrays', query: [q.Union(['A', 'B'], ['C', 'D']), q.Intersection(['A', 'B', 'C'], ['B', 'C', 'D']), q.Difference(['A', 'B', 'C'], ['B'])], expect: [['A', 'B', 'C', 'D'], ['B', 'C'], ['A', 'C']] },
  { name: 'Distinct of a set of values', setup: withIndex('cities', { values: [{ field: ['data', 'city'] }] }), query: [page(q.Match(q.Index('cities'))), page(q.Distinct(q.Match(q.Index('cities'))))], expect: [{ data: ['London', 'London', 'Paris', 'Paris'] }, { data: ['London', 'Paris'] }] },
  { name: 'Distinct of an array', query: q.Distinct(['A', 'B', 'A', 'C', 'B']), expect: ['A', 'B', 'C'] },
  { name: 'Reverse of an array', query: q.Reverse([1, 2, 3]), expect: [3, 2, 1] },
  { name: 'Reverse of a set', setup: people, query: page(q.Reverse(q.Match(byCity, 'London'))), expect: { data: [person('103'), person('101')] } },
  { name: 'Reverse of a page', setup: people, query: q.Reverse(page(q.Match(byCity, 'London'))), expect: { data: [person('103'), person('101')] } },

  { name: 'Take', query: [q.Take(1, [1, 2]), q.Take(3, [1, 2]), q.Take(-1, [1, 2])], expect: [[1], [1, 2], []] },
  { name: 'Drop', query: [q.Drop(1, [1, 2]), q.Drop(3, [1, 2]), q.Drop(-1, [1, 2])], expect: [[2], [], [1, 2]] },
  { name: 'Take of a page keeps it a page', setup: people, query: q.Take(1, page(q.Match(byCity, 'London'))), expect: { data: [person('101')] } },
  { name: 'Prepend and Append', query: [q.Prepend([1, 2, 3], [4, 5, 6]), q.Append([4, 5, 6], [1, 2, 3])], expect: [[1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6]] },
  { name: 'Prepend refuses a string', query: q.Prepend([1, 2], 'foo'), expectError: 'invalid argument' },
  { name: 'Append refuses a string', query: q.Append([1, 2], 'foo'), expectError: 'invalid argument' },

  { name: 'Filter an array', query: q.Filter([1, 2, 3, 4], q.Lambda('a', q.Equals(q.Modulo(q.Var('a'), 2), 0))), expect: [2, 4] },
  { name: 'Filter a page', setup: people, query: q.Filter(page(q.Match(byCity, 'London')), q.Lambda('r', q.Equals(q.Select(['data', 'lang'], q.Get(q.Var('r'))), 'fr'))), expect: { data: [person('103')] } },
  { name: 'Filter refuses a lambda that answers no boolean', query: q.Filter([1, 2], q.Lambda('a', q.Var('a'))), expectError: 'invalid argument' },
  { name: 'Map over index values destructures tuples', setup: withIndex('names_ages', { values: [{ field: ['data', 'name'] }, { field: ['data', 'age'] }] }), query: q.Map(page(q.Match(q.Index('names_ages'))), q.Lambda(['name', 'age'], q.Concat([q.Var('name'), q.ToString(q.Var('age'))], ':'))), expect: { data: ['Ada:36', 'Bob:25', 'Cy:41', 'Di:30'] } },
  { name: 'Map refuses a set that is not paginated', setup: people, query: q.Map(q.Match(byCity, 'London'), q.Lambda('r', q.Var('r'))), expectError: 'invalid argument' },
  { name: 'Foreach answers its input and runs its writes', setup: people, query: q.Foreach(page(q.Match(byCity, 'London')), q.Lambda('r', q.Delete(q.Var('r')))), expect: { data: [person('101'), person('103')] }, afterwards: { query: page(q.Match(byCity, 'London')), expect: { data: [] } } },
  { name: 'Foreach over an array creates documents', setup: [q.CreateCollection({ name: 'numbers' })], query: q.Foreach([1, 2, 3], q.Lambda('n', q.Create(q.Collection('numbers'), { data: { n: q.Var('n') } }))), expect: [1, 2, 3], afterwards: { query: q.Count(q.Documents(q.Collection('numbers'))), expect: 3 } },

  // Range: from one cursor to another, both inclusive; a shorter cursor takes in every entry it begins.
  { name: 'Range of index values', setup: withAges, query: page(q.Range(byAge, 30, 40)), expect: { data: [[30, person('104')], [36, person('101')]] } },
  { name: 'Range from nothing ([]) to a value', setup: withAges, query: page(q.Range(byAge, [], 30)), expect: { data: [[25, person('102')], [30, person('104')]] } },
  { name: 'Range from a value to nothing ([])', setup: withAges, query: q.Select('data', page(q.Range(byAge, 36, []))), expect: [[36, person('101')], [41, person('103')]] },
  { name: 'Range between two full cursors', setup: withAges, query: q.Select('data', page(q.Range(byAge, [30, person('104')], [36, person('101')]))), expect: [[30, person('104')], [36, person('101')]] },
  { name: 'Range over a reversed index runs in its order', setup: [...people, index('people_by_age_desc', { values: [{ field: ['data', 'age'], reverse: true }, { field: ['ref'] }] })], query: q.Select('data', page(q.Range(q.Match(q.Index('people_by_age_desc')), 36, 30))), expect: [[36, person('101')], [30, person('104')]] },
  { name: 'Range of Documents by ref', setup: people, query: page(q.Range(q.Documents(q.Collection('people')), person('102'), person('103'))), expect: { data: [person('102'), person('103')] } },
  { name: 'Range pages with cursors', setup: withAges, query: q.Paginate(q.Range(byAge, 25, 41), { size: 2 }), expect: { data: [[25, person('102')], [30, person('104')]], after: [36, person('101'), person('101')] } },
  { name: 'Range is a set, for Count and the set functions', setup: withAges, query: [q.IsSet(q.Range(byAge, 25, 30)), q.Count(q.Range(byAge, 25, 30)), q.Count(q.Union(q.Range(byAge, 25, 30), q.Range(byAge, 36, 41)))], expect: [true, 2, 4] },
  { name: 'Range refuses what is not a set', query: q.Range([1, 2, 3], 1, 2), expectError: 'invalid argument' },
  // Join: the union of the sets each value of the source leads to.
  { name: 'Join through an index', setup: withFriends, query: page(q.Join(q.Match(byCity, 'Paris'), q.Index('people_by_friend'))), expect: { data: [person('101'), person('103')] } },
  { name: 'Join through a lambda', setup: withFriends, query: page(q.Join(q.Match(byCity, 'Paris'), q.Lambda('p', q.Match(q.Index('people_by_friend'), q.Var('p'))))), expect: { data: [person('101'), person('103')] } },
  { name: 'Join of an empty source is empty', setup: withFriends, query: page(q.Join(q.Match(byCity, 'Rome'), q.Index('people_by_friend'))), expect: { data: [] } },
  { name: 'Join whose lambda answers no set is refused', setup: withFriends, query: page(q.Join(q.Match(byCity, 'Paris'), q.Lambda('p', 1))), expectError: 'invalid argument' },
  { name: 'Join refuses a with that is neither an index nor a lambda', setup: withFriends, query: q.Join(q.Match(byCity, 'Paris'), 'people_by_friend'), expectError: 'invalid argument' },
  // Singleton: the document alone, while it exists.
  { name: 'Singleton of a document', setup: people, query: [q.IsSet(q.Singleton(person('101'))), page(q.Singleton(person('101')))], expect: [true, { data: [person('101')] }] },
  { name: 'Singleton of a deleted document is empty', setup: [...people, q.Delete(person('101'))], query: page(q.Singleton(person('101'))), expect: { data: [] } },
  { name: 'Singleton refuses what is not a document ref', query: q.Singleton('x'), expectError: 'invalid argument' },
  // Filter of a set is a set, read lazily: its pages hold what the lambda keeps, with the set's cursors.
  { name: 'Filter of a set is a set', setup: people, query: q.IsSet(q.Filter(q.Match(byCity, 'London'), q.Lambda('r', true))), expect: true },
  { name: 'Paginate of a filtered set', setup: withAges, query: q.Paginate(q.Filter(byAge, q.Lambda(['age', 'ref'], q.GT(q.Var('age'), 26))), { size: 2 }), expect: { data: [[30, person('104')], [36, person('101')]], after: [41, person('103'), person('103')] } },
  { name: 'the next page of a filtered set', setup: withAges, query: q.Paginate(q.Filter(byAge, q.Lambda(['age', 'ref'], q.GT(q.Var('age'), 26))), { size: 2, after: [41, person('103'), person('103')] }), expect: { before: [41, person('103'), person('103')], data: [[41, person('103')]] } },
  { name: 'a filtered set pages backwards', setup: withAges, query: q.Paginate(q.Filter(byAge, q.Lambda(['age', 'ref'], q.LT(q.Var('age'), 40))), { before: null, size: 2 }), expect: { before: [30, person('104'), person('104')], data: [[30, person('104')], [36, person('101')]], after: [null] } },
  { name: 'Count, Get and Exists of a filtered set', setup: withAges, query: q.Let({ s: q.Filter(byAge, q.Lambda(['age', 'ref'], q.GT(q.Var('age'), 26))) }, [q.Count(q.Var('s')), q.Select(['data', 'name'], q.Get(q.Filter(q.Documents(q.Collection('people')), q.Lambda('r', q.Equals(q.Select(['data', 'name'], q.Get(q.Var('r'))), 'Cy'))))), q.Exists(q.Filter(byAge, q.Lambda(['age', 'ref'], q.GT(q.Var('age'), 99))))]), expect: [3, 'Cy', false] },
  { name: 'a filtered set in the set functions', setup: withAges, query: q.Count(q.Intersection(q.Filter(q.Documents(q.Collection('people')), q.Lambda('r', q.GT(q.Select(['data', 'age'], q.Get(q.Var('r'))), 26))), q.Match(byCity, 'London'))), expect: 2 },
  { name: 'a filter lambda that answers no boolean is refused', setup: withAges, query: q.Paginate(q.Filter(byAge, q.Lambda(['age', 'ref'], q.Var('age')))), expectError: 'invalid argument' },
  // Reads the engine foresees and starts together (eval/foresight.ts, on PostgreSQL): the answers and the errors are those of reading one by one.
  { name: 'independent index reads in one call answer each their own', setup: people, query: q.Max(q.Count(q.Select('data', page(q.Match(byCity, 'London')))), q.Count(q.Select('data', page(q.Match(byCity, 'Rome')))), q.Add(1, q.Count(q.Select('data', page(q.Match(q.Index('people_by_lang'), 'en')))))), expect: 3 },
  { name: 'a read foreseen before a Create of the same terms sees the Create', setup: people, query: q.Let({ before: q.Select('data', page(q.Match(byCity, 'Oslo'))), other: q.Select('data', page(q.Match(byCity, 'Paris'))), made: q.Create(person('105'), { data: { name: 'Ed', city: 'Oslo' } }), after: q.Select('data', page(q.Match(byCity, 'Oslo'))) }, [q.Var('before'), q.Var('after'), q.Count(q.Var('other'))]), expect: [[], [person('105')], 2] },
  { name: 'a read foreseen before an Update that moves an entry sees the Update', setup: people, query: q.Let({ paris: q.Select('data', page(q.Match(byCity, 'Paris'))), london: q.Select('data', page(q.Match(byCity, 'London'))), moved: q.Update(person('101'), { data: { city: 'Paris' } }), after: q.Select('data', page(q.Match(byCity, 'Paris'))) }, [q.Count(q.Var('paris')), q.Count(q.Var('london')), q.Var('after')]), expect: [2, 2, [person('101'), person('102'), person('104')]] },
  { name: 'a foreseen read after an Abort: the Abort is the answer', setup: people, query: q.Do(q.Abort('stop here'), page(q.Match(byCity, 'London')), page(q.Match(byCity, 'Paris'))), expectError: 'transaction aborted' },
  { name: 'a foreseen read of an index that does not exist fails where it is read', setup: people, query: [page(q.Match(byCity, 'London')), page(q.Match(q.Index('no_such_index'), 'x')), page(q.Match(byCity, 'Paris'))], expectError: 'invalid ref' },
  { name: 'Get and Exists of sets and refs foreseen together', setup: people, query: q.Let({ m: q.Match(byCity, 'Paris') }, [q.Exists(q.Var('m')), q.Select(['data', 'name'], q.Get(q.Var('m'))), q.Select(['data', 'name'], q.Get(person('103'))), q.Exists(q.Match(byCity, 'Rome'))]), expect: [true, 'Bob', 'Cy', false] },
];
