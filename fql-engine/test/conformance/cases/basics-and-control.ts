/** Literals, Let/Var, If, Do, Lambda (with destructuring), Query, Abort, NewId. */

import { q, values, type Case } from '../harness.ts';

const things = q.CreateCollection({ name: 'things' });
const thing = (id: string) => q.Ref(q.Collection('things'), id);

export const basicsAndControlCases: readonly Case[] = [
  { name: 'a string literal echoes', query: 'hello', expect: 'hello' },
  { name: 'an integer literal echoes', query: 10, expect: 10 },
  { name: 'a double literal echoes', query: 3.14, expect: 3.14 },
  { name: 'null echoes', query: null, expect: null },
  { name: 'a boolean echoes', query: false, expect: false },
  { name: 'an array evaluates each element', query: [1, q.Add(1, 1), 'x', null], expect: [1, 2, 'x', null] },
  { name: 'an object evaluates each field', query: { a: q.Add(1, 2), b: { c: 'd' }, e: null }, expect: { a: 3, b: { c: 'd' }, e: null } },
  { name: 'Object() evaluates its fields', query: q.Object({ x: q.Let({ x: 1 }, q.Var('x')) }), expect: { x: 1 } },

  { name: 'Let binds a variable', query: q.Let({ x: 1 }, q.Var('x')), expect: 1 },
  { name: 'Let bindings see the earlier ones', query: q.Let({ one: q.Add(0, 1), two: q.Add(q.Var('one'), 1), three: q.Add(q.Var('two'), 1) }, q.Var('three')), expect: 3 },
  { name: 'Let takes an array of bindings', query: q.Let([{ x: 1 }, { y: 2 }], [q.Var('x'), q.Var('y')]), expect: [1, 2] },
  { name: 'an inner Let shadows an outer one, only inside', query: q.Let({ x: 1 }, [q.Let({ x: 2 }, q.Var('x')), q.Var('x')]), expect: [2, 1] },
  { name: 'Var of an unbound name', query: q.Var('nope'), expectError: 'unbound variable' },
  { name: 'a Let binding is not visible outside its Let', query: [q.Let({ x: 1 }, q.Var('x')), q.Var('x')], expectError: 'unbound variable' },

  { name: 'If true takes the then branch', query: q.If(true, 't', 'f'), expect: 't' },
  { name: 'If false takes the else branch', query: q.If(false, 't', 'f'), expect: 'f' },
  { name: 'If may answer null', query: q.If(true, null, null), expect: null },
  { name: 'If evaluates only the branch it takes', query: q.If(false, q.Abort('not taken'), 'else'), expect: 'else' },
  { name: 'If refuses a condition that is not a boolean', query: q.If(1, 't', 'f'), expectError: 'invalid argument' },

  { name: 'Do answers its last expression', query: q.Do(1, 2, 3), expect: 3 },
  { name: 'Do of one array answers the array', query: q.Do([1, 2]), expect: [1, 2] },
  { name: 'Do runs in order and later steps see earlier writes', setup: [things], query: q.Do(q.Create(thing('101'), { data: { n: 1 } }), q.Select(['data', 'n'], q.Get(thing('101')))), expect: 1 },

  { name: 'Lambda with one parameter, applied by Map', query: q.Map([1, 2, 3], q.Lambda('a', q.Multiply(2, q.Var('a')))), expect: [2, 4, 6] },
  { name: 'Lambda destructures an array argument', query: q.Map([[1, 2], [3, 4]], q.Lambda(['a', 'b'], [q.Var('b'), q.Var('a')])), expect: [[2, 1], [4, 3]] },
  { name: 'Lambda destructuring refuses an array of the wrong length', query: q.Map([[1, 2, 3]], q.Lambda(['a', 'b'], q.Var('a'))), expectError: 'invalid argument' },
  { name: 'Lambda parameter _ ignores its argument', query: q.Map([1, 2], q.Lambda('_', 'x')), expect: ['x', 'x'] },
  { name: 'Lambda sees the variables of the enclosing Let', query: q.Let({ k: 10 }, q.Map([1, 2], q.Lambda('x', q.Add(q.Var('x'), q.Var('k'))))), expect: [11, 12] },
  { name: 'a Lambda parameter shadows an enclosing Let', query: q.Let({ x: 10 }, q.Map([1], q.Lambda('x', q.Var('x')))), expect: [1] },
  { name: 'a Lambda bound by Let can be applied by Map', query: q.Let({ double: q.Lambda('x', q.Multiply(q.Var('x'), 2)) }, q.Map([1, 2], q.Var('double'))), expect: [2, 4] },
  { name: 'Query answers a lambda value tagged with the API version', query: q.Query(q.Lambda('x', q.Var('x'))), expect: new values.Query({ api_version: '4', lambda: 'x', expr: { var: 'x' } }) },

  { name: 'Abort fails the query with its message', query: q.Abort('abort message'), expectError: 'transaction aborted' },
  { name: 'Abort undoes the writes made before it', setup: [things], query: q.Do(q.Create(thing('101'), { data: {} }), q.Abort('stop')), expectError: 'transaction aborted', afterwards: { query: q.Exists(thing('101')), expect: false } },
  { name: 'Abort refuses a message that is not a string', query: q.Abort(1), expectError: 'invalid argument' },

  { name: 'NewId answers a string', query: q.IsString(q.NewId()), expect: true },
  { name: 'NewId answers a new id each time', query: q.Equals(q.NewId(), q.NewId()), expect: false },
  { name: 'a NewId can name a new document', setup: [things], query: q.Let({ id: q.NewId() }, q.Do(q.Create(q.Ref(q.Collection('things'), q.Var('id')), {}), q.Exists(q.Ref(q.Collection('things'), q.Var('id'))))), expect: true },

  // Fauna binds a value that is not an array whole to a one-name parameter list (EvalContext.scala).
  { name: 'a one-name parameter list takes a value that is not an array whole', query: q.Map([1, 2], q.Lambda(['x'], q.Var('x'))), expect: [1, 2] },
  { name: 'a one-name parameter list takes an object or a ref whole', setup: [things], query: q.Map([{ a: 1 }, thing('101')], q.Lambda(['x'], q.Var('x'))), expect: [{ a: 1 }, q.Ref(q.Collection('things'), '101')] },
  { name: 'a one-name parameter list still destructures a one-element array', query: q.Map([[1], [2]], q.Lambda(['x'], q.Var('x'))), expect: [1, 2] },
  { name: 'a two-name parameter list refuses a value that is not an array', query: q.Map([1], q.Lambda(['a', 'b'], q.Var('a'))), expectError: 'invalid argument' },
  { name: 'a one-name parameter list refuses an array of two', query: q.Map([[1, 2]], q.Lambda(['x'], q.Var('x'))), expectError: 'invalid argument' },
  // Fauna answered a Query in its normal form: each Let's bindings as one object.
  { name: 'Query answers its Let bindings as one object', query: q.Query(q.Lambda('_', q.Let([{ x: 1 }, { y: 2 }], [q.Var('x'), q.Var('y')]))), expect: new values.Query({ api_version: '4', lambda: '_', expr: { let: { x: 1, y: 2 }, in: [{ var: 'x' }, { var: 'y' }] } }) },
  { name: 'Query keeps the array of Let bindings that bind one name twice', query: q.Query(q.Lambda('_', q.Let([{ x: 1 }, { x: 2 }], q.Var('x')))), expect: new values.Query({ api_version: '4', lambda: '_', expr: { let: [{ x: 1 }, { x: 2 }], in: { var: 'x' } } }) },
  { name: 'a Query in normal form still runs', query: q.Let({ f: q.Query(q.Lambda('n', q.Let([{ a: q.Var('n') }, { b: q.Add(q.Var('a'), 1) }], q.Var('b')))) }, q.Map([1], q.Var('f'))), expect: [2] },
  { name: 'a legacy query without api_version is read as 2.12', query: new values.Query({ lambda: 'X', expr: { var: 'X' } }), expect: new values.Query({ api_version: '2.12', lambda: 'X', expr: { var: 'X' } }) },
  { name: 'a legacy query without api_version still runs', query: q.Map([1, 2], new values.Query({ lambda: 'X', expr: { add: [{ var: 'X' }, 1] } })), expect: [2, 3] },
];
