/**
 * Schema objects: collections (ttl_days), indexes, functions and databases; their Update and
 * Delete; the Collections/Indexes/Functions/Databases sets; nested, isolated databases.
 */

import { inDb, q, values, type Case } from '../harness.ts';

const books = q.CreateCollection({ name: 'books' });
const book = (id: string) => q.Ref(q.Collection('books'), id);
const booksByTitle = q.CreateIndex({ name: 'books_by_title', source: q.Collection('books'), terms: [{ field: ['data', 'title'] }] });
const identity = q.CreateFunction({ name: 'identity', body: q.Query(q.Lambda('x', q.Var('x'))) });
const child = q.CreateDatabase({ name: 'child' });

export const schemaAndDatabaseCases: readonly Case[] = [
  { name: 'CreateCollection answers its ref and name', query: q.Let({ c: books }, [q.Select('ref', q.Var('c')), q.Select('name', q.Var('c'))]), expect: [q.Collection('books'), 'books'] },
  { name: 'CreateCollection keeps ttl_days', setup: [q.CreateCollection({ name: 'tokens_t', ttl_days: 7 })], query: q.Select('ttl_days', q.Get(q.Collection('tokens_t'))), expect: 7 },
  { name: 'a collection with ttl_days takes documents', setup: [q.CreateCollection({ name: 'tokens_t', ttl_days: 7 })], query: q.Select(['data', 'n'], q.Create(q.Collection('tokens_t'), { data: { n: 1 } })), expect: 1 },
  { name: 'CreateCollection with a taken name', setup: [books], query: books, expectError: 'instance already exists' },
  { name: 'Exists of collections', setup: [books], query: [q.Exists(q.Collection('books')), q.Exists(q.Collection('nope'))], expect: [true, false] },
  { name: 'Collections lists the collections', setup: [books], query: q.Paginate(q.Collections()), expect: { data: [q.Collection('books')] } },
  { name: 'Collection() answers a collection ref', setup: [books], query: q.Collection('books'), expect: new values.Ref('books', values.Native.COLLECTIONS) },
  { name: 'Update of a collection sets its data', setup: [books], query: q.Select('data', q.Update(q.Collection('books'), { data: { owner: 'ops' } })), expect: { owner: 'ops' } },
  { name: 'Update of a collection changes ttl_days', setup: [q.CreateCollection({ name: 'tokens_t', ttl_days: 7 })], query: q.Select('ttl_days', q.Update(q.Collection('tokens_t'), { ttl_days: 3 })), expect: 3 },
  { name: 'a renamed collection keeps its documents', setup: [books, q.Create(book('101'), { data: { t: 'x' } }), q.Update(q.Collection('books'), { name: 'novels' })], query: [q.Exists(q.Collection('books')), q.Exists(q.Collection('novels')), q.Select(['data', 't'], q.Get(q.Ref(q.Collection('novels'), '101')))], expect: [false, true, 'x'] },
  { name: 'Delete of a collection', setup: [books], query: q.Select('name', q.Delete(q.Collection('books'))), expect: 'books', afterwards: { query: q.Exists(q.Collection('books')), expect: false } },
  { name: 'a deleted collection takes its documents', setup: [books, q.Create(book('101'), {}), q.Delete(q.Collection('books')), books], query: q.Exists(book('101')), expect: false },
  { name: 'a deleted collection takes its indexes', setup: [books, booksByTitle, q.Delete(q.Collection('books'))], query: q.Exists(q.Index('books_by_title')), expect: false },

  { name: 'CreateIndex answers its ref and name', setup: [books], query: q.Let({ i: booksByTitle }, [q.Select('ref', q.Var('i')), q.Select('name', q.Var('i'))]), expect: [q.Index('books_by_title'), 'books_by_title'] },
  { name: 'an index shows its source and is active', setup: [books, booksByTitle], query: [q.Select('source', q.Get(q.Index('books_by_title'))), q.Select('active', q.Get(q.Index('books_by_title')))], expect: [q.Collection('books'), true] },
  { name: 'CreateIndex with a taken name', setup: [books, booksByTitle], query: booksByTitle, expectError: 'instance already exists' },
  { name: 'Indexes lists the indexes', setup: [books, booksByTitle], query: q.Paginate(q.Indexes()), expect: { data: [q.Index('books_by_title')] } },
  { name: 'a renamed index answers under its new name', setup: [books, booksByTitle, q.Create(book('101'), { data: { title: 'Emma' } }), q.Update(q.Index('books_by_title'), { name: 'by_title' })], query: [q.Exists(q.Index('books_by_title')), q.Paginate(q.Match(q.Index('by_title'), 'Emma'))], expect: [false, { data: [book('101')] }] },
  { name: 'Update of an index sets its data', setup: [books, booksByTitle], query: q.Select(['data', 'note'], q.Update(q.Index('books_by_title'), { data: { note: 'n' } })), expect: 'n' },
  { name: 'Delete of an index', setup: [books, booksByTitle], query: q.Select('name', q.Delete(q.Index('books_by_title'))), expect: 'books_by_title', afterwards: { query: q.Exists(q.Index('books_by_title')), expect: false } },
  { name: 'Match on a deleted index', setup: [books, booksByTitle, q.Delete(q.Index('books_by_title'))], query: q.Paginate(q.Match(q.Index('books_by_title'), 'Emma')), expectError: 'invalid ref' },
  { name: 'an index created again after Delete starts empty', setup: [books, booksByTitle, q.Create(book('101'), { data: { title: 'Emma' } }), q.Delete(q.Index('books_by_title')), q.Delete(book('101')), booksByTitle], query: q.Paginate(q.Match(q.Index('books_by_title'), 'Emma')), expect: { data: [] } },

  { name: 'CreateFunction answers its ref and name', query: q.Let({ f: identity }, [q.Select('ref', q.Var('f')), q.Select('name', q.Var('f'))]), expect: [q.Function('identity'), 'identity'] },
  { name: 'CreateFunction with a taken name', setup: [identity], query: identity, expectError: 'instance already exists' },
  { name: 'Functions lists the functions', setup: [identity], query: q.Paginate(q.Functions()), expect: { data: [q.Function('identity')] } },
  { name: 'Delete of a function', setup: [identity], query: q.Select('name', q.Delete(q.Function('identity'))), expect: 'identity', afterwards: { query: q.Exists(q.Function('identity')), expect: false } },

  { name: 'CreateDatabase answers its ref and name', query: q.Let({ d: child }, [q.Select('ref', q.Var('d')), q.Select('name', q.Var('d'))]), expect: [q.Database('child'), 'child'] },
  { name: 'CreateDatabase with a taken name', setup: [child], query: child, expectError: 'instance already exists' },
  { name: 'Databases lists the child databases', setup: [child], query: q.Paginate(q.Databases()), expect: { data: [q.Database('child')] } },
  { name: 'a child database is empty', setup: [books, child], query: inDb('child', q.Paginate(q.Collections())), expect: { data: [] } },
  { name: "a child's collections are not the parent's", setup: [child, inDb('child', q.CreateCollection({ name: 'inner' }))], query: [q.Exists(q.Collection('inner')), q.Exists(q.Collection('inner', q.Database('child')))], expect: [false, true] },
  { name: 'the same collection name in two databases holds different documents', setup: [q.CreateCollection({ name: 'shared' }), child, inDb('child', q.CreateCollection({ name: 'shared' })), q.Create(q.Ref(q.Collection('shared'), '101'), { data: { who: 'parent' } }), inDb('child', q.Create(q.Ref(q.Collection('shared'), '101'), { data: { who: 'child' } }))], query: [q.Select(['data', 'who'], q.Get(q.Ref(q.Collection('shared'), '101'))), q.Select(['data', 'who'], q.Get(q.Ref(q.Collection('shared', q.Database('child')), '101')))], expect: ['parent', 'child'] },
  { name: 'a document written through a scoped ref lands in the child', setup: [child, inDb('child', q.CreateCollection({ name: 'inner' }))], query: q.Select(['data', 'a'], q.Create(q.Ref(q.Collection('inner', q.Database('child')), '101'), { data: { a: 1 } })), expect: 1, afterwards: { query: inDb('child', q.Select(['data', 'a'], q.Get(q.Ref(q.Collection('inner'), '101')))), expect: 1 } },
  { name: 'Collections of a child database answers scoped refs', setup: [child, inDb('child', q.CreateCollection({ name: 'inner' }))], query: q.Paginate(q.Collections(q.Database('child'))), expect: { data: [q.Collection('inner', q.Database('child'))] } },
  { name: 'databases nest', setup: [q.CreateDatabase({ name: 'a' }), inDb('a', q.CreateDatabase({ name: 'b' })), inDb('a/b', q.CreateCollection({ name: 'deep' }))], query: [q.Exists(q.Collection('deep', q.Database('b', q.Database('a')))), q.Paginate(q.Collections(q.Database('b', q.Database('a'))))], expect: [true, { data: [q.Collection('deep', q.Database('b', q.Database('a')))] }] },
  { name: 'a database deleted and created again is empty', setup: [child, inDb('child', q.CreateCollection({ name: 'inner' })), q.Delete(q.Database('child')), child], query: inDb('child', q.Exists(q.Collection('inner'))), expect: false },
  { name: 'Delete of a database', setup: [child], query: q.Select('name', q.Delete(q.Database('child'))), expect: 'child', afterwards: { query: q.Exists(q.Database('child')), expect: false } },
  { name: 'the secret of a deleted database stops working', setup: [child, q.Delete(q.Database('child'))], query: inDb('child', q.Add(1, 1)), expectError: 'unauthorized' },
  { name: 'a renamed database keeps its contents', setup: [child, inDb('child', q.CreateCollection({ name: 'inner' })), q.Update(q.Database('child'), { name: 'kid' })], query: inDb('kid', q.Exists(q.Collection('inner'))), expect: true },

  // Every documented option of every schema object is accepted (issue 14): the driver's own tests create indexes with `active: true`.
  { name: 'CreateIndex takes active, partitions and permissions and shows them', setup: [books], query: q.Let({ i: q.CreateIndex({ name: 'by_t', source: q.Collection('books'), terms: [{ field: ['data', 't'] }], active: true, partitions: 8, permissions: { read: 'public' } }) }, [q.Select('active', q.Var('i')), q.Select('partitions', q.Var('i')), q.Select(['permissions', 'read'], q.Var('i'))]), expect: [true, 8, 'public'] },
  { name: 'an index made with active: false is active and usable at once', setup: [books, q.Create(book('101'), { data: { title: 'Emma' } }), q.CreateIndex({ name: 'by_title', source: q.Collection('books'), terms: [{ field: ['data', 'title'] }], active: false })], query: [q.Select('active', q.Get(q.Index('by_title'))), q.Paginate(q.Match(q.Index('by_title'), 'Emma'))], expect: [true, { data: [book('101')] }] },
  { name: 'a unique index has one partition, as in Fauna', setup: [books], query: q.Select('partitions', q.CreateIndex({ name: 'by_t', source: q.Collection('books'), terms: [{ field: ['data', 't'] }], unique: true, partitions: 4 })), expect: 1 },
  { name: 'CreateIndex refuses partitions that are not a positive integer', setup: [books], query: q.CreateIndex({ name: 'by_t', source: q.Collection('books'), partitions: 0 }), expectError: 'validation failed', afterwards: { query: q.Exists(q.Index('by_t')), expect: false } },
  { name: 'CreateIndex refuses an active that is not a boolean', setup: [books], query: q.CreateIndex({ name: 'by_t', source: q.Collection('books'), active: 'yes' }), expectError: 'validation failed' },
  { name: 'Update of an index cannot make it inactive', setup: [books, booksByTitle], query: q.Select('active', q.Update(q.Index('books_by_title'), { active: false })), expect: true },
  { name: 'Update of an index changes its partitions', setup: [books, booksByTitle], query: q.Select('partitions', q.Update(q.Index('books_by_title'), { partitions: 2 })), expect: 2 },
  { name: 'CreateCollection takes permissions and history_days and shows them', query: q.Let({ c: q.CreateCollection({ name: 'books', history_days: 0, permissions: { create: 'public' } }) }, [q.Select('history_days', q.Var('c')), q.Select(['permissions', 'create'], q.Var('c'))]), expect: [0, 'public'] },
  { name: 'CreateCollection refuses a history_days that is not a number of days', query: q.CreateCollection({ name: 'books', history_days: -1 }), expectError: 'validation failed' },
  { name: 'every schema object takes a ttl', setup: [books], query: q.Let({ t: q.TimeAdd(q.Now(), 1, 'hour') }, [q.IsTimestamp(q.Select('ttl', q.CreateCollection({ name: 'c2', ttl: q.Var('t') }))), q.IsTimestamp(q.Select('ttl', q.CreateIndex({ name: 'i2', source: q.Collection('books'), ttl: q.Var('t') }))), q.IsTimestamp(q.Select('ttl', q.CreateFunction({ name: 'f2', body: q.Query(q.Lambda('x', q.Var('x'))), ttl: q.Var('t') }))), q.IsTimestamp(q.Select('ttl', q.CreateRole({ name: 'r2', privileges: [], ttl: q.Var('t') }))), q.IsTimestamp(q.Select('ttl', q.CreateDatabase({ name: 'd2', ttl: q.Var('t') }))), q.IsTimestamp(q.Select('ttl', q.CreateKey({ role: 'server', ttl: q.Var('t') })))]), expect: [true, true, true, true, true, true] },
  { name: 'a ttl that is not a time is refused', query: q.CreateFunction({ name: 'f2', body: q.Query(q.Lambda('x', q.Var('x'))), ttl: 3 }), expectError: 'validation failed' },
  { name: 'a function past its ttl is gone', setup: [q.CreateFunction({ name: 'gone', body: q.Query(q.Lambda('x', q.Var('x'))), ttl: q.TimeSubtract(q.Now(), 1, 'second') })], query: [q.Exists(q.Function('gone')), q.Paginate(q.Functions())], expect: [false, { data: [] }] },
  { name: 'a function before its ttl is called', setup: [q.CreateFunction({ name: 'soon', body: q.Query(q.Lambda('x', q.Var('x'))), ttl: q.TimeAdd(q.Now(), 1, 'hour') })], query: q.Call(q.Function('soon'), 7), expect: 7 },
  { name: 'a role past its ttl is gone', setup: [books, q.CreateRole({ name: 'gone', privileges: [{ resource: q.Collection('books'), actions: { read: true } }], ttl: q.TimeSubtract(q.Now(), 1, 'second') })], query: q.Exists(q.Role('gone')), expect: false },
  { name: 'Update of a function ttl into the past removes it', setup: [identity, q.Update(q.Function('identity'), { ttl: q.TimeSubtract(q.Now(), 1, 'second') })], query: q.Exists(q.Function('identity')), expect: false },
];
