/** User-defined functions: CreateFunction with Query(Lambda), Call, captured Let variables, errors inside. */

import { q, type Case } from '../harness.ts';

const fn = (name: string, lambda: ReturnType<typeof q.Lambda>, extra: object = {}) => q.CreateFunction({ name, body: q.Query(lambda), ...extra });
const inc = fn('inc', q.Lambda('x', q.Add(q.Var('x'), 1)));
const log = q.CreateCollection({ name: 'log' });
const record = fn('record', q.Lambda('msg', q.Select(['data', 'msg'], q.Create(q.Collection('log'), { data: { msg: q.Var('msg') } }))));
const countLog = q.Count(q.Documents(q.Collection('log')));

export const functionCases: readonly Case[] = [
  { name: 'Call a function', setup: [inc], query: q.Call(q.Function('inc'), 41), expect: 42 },
  { name: 'Call with several arguments binds them in order', setup: [fn('concat_with_slash', q.Lambda(['a', 'b'], q.Concat([q.Var('a'), q.Var('b')], '/')))], query: q.Call(q.Function('concat_with_slash'), 'a', 'b'), expect: 'a/b' },
  { name: 'Call with an object argument', setup: [fn('join_ab', q.Lambda('o', q.Concat([q.Select('a', q.Var('o')), q.Select('b', q.Var('o'))], '/')))], query: q.Call(q.Function('join_ab'), { a: 'a', b: 'b' }), expect: 'a/b' },
  { name: 'a function body keeps the Let variables it was created under', setup: [q.Let({ k: 10 }, fn('addk', q.Lambda('x', q.Add(q.Var('x'), q.Var('k')))))], query: q.Call(q.Function('addk'), 1), expect: 11 },
  { name: 'a captured variable is not rebound by the caller', setup: [q.Let({ k: 10 }, fn('addk', q.Lambda('x', q.Add(q.Var('x'), q.Var('k')))))], query: q.Let({ k: 100 }, q.Call(q.Function('addk'), 1)), expect: 11 },
  { name: 'a function writes documents', setup: [log, record], query: q.Call(q.Function('record'), 'hi'), expect: 'hi', afterwards: { query: countLog, expect: 1 } },
  { name: 'a function calls another function', setup: [inc, fn('inc_twice', q.Lambda('x', q.Call(q.Function('inc'), q.Call(q.Function('inc'), q.Var('x')))))], query: q.Call(q.Function('inc_twice'), 1), expect: 3 },
  { name: 'a function is called from a Lambda', setup: [inc], query: q.Map([1, 2], q.Lambda('x', q.Call(q.Function('inc'), q.Var('x')))), expect: [2, 3] },
  { name: 'a function is found in the query right after its creation', setup: [inc], query: q.Exists(q.Function('inc')), expect: true },
  { name: 'Get of a function shows its name and body', setup: [inc], query: q.Let({ f: q.Get(q.Function('inc')) }, [q.Select('name', q.Var('f')), q.Equals(q.Select('body', q.Var('f')), q.Query(q.Lambda('x', q.Add(q.Var('x'), 1))))]), expect: ['inc', true] },
  { name: 'a function keeps its data', setup: [fn('tagged', q.Lambda('x', q.Var('x')), { data: { version: 2 } })], query: q.Select(['data', 'version'], q.Get(q.Function('tagged'))), expect: 2 },
  { name: 'Update of a function body changes what Call does', setup: [inc, q.Update(q.Function('inc'), { body: q.Query(q.Lambda('x', q.Add(q.Var('x'), 100))) })], query: q.Call(q.Function('inc'), 41), expect: 141 },
  { name: 'Replace of a function', setup: [inc], query: q.Do(q.Replace(q.Function('inc'), { name: 'inc', body: q.Query(q.Lambda('x', q.Multiply(q.Var('x'), 2))) }), q.Call(q.Function('inc'), 21)), expect: 42 },
  { name: 'Call of a deleted function', setup: [inc, q.Delete(q.Function('inc'))], query: q.Call(q.Function('inc'), 1), expectError: 'invalid ref' },
  { name: 'Abort inside a function is a call error', setup: [fn('refuse', q.Lambda('x', q.Abort('inside')))], query: q.Call(q.Function('refuse'), 1), expectError: 'call error' },
  { name: 'a bad argument inside a function is a call error', setup: [inc], query: q.Call(q.Function('inc'), 'one'), expectError: 'call error' },
  { name: 'a call error undoes the writes made inside the function', setup: [log, fn('write_then_fail', q.Lambda('m', q.Do(q.Create(q.Collection('log'), { data: { msg: q.Var('m') } }), q.Abort('no'))))], query: q.Call(q.Function('write_then_fail'), 'x'), expectError: 'call error', afterwards: { query: countLog, expect: 0 } },
  { name: 'a call error undoes the writes made before the call', setup: [log, fn('refuse', q.Lambda('x', q.Abort('inside')))], query: q.Do(q.Create(q.Collection('log'), { data: {} }), q.Call(q.Function('refuse'), 1)), expectError: 'call error', afterwards: { query: countLog, expect: 0 } },
  { name: 'a server key may call a function', setup: [inc], as: { key: 'server' }, query: q.Call(q.Function('inc'), 1), expect: 2 },

  { name: "a function of ['email'] called with one string binds it whole", setup: [fn('bracket', q.Lambda(['email'], q.Concat(['<', q.Var('email'), '>'])))], query: q.Call(q.Function('bracket'), 'a@b.c'), expect: '<a@b.c>' },
  { name: 'a function of no parameters called with none', setup: [fn('answer', q.Lambda([], 42))], query: q.Call(q.Function('answer')), expect: 42 },
  { name: 'a function called by name', setup: [inc], query: q.Call('inc', 1), expect: 2 },
];
