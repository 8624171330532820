/**
 * The engine's known differences from Fauna, numbered (fql-engine/README.md lists them by these
 * numbers). Each case ASSERTS the engine's own behaviour, so a difference cannot silently
 * disappear or change: if one is fixed, its case fails and the list must be updated.
 */

import { q, type Case, type CaseGroup } from './harness.ts';

export interface KnownDifference {
  readonly number: number;
  /** One line, for the README. */
  readonly summary: string;
  /** What Fauna did instead. */
  readonly fauna: string;
  readonly cases: readonly Case[];
}

const things = q.CreateCollection({ name: 'things' });
const thing = q.Ref(q.Collection('things'), '101');
const withThing = [things, q.Create(thing, { data: { n: 1 } })];

export const knownDifferences: readonly KnownDifference[] = [
  {
    number: 1,
    summary: 'No history is kept: At, Events, Insert and Remove are refused, and so are Get/Exists/Paginate at a past `ts` or with `events`.',
    fauna: 'Fauna kept every version of a document for history_days and could read or page through the past.',
    cases: [
      { name: 'At is refused', setup: withThing, query: q.At(q.Now(), q.Get(thing)), expectError: 'invalid expression' },
      { name: 'Get at a ts is refused', setup: withThing, query: q.Get(thing, q.Now()), expectError: 'invalid argument' },
      { name: 'Exists at a ts is refused', setup: withThing, query: q.Exists(thing, q.Now()), expectError: 'invalid argument' },
      { name: 'Paginate with events is refused', setup: withThing, query: q.Paginate(q.Documents(q.Collection('things')), { events: true }), expectError: 'invalid argument' },
      { name: 'Events is refused', setup: withThing, query: q.Paginate(q.Events(thing)), expectError: 'invalid expression' },
      { name: 'Insert is refused', setup: withThing, query: q.Insert(thing, 1, 'create', { data: {} }), expectError: 'invalid expression' },
      { name: 'Remove is refused', setup: withThing, query: q.Remove(thing, 1, 'create'), expectError: 'invalid expression' },
    ],
  },
  {
    number: 2,
    summary: 'A number with no fractional part is an integer (JSON cannot tell 1 from 1.0), so arithmetic on such doubles is integer arithmetic.',
    fauna: 'Fauna kept the double: Divide(Add(1.5, 1.5), 2) was 1.5 and ToString(ToDouble(10)) was "10.0".',
    cases: [
      { name: 'a double sum with no fraction divides as an integer', query: q.Divide(q.Add(1.5, 1.5), 2), expect: 1 },
      { name: 'ToDouble of an integer prints as an integer', query: q.ToString(q.ToDouble(10)), expect: '10' },
    ],
  },
  {
    number: 3,
    summary: 'Index bindings (computed fields, `source: {collection, fields}`) are not supported: CreateIndex refuses them.',
    fauna: 'Fauna computed binding values with a Query(Lambda) over each document and indexed them.',
    cases: [
      {
        name: 'CreateIndex with a binding is refused',
        setup: [things],
        query: q.CreateIndex({
          name: 'things_by_length',
          source: { collection: q.Collection('things'), fields: { len: q.Query(q.Lambda('doc', q.Length(q.Select(['data', 's'], q.Var('doc'))))) } },
          values: [{ binding: 'len' }],
        }),
        expectError: 'validation failed',
        afterwards: { query: q.Exists(q.Index('things_by_length')), expect: false },
      },
    ],
  },
  {
    number: 4,
    summary: 'Roles cannot grant schema changes: a caller acting through roles (token, role key, function with a role) is refused CreateCollection, CreateIndex, CreateFunction and Update/Delete of schema objects.',
    fauna: 'Fauna let a role grant create/write/delete on Collections(), Indexes(), Functions() and on single schema objects.',
    cases: [
      {
        name: 'a function running as a role that lists Collections() may not create one',
        setup: [
          q.CreateRole({ name: 'schema_maker', privileges: [{ resource: q.Collections(), actions: { create: true, read: true } }] }),
          q.CreateFunction({ name: 'make_collection', role: q.Role('schema_maker'), body: q.Query(q.Lambda('_', q.CreateCollection({ name: 'made' }))) }),
        ],
        query: q.Call(q.Function('make_collection'), 0),
        expectError: 'call error',
        afterwards: { query: q.Exists(q.Collection('made')), expect: false },
      },
    ],
  },
  {
    number: 5,
    summary: 'Credentials are kept with their document, out of sight, not in a Credentials() collection: Paginate(Credentials()) is refused.',
    fauna: 'Fauna kept credentials as documents of the Credentials() collection, which could be paginated.',
    cases: [
      {
        name: 'Paginate(Credentials()) is refused',
        setup: [things, q.Create(thing, { data: {}, credentials: { password: 'a long password' } })],
        query: q.Paginate(q.Credentials()),
        expectError: 'invalid argument',
      },
    ],
  },
];

export const knownDifferenceGroup: CaseGroup = {
  topic: 'known differences from Fauna',
  cases: knownDifferences.flatMap((d) => d.cases.map((c) => ({ ...c, name: `#${d.number}: ${c.name}` }))),
};
