/**
 * MoveDatabase (issue 14 §2): a child database moves under another with its contents and the
 * keys made for it; Fauna's errors for a move into itself or a descendant, a name clash, and a
 * caller that is not an admin. `moveSessionCases` use a key's secret and run in identity.test.ts.
 */

import { inDb, q, type Case } from '../harness.ts';
import type { SessionCase } from '../identity-harness.ts';

const a = q.CreateDatabase({ name: 'a' });
const b = q.CreateDatabase({ name: 'b' });
const move = q.MoveDatabase(q.Database('a'), q.Database('b'));
const withContents = [a, b, inDb('a', q.CreateCollection({ name: 'things' })), inDb('a', q.Create(q.Ref(q.Collection('things'), '1'), { data: { n: 1 } })), inDb('a', q.CreateDatabase({ name: 'inner' }))];

export const moveDatabaseCases: readonly Case[] = [
  { name: 'MoveDatabase answers the database under its new parent', setup: [a, b], query: [q.Select('ref', move), q.Select('name', q.Get(q.Database('a', q.Database('b'))))], expect: [q.Database('a', q.Database('b')), 'a'] },
  { name: 'a moved database leaves its old parent', setup: [a, b, move], query: [q.Exists(q.Database('a')), q.Paginate(q.Databases()), q.Paginate(q.Databases(q.Database('b')))], expect: [false, { data: [q.Database('b')] }, { data: [q.Database('a', q.Database('b'))] }] },
  { name: 'a moved database keeps its documents and its child databases', setup: [...withContents, move], query: inDb('b/a', [q.Select(['data', 'n'], q.Get(q.Ref(q.Collection('things'), '1'))), q.Exists(q.Database('inner'))]), expect: [1, true] },
  { name: 'a moved database keeps its global id', setup: [a, b], query: q.Let({ before: q.Select('global_id', q.Get(q.Database('a'))) }, q.Equals(q.Var('before'), q.Select('global_id', move))), expect: true },
  { name: 'MoveDatabase to the parent it is in already', setup: [a, inDb('a', q.CreateDatabase({ name: 'deep' }))], query: q.MoveDatabase(q.Database('deep', q.Database('a')), q.Database('a')), expectError: 'instance already exists' },
  { name: 'a grandchild moves to a sibling of its parent', setup: [a, b, inDb('a', q.CreateDatabase({ name: 'deep' })), inDb('a/deep', q.CreateCollection({ name: 'c' }))], query: q.Select('ref', q.MoveDatabase(q.Database('deep', q.Database('a')), q.Database('b'))), expect: q.Database('deep', q.Database('b')), afterwards: { query: inDb('b/deep', q.Exists(q.Collection('c'))), expect: true } },
  { name: 'keys made for the moved database move with it', setup: [a, b, q.CreateKey({ role: 'server', database: q.Database('a') }), q.CreateKey({ role: 'server' })], query: q.Do(move, [q.Count(q.Keys()), q.Count(q.Keys(q.Database('b')))]), expect: [1, 1] },

  { name: 'MoveDatabase into itself', setup: [a], query: q.MoveDatabase(q.Database('a'), q.Database('a')), expectError: 'move database error' },
  { name: 'MoveDatabase into its own descendant', setup: [a, inDb('a', q.CreateDatabase({ name: 'inner' }))], query: q.MoveDatabase(q.Database('a'), q.Database('inner', q.Database('a'))), expectError: 'move database error', afterwards: { query: q.Exists(q.Database('a')), expect: true } },
  { name: 'MoveDatabase onto a name the destination has', setup: [a, b, inDb('b', q.CreateDatabase({ name: 'a' }))], query: move, expectError: 'instance already exists', afterwards: { query: q.Exists(q.Database('a')), expect: true } },
  { name: 'MoveDatabase of a database that does not exist', setup: [b], query: move, expectError: 'invalid ref' },
  { name: 'MoveDatabase to a database that does not exist', setup: [a], query: move, expectError: 'invalid ref', afterwards: { query: q.Exists(q.Database('a')), expect: true } },
  { name: 'MoveDatabase of something that is not a database', setup: [b], query: q.MoveDatabase(q.Collection('a'), q.Database('b')), expectError: 'invalid argument' },
  { name: 'a server key may not move a database', setup: [a, b], as: 'server', query: move, expectError: 'permission denied', afterwards: { query: q.Exists(q.Database('a')), expect: true } },
];

export const moveSessionCases: readonly SessionCase[] = [
  {
    name: "a key made for a moved database keeps working, in the database's new place",
    setup: [a, b, inDb('a', q.CreateCollection({ name: 'things' }))],
    steps: [
      { save: 'key', query: q.CreateKey({ role: 'server', database: q.Database('a') }) },
      { query: move },
      { as: 'key', query: q.Paginate(q.Collections()), expect: { data: [q.Collection('things')] } },
      { query: q.Count(q.Keys(q.Database('b'))), expect: 1 },
    ],
  },
  {
    name: 'a key moved twice keeps working after its first parent is deleted',
    setup: [q.CreateDatabase({ name: 'p' }), inDb('p', a), b, inDb('p/a', q.CreateCollection({ name: 'things' }))],
    steps: [
      // A key that p itself makes for a: it lives in p, and moves out of p with a.
      { save: 'padmin', query: q.CreateKey({ role: 'admin', database: q.Database('p') }) },
      { as: 'padmin', save: 'key', query: q.CreateKey({ role: 'server', database: q.Database('a') }) },
      { query: q.MoveDatabase(q.Database('a', q.Database('p')), q.Database('b')) },
      { query: q.MoveDatabase(q.Database('a', q.Database('b')), q.Database('p')) },
      { query: q.MoveDatabase(q.Database('a', q.Database('p')), q.Database('b')) },
      { query: q.Delete(q.Database('p')) },
      { as: 'key', query: q.Paginate(q.Collections()), expect: { data: [q.Collection('things')] } },
    ],
  },
];
