/** Paginate: size, after, before, the default size of 64, cursors of index values and of Map. */

import { q, type Case } from '../harness.ts';

const item = (id: string) => q.Ref(q.Collection('items'), id);
const docs = q.Documents(q.Collection('items'));
const byN = q.Match(q.Index('items_by_n'));
const byNDesc = q.Match(q.Index('items_by_n_desc'));

/** Items 101..105 with n = 1..5, and two indexes over n (ascending, descending). */
const items = [
  q.CreateCollection({ name: 'items' }),
  q.CreateIndex({ name: 'items_by_n', source: q.Collection('items'), values: [{ field: ['data', 'n'] }] }),
  q.CreateIndex({ name: 'items_by_n_desc', source: q.Collection('items'), values: [{ field: ['data', 'n'], reverse: true }] }),
  ...[1, 2, 3, 4, 5].map((n) => q.Create(item(String(100 + n)), { data: { n } })),
];

const seventy = Array.from({ length: 70 }, (_, i) => i + 1);
const manyItems = [q.CreateCollection({ name: 'items' }), q.Foreach(seventy, q.Lambda('n', q.Create(q.Collection('items'), { data: { n: q.Var('n') } })))];

export const paginationCases: readonly Case[] = [
  { name: 'a first page of 2 has an after cursor and no before', setup: items, query: q.Paginate(docs, { size: 2 }), expect: { data: [item('101'), item('102')], after: [item('103')] } },
  { name: 'the next page from an after cursor', setup: items, query: q.Paginate(docs, { size: 2, after: [item('103')] }), expect: { before: [item('103')], data: [item('103'), item('104')], after: [item('105')] } },
  { name: 'the last page has no after cursor', setup: items, query: q.Paginate(docs, { size: 2, after: [item('105')] }), expect: { before: [item('105')], data: [item('105')] } },
  { name: "a page's after cursor fed back in the same query", setup: items, query: q.Let({ first: q.Paginate(docs, { size: 3 }) }, q.Select('data', q.Paginate(docs, { size: 3, after: q.Select('after', q.Var('first')) }))), expect: [item('104'), item('105')] },
  { name: 'a page before a cursor', setup: items, query: q.Paginate(docs, { size: 2, before: [item('104')] }), expect: { before: [item('102')], data: [item('102'), item('103')], after: [item('104')] } },
  { name: 'a page before a cursor near the start has no before', setup: items, query: q.Paginate(docs, { size: 2, before: [item('102')] }), expect: { data: [item('101')], after: [item('102')] } },
  { name: 'a page after the end is empty', setup: items, query: q.Select('data', q.Paginate(docs, { size: 2, after: [item('106')] })), expect: [] },
  { name: 'a page of size 1', setup: items, query: q.Paginate(docs, { size: 1 }), expect: { data: [item('101')], after: [item('102')] } },
  { name: 'a page larger than the set holds everything, with no cursors', setup: items, query: q.Paginate(docs, { size: 100 }), expect: { data: [item('101'), item('102'), item('103'), item('104'), item('105')] } },
  { name: 'the default page size is 64', setup: manyItems, query: q.Let({ p: q.Paginate(q.Documents(q.Collection('items'))) }, [q.Count(q.Select('data', q.Var('p'))), q.ContainsField('after', q.Var('p')), q.ContainsField('before', q.Var('p'))]), expect: [64, true, false] },
  { name: 'the page after the default one holds the rest', setup: manyItems, query: q.Let({ p: q.Paginate(q.Documents(q.Collection('items'))) }, q.Count(q.Select('data', q.Paginate(q.Documents(q.Collection('items')), { after: q.Select('after', q.Var('p')) })))), expect: 6 },

  { name: 'index values: the cursor holds the values and the ref', setup: items, query: q.Paginate(byN, { size: 2 }), expect: { data: [1, 2], after: [3, item('103')] } },
  { name: 'index values: the next page', setup: items, query: q.Paginate(byN, { size: 2, after: [3, item('103')] }), expect: { before: [3, item('103')], data: [3, 4], after: [5, item('105')] } },
  { name: 'index values: a page before a cursor', setup: items, query: q.Paginate(byN, { size: 2, before: [5, item('105')] }), expect: { before: [3, item('103')], data: [3, 4], after: [5, item('105')] } },
  { name: 'reversed index values page downwards', setup: items, query: q.Paginate(byNDesc, { size: 2 }), expect: { data: [5, 4], after: [3, item('103')] } },
  { name: 'reversed index values: the next page', setup: items, query: q.Paginate(byNDesc, { size: 2, after: [3, item('103')] }), expect: { before: [3, item('103')], data: [3, 2], after: [1, item('101')] } },
  { name: 'a reversed set pages downwards', setup: items, query: q.Paginate(q.Reverse(docs), { size: 2 }), expect: { data: [item('105'), item('104')], after: [item('103')] } },
  { name: 'walking every page of 2 visits each item once', setup: items, query: q.Let({ p1: q.Paginate(byN, { size: 2 }) }, q.Let({ p2: q.Paginate(byN, { size: 2, after: q.Select('after', q.Var('p1')) }) }, q.Let({ p3: q.Paginate(byN, { size: 2, after: q.Select('after', q.Var('p2')) }) }, [q.Select('data', q.Var('p1')), q.Select('data', q.Var('p2')), q.Select('data', q.Var('p3')), q.ContainsField('after', q.Var('p3'))]))), expect: [[1, 2], [3, 4], [5], false] },
  { name: 'Map over a page keeps its cursors', setup: items, query: q.Map(q.Paginate(docs, { size: 2 }), q.Lambda('r', q.Select(['data', 'n'], q.Get(q.Var('r'))))), expect: { data: [1, 2], after: [item('103')] } },
  { name: 'Paginate a union with a cursor', setup: [...items, q.CreateIndex({ name: 'items_by_odd', source: q.Collection('items'), terms: [{ field: ['data', 'odd'] }] }), q.Update(item('101'), { data: { odd: true } }), q.Update(item('103'), { data: { odd: false } }), q.Update(item('105'), { data: { odd: true } })], query: q.Paginate(q.Union(q.Match(q.Index('items_by_odd'), true), q.Match(q.Index('items_by_odd'), false)), { size: 2 }), expect: { data: [item('101'), item('103')], after: [item('105')] } },
  { name: 'Paginate refuses an array', query: q.Paginate([1, 2, 3]), expectError: 'invalid argument' },

  // `before: null` is the end of the set (Fauna reads null as a cursor past every entry, and echoes it as `after`).
  { name: 'before: null gives the last page, with a before cursor', setup: items, query: q.Paginate(docs, { before: null, size: 3 }), expect: { before: [item('103')], data: [item('103'), item('104'), item('105')], after: [null] } },
  { name: 'before: null on index values', setup: items, query: q.Paginate(byN, { before: null, size: 2 }), expect: { before: [4, item('104')], data: [4, 5], after: [null] } },
  { name: 'before: null on a reversed index gives its last values', setup: items, query: q.Select('data', q.Paginate(byNDesc, { before: null, size: 2 })), expect: [2, 1] },
  { name: 'before: null with a page larger than the set has no before cursor', setup: items, query: q.Paginate(docs, { before: null, size: 10 }), expect: { data: [item('101'), item('102'), item('103'), item('104'), item('105')], after: [null] } },
  { name: 'the cursor option takes before: null', setup: items, query: q.Select('data', q.Paginate(byN, { cursor: { before: null }, size: 2 })), expect: [4, 5] },
  { name: "walking back from before: null by each page's before cursor", setup: items, query: q.Let({ p1: q.Paginate(byN, { before: null, size: 2 }) }, q.Let({ p2: q.Paginate(byN, { before: q.Select('before', q.Var('p1')), size: 2 }) }, [q.Select('data', q.Var('p1')), q.Select('data', q.Var('p2')), q.Select('data', q.Paginate(byN, { before: q.Select('before', q.Var('p2')), size: 2 }))])), expect: [[4, 5], [2, 3], [1]] },
  { name: 'after: null is the start', setup: items, query: q.Select('data', q.Paginate(byN, { after: null, size: 2 })), expect: [1, 2] },
  { name: 'a cursor that is not an array is a cursor of one value', setup: items, query: q.Select('data', q.Paginate(byN, { after: 4 })), expect: [4, 5] },
  // Paginate of a document is a page of that document, while it exists (PaginateFunction.scala: a DocSet).
  { name: 'Paginate of a document ref', setup: items, query: q.Paginate(item('101')), expect: { data: [item('101')] } },
  { name: 'Paginate of a missing document is an empty page', setup: items, query: q.Paginate(item('199')), expect: { data: [] } },
  // sources: each element with the sets it came from.
  { name: 'sources: true gives each value with the set it came from', setup: items, query: q.Let({ p: q.Paginate(byN, { size: 2, sources: true }) }, [q.Select(['data', 0, 'value'], q.Var('p')), q.Equals(q.Select(['data', 0, 'sources'], q.Var('p')), [byN]), q.Select('after', q.Var('p'))]), expect: [1, true, [3, item('103')]] },
  { name: 'sources: false gives the values alone', setup: items, query: q.Paginate(byN, { size: 2, sources: false }), expect: { data: [1, 2], after: [3, item('103')] } },
  {
    name: 'sources of a union name every set an element is in',
    setup: [...items, q.CreateIndex({ name: 'items_by_odd', source: q.Collection('items'), terms: [{ field: ['data', 'odd'] }] }), q.Update(item('101'), { data: { odd: true } })],
    query: q.Map(q.Select('data', q.Paginate(q.Union(q.Match(q.Index('items_by_odd'), true), docs), { size: 2, sources: true })), q.Lambda('e', q.Count(q.Select('sources', q.Var('e'))))),
    expect: [2, 1],
  },
  { name: 'Paginate of Documents of a built-in collection', setup: [...items, q.CreateKey({ role: 'server' }), q.CreateKey({ role: 'server' })], query: q.Count(q.Select('data', q.Paginate(q.Documents(q.Keys())))), expect: 2 },

  {
    name: 'pages of a filtered set that keeps one entry in ten',
    setup: manyItems,
    query: q.Let({ s: q.Filter(q.Documents(q.Collection('items')), q.Lambda('r', q.Equals(q.Modulo(q.Select(['data', 'n'], q.Get(q.Var('r'))), 10), 0))), n: q.Lambda('r', q.Select(['data', 'n'], q.Get(q.Var('r')))) }, q.Let({ p1: q.Paginate(q.Var('s'), { size: 3 }) }, q.Let({ p2: q.Paginate(q.Var('s'), { size: 3, after: q.Select('after', q.Var('p1')) }) }, q.Let({ p3: q.Paginate(q.Var('s'), { size: 3, after: q.Select('after', q.Var('p2')) }) }, [q.Map(q.Select('data', q.Var('p1')), q.Var('n')), q.Map(q.Select('data', q.Var('p2')), q.Var('n')), q.Map(q.Select('data', q.Var('p3')), q.Var('n')), q.ContainsField('after', q.Var('p3'))])))),
    expect: [[10, 20, 30], [40, 50, 60], [70], false],
  },
];
