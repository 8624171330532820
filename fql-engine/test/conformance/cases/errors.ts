/**
 * Fauna's error codes, one case each at least, and the rule that a query that fails leaves
 * nothing written: each failing write is followed by a query that looks for its traces.
 */

import faunadb from 'faunadb';
import { inDb, q, type Case } from '../harness.ts';

const scratch = q.CreateCollection({ name: 'scratch' });
const note = (id: string) => q.Ref(q.Collection('scratch'), id);
const countScratch = q.Count(q.Documents(q.Collection('scratch')));
/** A call the driver can send but this engine refuses (the wire shape of each comes from query.js). */
const raw = (json: object) => new faunadb.Expr(json);
/** `depth` levels of `wrap` around 1. */
const nested = (depth: number, wrap: (inner: object | number) => object): object => {
  let expr: object | number = 1;
  for (let i = 0; i < depth; i++) expr = wrap(expr);
  return expr as object;
};

export const errorCases: readonly Case[] = [
  { name: 'invalid expression: an object naming no function', query: raw({ nonsense: 1 }), expectError: 'invalid expression' },
  { name: 'invalid expression: a known function with a wrong argument key', query: raw({ add: [1, 2], extra: 3 }), expectError: 'invalid expression' },
  { name: 'an unknown function writes nothing before it', setup: [scratch], query: q.Do(q.Create(note('101'), {}), raw({ no_such_function: note('101') })), expectError: 'invalid expression', afterwards: { query: q.Exists(note('101')), expect: false } },

  { name: 'invalid argument: Add of a string', query: q.Add([1, 'two']), expectError: 'invalid argument' },
  { name: 'unbound variable', query: q.Var('x'), expectError: 'unbound variable' },
  { name: 'value not found: Select of a missing field', query: q.Select('a', {}), expectError: 'value not found' },
  { name: 'instance not found: Get of a missing document', setup: [scratch], query: q.Get(note('123')), expectError: 'instance not found' },
  { name: 'instance already exists: a second collection of one name', setup: [scratch], query: scratch, expectError: 'instance already exists' },
  { name: 'instance already exists: Create with a taken id', setup: [scratch, q.Create(note('101'), {})], query: q.Create(note('101'), {}), expectError: 'instance already exists' },
  { name: 'instance not unique: a unique index', setup: [scratch, q.CreateIndex({ name: 'scratch_by_k', source: q.Collection('scratch'), terms: [{ field: ['data', 'k'] }], unique: true }), q.Create(note('101'), { data: { k: 1 } })], query: q.Create(note('102'), { data: { k: 1 } }), expectError: 'instance not unique', afterwards: { query: q.Exists(note('102')), expect: false } },
  { name: 'transaction aborted: Abort', query: q.Abort('stop'), expectError: 'transaction aborted' },
  { name: 'invalid ref: Create in a collection that does not exist', query: q.Create(q.Collection('nope'), {}), expectError: 'invalid ref' },
  { name: 'invalid ref: Call of a function that does not exist', query: q.Call(q.Function('nope'), 1), expectError: 'invalid ref' },
  { name: 'call error: an error inside a function', setup: [q.CreateFunction({ name: 'fails', body: q.Query(q.Lambda('x', q.Select('missing', q.Var('x')))) })], query: q.Call(q.Function('fails'), {}), expectError: 'call error' },
  { name: 'permission denied: a server key creating a database', as: { key: 'server' }, query: q.CreateDatabase({ name: 'sub' }), expectError: 'permission denied' },
  { name: 'unauthorized: a bad secret', as: 'bad-secret', query: q.Now(), expectError: 'unauthorized' },
  { name: 'unauthorized: a scoped secret naming a missing database', query: inDb('missing', q.Now()), expectError: 'unauthorized' },

  { name: 'a failing query undoes documents, schema and databases it wrote', setup: [scratch], query: q.Do(q.Create(note('101'), {}), q.CreateCollection({ name: 'made_then_undone' }), q.CreateDatabase({ name: 'db_then_undone' }), q.Add(1, 'x')), expectError: 'invalid argument', afterwards: { query: [q.Exists(note('101')), q.Exists(q.Collection('made_then_undone')), q.Exists(q.Database('db_then_undone'))], expect: [false, false, false] } },
  { name: 'a failing query undoes its updates and deletes', setup: [scratch, q.Create(note('101'), { data: { v: 1 } }), q.Create(note('102'), {})], query: q.Do(q.Update(note('101'), { data: { v: 2 } }), q.Delete(note('102')), q.Abort('undo')), expectError: 'transaction aborted', afterwards: { query: [q.Select(['data', 'v'], q.Get(note('101'))), q.Exists(note('102'))], expect: [1, true] } },
  { name: 'an error in the middle of a Map undoes the earlier iterations', setup: [scratch], query: q.Map([1, 2, 'three'], q.Lambda('n', q.Create(q.Collection('scratch'), { data: { n: q.Add(q.Var('n'), 1) } }))), expectError: 'invalid argument', afterwards: { query: countScratch, expect: 0 } },
  { name: 'an error in a Foreach undoes the earlier iterations', setup: [scratch], query: q.Foreach([1, 2, 3], q.Lambda('n', q.If(q.Equals(q.Var('n'), 3), q.Abort('third'), q.Create(q.Collection('scratch'), {})))), expectError: 'transaction aborted', afterwards: { query: countScratch, expect: 0 } },
  { name: 'a failing index creation writes nothing', setup: [scratch], query: q.Do(q.CreateIndex({ name: 'made_then_undone', source: q.Collection('scratch') }), q.Abort('undo')), expectError: 'transaction aborted', afterwards: { query: q.Exists(q.Index('made_then_undone')), expect: false } },
  { name: 'a failing key creation leaves no key', query: q.Do(q.CreateKey({ role: 'server' }), q.Abort('undo')), expectError: 'transaction aborted', afterwards: { query: q.Count(q.Select('data', q.Paginate(q.Keys()))), expect: 0 } },
  // Queries and values nest at most 1000 levels (fql-engine/limits.ts): deeper ones would run the
  // engine out of stack.
  { name: 'an expression nested past 1000 levels is a stack overflow, not a crash', query: raw(nested(600, (inner) => ({ add: [inner, 1] }))), expectError: 'stack overflow' },
  { name: 'an array nested past 1000 levels is a stack overflow, not a crash', query: raw(nested(1200, (inner) => [inner])), expectError: 'stack overflow' },
  { name: 'an expression nested 400 calls deep is fine', query: raw(nested(400, (inner) => ({ add: [inner, 1] }))), expect: 401 },
  // One JSON level per call: the evaluator's recursion at its deepest, just inside the limit.
  { name: 'Not nested 998 calls deep is fine', query: raw(nested(998, (inner) => ({ not: inner === 1 ? true : inner }))), expect: true },
  { name: 'Reverse nested 998 calls deep is fine', query: raw(nested(998, (inner) => ({ reverse: inner === 1 ? [1] : inner }))), expect: [1] },
  { name: 'a value built 5000 deep by a Lambda is a stack overflow, not a crash', query: q.Reduce(q.Lambda(['acc', 'x'], [q.Var('acc')]), 0, new Array(5000).fill(0)), expectError: 'stack overflow' },
];
