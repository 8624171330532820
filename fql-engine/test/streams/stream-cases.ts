/**
 * Stream compatibility cases, as data (run by stream-cases.test.ts through the driver over
 * HTTP/2 on both backends). Expected events follow Fauna's server (its StreamSpec and
 * EventEncoder): version events carry `action` and `document` by default, `diff` and `prev` on
 * request; set events `action`, `document` ({ref, ts}) and, on request, `index` ({ref, terms,
 * values}). Every `ts` reads '<ts>'.
 */

import type { StreamCase } from './stream-harness.ts';

/** A ref as the driver's values serialise to JSON. */
function native(id: string): unknown {
  return { '@ref': { id } };
}
function schemaRef(kind: string, name: string): unknown {
  return { '@ref': { id: name, collection: native(kind) } };
}
function doc(coll: string, id: string): unknown {
  return { '@ref': { id, collection: schemaRef('collections', coll) } };
}

const THING = doc('things', '1');
const BY_COLOUR = schemaRef('indexes', 'things_by_colour');

const things: NonNullable<StreamCase['setup']> = (q) => [
  q.CreateCollection({ name: 'things' }),
  q.CreateIndex({ name: 'things_by_colour', source: q.Collection('things'), terms: [{ field: ['data', 'colour'] }], values: [{ field: ['data', 'size'] }] }),
  q.CreateIndex({ name: 'all_things', source: q.Collection('things') }),
  q.Create(q.Ref(q.Collection('things'), '1'), { data: { colour: 'red', size: 1 } }),
];

/** A role whose read predicate looks at the document: it may read red things only. */
const readsOnlyRed = (q: Parameters<typeof things>[0]): ReturnType<typeof things>[number] =>
  q.CreateRole({
    name: 'reds',
    privileges: [{
      resource: q.Collection('things'),
      actions: { read: q.Query(q.Lambda('ref', q.Equals('red', q.Select(['data', 'colour'], q.Get(q.Var('ref')), null)))) },
    }],
  });

export const STREAM_CASES: readonly StreamCase[] = [
  {
    name: 'a document stream sends a version event per write, with action and document by default',
    setup: things,
    stream: (q) => q.Ref(q.Collection('things'), '1'),
    writes: (
      q,
    ) => [q.Update(q.Ref(q.Collection('things'), '1'), { data: { size: 2 } }), q.Replace(q.Ref(q.Collection('things'), '1'), { data: { colour: 'blue' } })],
    expectEvents: [
      { type: 'version', event: { action: 'update', document: { ref: THING, ts: '<ts>', data: { colour: 'red', size: 2 } } } },
      { type: 'version', event: { action: 'update', document: { ref: THING, ts: '<ts>', data: { colour: 'blue' } } } },
    ],
  },
  {
    name: 'fields document, diff and prev: the diff has changed fields and removed ones as null',
    setup: things,
    stream: (q) => q.Ref(q.Collection('things'), '1'),
    fields: ['document', 'diff', 'prev'],
    writes: (q) => [q.Replace(q.Ref(q.Collection('things'), '1'), { data: { colour: 'red', shape: 'round' } })],
    expectEvents: [
      {
        type: 'version',
        event: {
          document: { ref: THING, ts: '<ts>', data: { colour: 'red', shape: 'round' } },
          diff: { ref: THING, ts: '<ts>', data: { shape: 'round', size: null } },
          prev: { ref: THING, ts: '<ts>', data: { colour: 'red', size: 1 } },
        },
      },
    ],
  },
  {
    name: 'a deleted document shows what it was; created again, it is a create',
    setup: things,
    stream: (q) => q.Ref(q.Collection('things'), '1'),
    writes: (q) => [q.Delete(q.Ref(q.Collection('things'), '1')), q.Create(q.Ref(q.Collection('things'), '1'), { data: { colour: 'green' } })],
    expectEvents: [
      { type: 'version', event: { action: 'delete', document: { ref: THING, ts: '<ts>', data: { colour: 'red', size: 1 } } } },
      { type: 'version', event: { action: 'create', document: { ref: THING, ts: '<ts>', data: { colour: 'green' } } } },
    ],
  },
  {
    name: 'a document given as a version (Get) streams like its ref; other documents are not heard',
    setup: (q) => [...things(q), q.Create(q.Ref(q.Collection('things'), '2'), { data: { colour: 'red' } })],
    stream: (q) => q.Get(q.Ref(q.Collection('things'), '1')),
    fields: ['action'],
    writes: (q) => [q.Update(q.Ref(q.Collection('things'), '2'), { data: { size: 9 } }), q.Update(q.Ref(q.Collection('things'), '1'), { data: { size: 3 } })],
    expectEvents: [{ type: 'version', event: { action: 'update' } }],
  },
  {
    name: 'a Match stream sends set events for entries added and removed at its terms, with index on request',
    setup: things,
    stream: (q) => q.Match(q.Index('things_by_colour'), 'red'),
    fields: ['action', 'document', 'index'],
    writes: (q) => [
      q.Create(q.Ref(q.Collection('things'), '2'), { data: { colour: 'red', size: 5 } }),
      q.Create(q.Ref(q.Collection('things'), '3'), { data: { colour: 'blue', size: 6 } }),
      q.Update(q.Ref(q.Collection('things'), '1'), { data: { colour: 'blue' } }),
    ],
    expectEvents: [
      { type: 'set', event: { action: 'add', document: { ref: doc('things', '2'), ts: '<ts>' }, index: { ref: BY_COLOUR, terms: ['red'], values: [5] } } },
      { type: 'set', event: { action: 'remove', document: { ref: THING, ts: '<ts>' }, index: { ref: BY_COLOUR, terms: ['red'], values: [1] } } },
    ],
  },
  {
    name: 'an entry whose values change is removed and added again; a write that keeps it sends nothing',
    setup: things,
    stream: (q) => q.Match(q.Index('things_by_colour'), 'red'),
    writes: (q) => [q.Update(q.Ref(q.Collection('things'), '1'), { data: { note: 'x' } }), q.Update(q.Ref(q.Collection('things'), '1'), { data: { size: 2 } })],
    expectEvents: [
      { type: 'set', event: { action: 'remove', document: { ref: THING, ts: '<ts>' } } },
      { type: 'set', event: { action: 'add', document: { ref: THING, ts: '<ts>' } } },
    ],
  },
  {
    name: 'a term-less index streams every entry; a delete removes the entry',
    setup: things,
    stream: (q) => q.Match(q.Index('all_things')),
    fields: ['action', 'index'],
    writes: (q) => [q.Create(q.Ref(q.Collection('things'), '2'), { data: {} }), q.Delete(q.Ref(q.Collection('things'), '1'))],
    expectEvents: [
      { type: 'set', event: { action: 'add', index: { ref: schemaRef('indexes', 'all_things'), terms: [], values: [] } } },
      { type: 'set', event: { action: 'remove', index: { ref: schemaRef('indexes', 'all_things'), terms: [], values: [] } } },
    ],
  },
  {
    name: 'a Documents stream adds created documents and removes deleted ones, not updated ones',
    setup: things,
    stream: (q) => q.Documents(q.Collection('things')),
    writes: (q) => [
      q.Create(q.Ref(q.Collection('things'), '2'), { data: {} }),
      q.Update(q.Ref(q.Collection('things'), '2'), { data: { size: 1 } }),
      q.Delete(q.Ref(q.Collection('things'), '1')),
    ],
    expectEvents: [
      { type: 'set', event: { action: 'add', document: { ref: doc('things', '2'), ts: '<ts>' } } },
      { type: 'set', event: { action: 'remove', document: { ref: THING, ts: '<ts>' } } },
    ],
  },
  {
    name: 'a key whose role reads only some documents hears only those',
    setup: (q) => [
      ...things(q),
      readsOnlyRed(q),
    ],
    asRole: 'reds',
    // (A document that changes colour between its events: streams.test.ts.)
    stream: (q) => q.Documents(q.Collection('things')),
    fields: ['action', 'document'],
    writes: (q) => [
      q.Create(q.Ref(q.Collection('things'), '2'), { data: { colour: 'blue' } }),
      q.Create(q.Ref(q.Collection('things'), '3'), { data: { colour: 'red', size: 7 } }),
    ],
    expectEvents: [{ type: 'set', event: { action: 'add', document: { ref: doc('things', '3'), ts: '<ts>' } } }],
  },
  {
    name: 'a key with no read on the index may not stream its Match',
    setup: (q) => [...things(q), q.CreateRole({ name: 'nothing', privileges: [{ resource: q.Collection('things'), actions: { read: true } }] })],
    asRole: 'nothing',
    stream: (q) => q.Match(q.Index('things_by_colour'), 'red'),
    expectError: 'permission denied',
  },
  {
    name: "#15 (known difference): a Documents stream's set events carry no index, even on request",
    setup: things,
    stream: (q) => q.Documents(q.Collection('things')),
    fields: ['action', 'index'],
    writes: (q) => [q.Create(q.Ref(q.Collection('things'), '2'), { data: {} })],
    expectEvents: [{ type: 'set', event: { action: 'add' } }],
  },
  { name: 'a collection cannot be streamed', setup: things, stream: (q) => q.Collection('things'), expectError: 'invalid argument' },
  { name: 'an object cannot be streamed', stream: () => ({ a: 1 }), expectError: 'invalid argument' },
  {
    name: 'a union of sets cannot be streamed',
    setup: things,
    stream: (q) => q.Union(q.Match(q.Index('all_things')), q.Match(q.Index('all_things'))),
    expectError: 'invalid argument',
  },
  { name: 'a stream may not write', setup: things, stream: (q) => q.Create(q.Collection('things'), { data: {} }), expectError: 'invalid expression' },
  { name: 'a ref to an undefined collection', stream: (q) => q.Ref(q.Collection('nope'), '1'), expectError: 'invalid ref' },
  {
    name: 'a Get of a missing document fails as the query would',
    setup: things,
    stream: (q) => q.Get(q.Ref(q.Collection('things'), '404')),
    expectError: 'instance not found',
  },
  {
    name: 'an unknown event field is refused',
    setup: things,
    stream: (q) => q.Ref(q.Collection('things'), '1'),
    fields: ['document', 'colour'],
    expectError: 'invalid argument',
  },
];
