/**
 * Forms that programs written for Fauna use and that the other topics do not: the legacy
 * `Create(Ref("classes"), …)` style of making schema (Fauna's CreateCollection, CreateIndex…
 * are Create on the built-in collection), and the argument forms found by auditing the table.
 */

import { q, values, type Case } from '../harness.ts';

const todos = q.Create(q.Ref('classes'), { name: 'todos' });
const todosByTitle = q.Create(q.Ref('indexes'), { name: 'todos_by_title', source: q.Ref('classes/todos'), terms: [{ field: ['data', 'title'] }] });

export const writtenForFaunaCases: readonly Case[] = [
  { name: 'Create(Ref("classes"), {name}) makes a collection', query: q.Select('ref', todos), expect: q.Collection('todos') },
  { name: 'Create(Collections(), {name}) makes a collection', query: q.Select('name', q.Create(q.Collections(), { name: 'todos' })), expect: 'todos' },
  {
    name: 'Create(Ref("indexes"), …) makes an index that Match reads',
    setup: [todos, todosByTitle, q.Create(q.Ref('classes/todos/1'), { data: { title: 'milk' } })],
    query: q.Paginate(q.Match(q.Ref('indexes/todos_by_title'), 'milk')),
    expect: { data: [q.Ref(q.Collection('todos'), '1')] },
  },
  { name: 'Create(Ref("functions"), …) makes a function Call runs', setup: [q.Create(q.Ref('functions'), { name: 'twice', body: q.Query(q.Lambda('x', q.Multiply(2, q.Var('x')))) })], query: q.Call(q.Ref('functions/twice'), 21), expect: 42 },
  { name: 'Create(Ref("databases"), …) makes a database', setup: [q.Create(q.Ref('databases'), { name: 'child' })], query: q.Exists(q.Database('child')), expect: true },
  { name: 'Create(Ref("roles"), …) makes a role', setup: [q.Create(q.Ref('roles'), { name: 'reader', privileges: [] })], query: q.Select('privileges', q.Get(q.Role('reader'))), expect: [] },
  { name: 'Create(Ref("classes")) with no name fails validation', query: q.Create(q.Ref('classes'), {}), expectError: 'validation failed' },
  { name: 'Create(Ref("keys"), …) makes a key with a secret', query: q.Let({ k: q.Create(q.Ref('keys'), { role: 'server' }) }, [q.Select('role', q.Var('k')), q.IsString(q.Select('secret', q.Var('k')))]), expect: ['server', true] },
  { name: 'Create(Ref("keys/123"), …) makes a key with that id', query: q.Select('ref', q.Create(q.Ref('keys/123'), { role: 'server' })), expect: q.Ref(q.Keys(), '123') },
  { name: 'a key id is taken once', setup: [q.Create(q.Ref('keys/123'), { role: 'server' })], query: q.Create(q.Ref('keys/123'), { role: 'admin' }), expectError: 'instance already exists' },
  { name: "Create with a collection's name", setup: [todos], query: q.Select('data', q.Create('todos', { data: { title: 'eggs' } })), expect: { title: 'eggs' } },
  { name: 'Create with the name of no collection', query: q.Create('nope', { data: {} }), expectError: 'invalid ref' },

  // Fauna printed a time's fraction in groups of three digits, as Java's ISO_INSTANT does: a
  // stream event the driver's own tests keep shows txnTS 1603314266030000 as "…26.030Z".
  { name: 'a time prints its milliseconds as three digits', query: q.Epoch(1603314266030000, 'microseconds'), expect: new values.FaunaTime('2020-10-21T21:04:26.030Z') },
  { name: 'a time prints its microseconds as six digits', query: q.ToString(q.Time('2020-01-01T00:00:00.1234Z')), expect: '2020-01-01T00:00:00.123400Z' },
  { name: 'a time with whole seconds prints no fraction', query: q.ToString(q.Time('2020-01-01T00:00:00.000Z')), expect: '2020-01-01T00:00:00Z' },
  { name: 'a time keeps nine digits of nanoseconds', query: q.ToString(q.Epoch(1, 'nanosecond')), expect: '1970-01-01T00:00:00.000000001Z' },

  // Strings as Fauna's server counted them: code points, not UTF-16 units (its Length,
  // SubString, FindStr and FindStrRegex use Java's codePoints), and ICU's word breaks.
  { name: 'Length counts an emoji once', query: q.Length('😀ab'), expect: 3 },
  { name: 'SubString and FindStr count code points', query: [q.SubString('😀abc', 1, 2), q.FindStr('😀abc', 'b'), q.FindStrRegex('😀ab', 'b')], expect: ['ab', 2, [{ start: 2, end: 2, data: 'b' }]] },
  { name: 'SubString refuses a start past the end', query: q.SubString('abc', 5), expectError: 'invalid argument' },
  { name: 'FindStr with a start outside the string searches from the beginning', query: [q.FindStr('abc', 'a', 10), q.FindStr('abc', 'a', -1)], expect: [0, 0] },
  { name: 'FindStrRegex from a start matches ^ there', query: q.FindStrRegex('abab', '^ab', 2), expect: [{ start: 2, end: 3, data: 'ab' }] },
  { name: 'TitleCase breaks words as ICU does', query: q.TitleCase("mcdonald-smith o'neil 1st"), expect: "Mcdonald-Smith O'neil 1st" },
  { name: "Trim removes Java's whitespace, not a no-break space", query: q.Trim('\u00a0a\u2003 '), expect: '\u00a0a' },
  { name: 'NGram sizes may be at most one apart', query: q.NGram('what', 1, 3), expectError: 'invalid argument' },

  // Format's date and time conversions and %@, as Fauna's server printed them (Java's
  // Formatter per specifier, in UTC; %@ renders the value as the wire shows it).
  { name: 'Format prints a time with date suffixes', query: q.Format('%1$tY-%1$tm-%1$td %1$tH:%1$tM', q.Time('2020-01-02T15:04:05Z')), expect: '2020-01-02 15:04' },
  { name: 'Format prints month and day names', query: q.Format('%1$tA, %1$tB %1$te %1$tY', q.Date('2020-03-01')), expect: 'Sunday, March 1 2020' },
  { name: 'Format %T upper-cases and %tF, %tT, %tr combine', query: q.Format('%1$Tb %1$tF %1$tT %1$tr', q.Time('2020-01-02T15:04:05Z')), expect: 'JAN 2020-01-02 15:04:05 03:04:05 PM' },
  { name: 'Format %t with no suffix prints the value as ToString does', query: q.Format('%t', q.Date('2020-03-01')), expect: '2020-03-01' },
  { name: 'Format refuses a time suffix for a date', query: q.Format('%tH', q.Date('2020-03-01')), expectError: 'invalid argument' },
  { name: 'Format %@ renders a value as the wire does', query: q.Format('%@', { a: [1, 'x', null] }), expect: '{"a":[1,"x",null]}' },
  { name: 'Time, Date and a time unit are trimmed, as Fauna trimmed them', query: [q.Time(' 2020-01-01T00:00:00Z '), q.TimeAdd(q.Date(' 2020-01-01 '), 1, ' day ')], expect: [new values.FaunaTime('2020-01-01T00:00:00Z'), new values.FaunaDate('2020-01-02')] },
  {
    name: 'Max and Min read a set and a page, as Sum does',
    setup: [q.CreateCollection({ name: 'scores' }), q.CreateIndex({ name: 'all_scores', source: q.Collection('scores'), values: [{ field: ['data', 'n'] }] }), q.Do(q.Create(q.Collection('scores'), { data: { n: 3 } }), q.Create(q.Collection('scores'), { data: { n: 9 } }))],
    query: [q.Max(q.Match(q.Index('all_scores'))), q.Min(q.Paginate(q.Match(q.Index('all_scores'))))],
    expect: [9, { data: [3] }],
  },
  { name: 'Mean of nothing is refused in Fauna\'s words', query: q.Mean([]), expectError: 'invalid argument' },

  // Conversions as Fauna's server made them: ToNumber, ToInteger and ToDouble read text with
  // Java's NumberFormat (the longest numeric prefix, grouping commas); ToTime reads an integer
  // as milliseconds since the epoch.
  { name: 'ToNumber reads a number as Java NumberFormat does', query: [q.ToNumber('1,234.5'), q.ToNumber(' 42abc'), q.ToInteger('7.9 items'), q.ToDouble('2.5E2')], expect: [1234.5, 42, 7, 250] },
  { name: 'ToNumber refuses text that does not start with a number', query: q.ToNumber('+5'), expectError: 'invalid argument' },
  { name: 'ToTime of an integer is milliseconds since the epoch', query: q.ToTime(1500), expect: new values.FaunaTime('1970-01-01T00:00:01.500Z') },
  { name: 'Union, Intersection and Difference of arrays count repeated values, as multisets', query: [q.Union([1, 1, 2], [1, 3]), q.Intersection([1, 1, 2], [1, 1, 3]), q.Difference([1, 1, 2], [1]), q.Union([1, 1])], expect: [[1, 1, 2, 3], [1, 1], [1, 2], [1, 1]] },
];
