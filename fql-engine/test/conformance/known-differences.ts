/**
 * The engine's known differences from Fauna, numbered. fql-engine/README.md lists them by these
 * numbers, in these words (known-differences.test.ts checks it). Each case ASSERTS the engine's
 * own behaviour, so a difference cannot silently disappear or change: if one is fixed, its case
 * fails and the list must be updated.
 */

import { q, type Case, type CaseGroup } from './harness.ts';

export interface KnownDifference {
  readonly number: number;
  /** The README's item, word for word (markdown; the README may wrap it anywhere). */
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
    summary: 'No history is kept: At, Events, Insert and Remove are refused, and so are Get and Exists at a `ts` and Paginate with `events`.',
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
    summary:
      'A number with no fractional part is an integer (JSON cannot tell `1` from `1.0`, and the JavaScript driver itself sends `1.0` as `1`), so `Divide(Add(1.5, 1.5), 2)` is `1` (Fauna: `1.5`) and `ToString(ToDouble(10))` is `"10"` (Fauna: `"10.0"`). Keeping such doubles apart would take a value of their own through every numeric function, comparison, index key and stored body.',
    fauna: 'Fauna kept the double: Divide(Add(1.5, 1.5), 2) was 1.5 and ToString(ToDouble(10)) was "10.0".',
    cases: [
      { name: 'a double sum with no fraction divides as an integer', query: q.Divide(q.Add(1.5, 1.5), 2), expect: 1 },
      { name: 'ToDouble of an integer prints as an integer', query: q.ToString(q.ToDouble(10)), expect: '10' },
    ],
  },
  {
    number: 3,
    summary: 'Index bindings (`source: {collection, fields}`) are refused by CreateIndex with `validation failed`.',
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
    summary: 'Roles cannot grant schema changes: a caller acting through roles (a token, a key with a role, a function with a role) is refused CreateCollection, CreateIndex, CreateFunction and Update/Delete of schema objects, whatever its privileges on Collections() and the like.',
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
    summary: 'Credentials are kept with their document: `Credentials()` can be listed and its documents read, but not written (Create, Update and Delete of a credentials ref are refused; set `credentials` on the document instead).',
    fauna: 'Fauna kept credentials as documents of their own, which could be written directly (Create(Credentials(), {instance, password}) and the like).',
    cases: [
      {
        name: 'Update of a credentials ref is refused, the password stays',
        setup: [things, q.Create(thing, { data: {}, credentials: { password: 'a long password' } })],
        query: q.Update(q.Select(['data', 0], q.Paginate(q.Credentials())), { password: 'another password' }),
        expectError: 'invalid ref',
        afterwards: { query: q.Identify(thing, 'a long password'), expect: true },
      },
      {
        name: 'Create in Credentials() is refused',
        setup: [things, q.Create(thing, { data: {} })],
        query: q.Create(q.Credentials(), { instance: thing, password: 'a long password' }),
        expectError: 'invalid argument',
        afterwards: { query: q.Identify(thing, 'a long password'), expect: false },
      },
    ],
  },
  {
    number: 6,
    summary: 'Times and dates fall between the years 0000 and 9999: a time outside them, parsed or computed (`Epoch`, `TimeAdd`), is refused with `invalid argument` (Fauna\'s Java times reached much further).',
    fauna: 'Fauna (a Java Instant) kept times far beyond: Time("+10000-01-01T00:00:00Z") was a time.',
    cases: [
      { name: 'a five-digit year is refused', query: q.Time('+10000-01-01T00:00:00Z'), expectError: 'invalid argument' },
      { name: 'Epoch past the year 9999 is refused', query: q.Epoch(9007199254740991, 'day'), expectError: 'invalid argument' },
      { name: 'TimeAdd past the year 9999 is refused', query: q.TimeAdd(q.Time('9999-12-31T23:59:59Z'), 1, 'second'), expectError: 'invalid argument' },
    ],
  },
  {
    number: 7,
    summary: 'Size limits (`limits.ts`): a query or a value nests at most 1000 levels (deeper is `stack overflow`), and a string function (`Repeat`, `NGram`) builds at most 8 Mi characters (`invalid argument`). Without them a query could exhaust the process for every other query.',
    fauna: "Fauna's own limits were different and are not documented for v4.",
    cases: [
      { name: 'Repeat past 8 Mi characters is refused', query: q.Length(q.Repeat(q.Repeat('abcdefghi', 1024), 1024)), expectError: 'invalid argument' },
      { name: 'a value nested 1001 levels is refused', query: q.Reduce(q.Lambda(['acc', 'x'], [q.Var('acc')]), 0, new Array(1001).fill(0)), expectError: 'stack overflow' },
    ],
  },
  {
    number: 8,
    summary: 'Regular expressions follow Java\'s syntax where JS can express it (`\\Q…\\E`, `\\A \\z \\Z`, `\\h`, POSIX classes such as `\\p{Alpha}`, Unicode properties such as `\\p{L}` and `\\p{IsLatin}`); possessive quantifiers, atomic groups, mid-pattern flags and Unicode blocks (`\\p{InGreek}`) are refused with `invalid argument` rather than read another way.',
    fauna: 'Fauna ran java.util.regex, which accepts them.',
    cases: [
      { name: 'a possessive quantifier is refused', query: q.ContainsStrRegex('aaa', 'a++'), expectError: 'invalid argument' },
      { name: 'an atomic group is refused', query: q.ContainsStrRegex('ab', '(?>a)b'), expectError: 'invalid argument' },
      { name: 'a flag mid-pattern is refused', query: q.ContainsStrRegex('aB', 'a(?i)b'), expectError: 'invalid argument' },
    ],
  },
  {
    number: 10,
    summary: 'Take and Drop on a page keep its cursors as they were (Fauna moved `before` past the dropped elements).',
    fauna: "Fauna moved the page's `before` cursor past the dropped elements.",
    cases: [
      {
        name: 'Drop on a page keeps its after cursor and adds no before',
        setup: [things, q.CreateIndex({ name: 'things_n', source: q.Collection('things'), values: [{ field: ['data', 'n'] }] }), ...[1, 2, 3, 4].map((n) => q.Create(q.Ref(q.Collection('things'), String(100 + n)), { data: { n } }))],
        query: q.Let({ page: q.Drop(1, q.Paginate(q.Match(q.Index('things_n')), { size: 3 })) }, [q.Select('data', q.Var('page')), q.ContainsField('before', q.Var('page')), q.ContainsField('after', q.Var('page'))]),
        expect: [[2, 3], false, true],
      },
    ],
  },
  {
    number: 11,
    summary: 'A `ttl` on a collection, an index or a database is kept and shown, but the object stays past it: removing one at a time would have to take its documents, entries and child databases along, which the sweeper does not do. (Functions, roles and keys do go at their ttl.)',
    fauna: 'Fauna removed any document at its ttl, schema documents included.',
    cases: [
      {
        name: 'a collection past its ttl is still there',
        setup: [q.CreateCollection({ name: 'things', ttl: q.TimeSubtract(q.Now(), 1, 'second') })],
        query: [q.Exists(q.Collection('things')), q.IsTimestamp(q.Select('ttl', q.Get(q.Collection('things'))))],
        expect: [true, true],
      },
    ],
  },
  {
    number: 12,
    summary: 'An index reads user collections and Tokens() only: CreateIndex with a schema collection (Collections(), Indexes()...) as its source is refused with `validation failed`.',
    fauna: 'Fauna indexed schema collections too, e.g. an index over Ref("collections").',
    cases: [
      {
        name: 'an index over Collections() is refused',
        query: q.CreateIndex({ name: 'all_collections', source: q.Ref('collections') }),
        expectError: 'validation failed',
        afterwards: { query: q.Exists(q.Index('all_collections')), expect: false },
      },
    ],
  },
  {
    number: 13,
    summary: "An access provider's `jwks_uri` may be plain `http` to this machine (`localhost`, `127.0.0.1`, `[::1]`), so that a local identity provider can serve its keys in development; any other host needs `https`.",
    fauna: 'Fauna required https for every jwks_uri.',
    cases: [
      {
        name: 'a jwks_uri over http to 127.0.0.1 is accepted',
        query: q.Select('jwks_uri', q.CreateAccessProvider({ name: 'local', issuer: 'https://local.test/', jwks_uri: 'http://127.0.0.1:9999/jwks.json' })),
        expect: 'http://127.0.0.1:9999/jwks.json',
      },
    ],
  },
  {
    number: 14,
    summary: 'A document ref may hold any id: `Ref(Collection("things"), "abc")` is a ref to nothing (Get: `instance not found`; Exists: false), and only Create refuses an id that is not a positive 64-bit integer. This repository\'s own functions put ids that callers send into refs and rely on Exists answering false.',
    fauna: 'Fauna refused the ref itself with invalid argument ("Number or numeric String expected, non-numeric \'abc\' provided.", or "The id provided is too large").',
    cases: [
      { name: 'Exists of a ref with a non-numeric id is false', setup: [things], query: q.Exists(q.Ref(q.Collection('things'), 'abc')), expect: false },
      { name: 'Create with a non-numeric id is refused', setup: [things], query: q.Create(q.Ref(q.Collection('things'), 'abc'), {}), expectError: 'invalid argument' },
    ],
  },
];

export const knownDifferenceGroup: CaseGroup = {
  topic: 'known differences from Fauna',
  cases: knownDifferences.flatMap((d) => d.cases.map((c) => ({ ...c, name: `#${d.number}: ${c.name}` }))),
};
