/**
 * Roles, Fauna's attribute-based access control (issue 3). `roleCases` manage roles as the
 * admin; `roleSessionCases` act as a token (or a key with a role) and check what each
 * privilege, predicate and membership allows.
 *
 * Predicate shapes, per Fauna's v4 docs: collection read/delete get the document's ref,
 * create gets the new document's params, write gets [oldData, newData, ref] (two-argument
 * predicates, from before `ref` was passed, still work), index read gets the match terms as an
 * array, function call gets the call's arguments as an array, membership gets the identity's ref.
 */

import { q, type Case, type ExprArg } from '../harness.ts';
import type { SessionCase, SessionStep } from '../identity-harness.ts';

const users = q.CreateCollection({ name: 'users' });
const posts = q.CreateCollection({ name: 'posts' });
const alice = q.Ref(q.Collection('users'), '1');
const bob = q.Ref(q.Collection('users'), '2');
const post1 = q.Ref(q.Collection('posts'), '1');
const post2 = q.Ref(q.Collection('posts'), '2');
const world = [
  users,
  posts,
  q.Create(alice, { credentials: { password: 'sekret' }, data: { name: 'alice', admin: false } }),
  q.Create(bob, { credentials: { password: 'hunter2' }, data: { name: 'bob', admin: true } }),
  q.Create(post1, { data: { owner: alice, text: 'a' } }),
  q.Create(post2, { data: { owner: bob, text: 'b' } }),
];

type Actions = Record<string, ExprArg>;
const usersMembers = [{ resource: q.Collection('users') }];
const role = (name: string, privileges: readonly { resource: ExprArg; actions: Actions }[], membership: readonly object[] = usersMembers): ExprArg =>
  q.CreateRole({ name, privileges: [...privileges], membership: [...membership] });
const onPosts = (actions: Actions): { resource: ExprArg; actions: Actions } => ({ resource: q.Collection('posts'), actions });
const pred = (params: string | string[], body: ExprArg): ExprArg => q.Query(q.Lambda(params, body));
const ownerOf = (doc: ExprArg): ExprArg => q.Select(['data', 'owner'], doc);
const isMine = (refVar: string): ExprArg => q.Equals(q.CurrentIdentity(), ownerOf(q.Get(q.Var(refVar))));

const readPosts = role('readers', [onPosts({ read: true })]);
const text = (ref: ExprArg): ExprArg => q.Select(['data', 'text'], q.Get(ref));
const newPost = (owner: ExprArg): ExprArg => q.Select(['data', 'text'], q.Create(q.Collection('posts'), { data: { owner, text: 'new' } }));

// ---------------------------------------------------------------------------------------
// Managing roles, as the admin

export const roleCases: readonly Case[] = [
  { name: 'CreateRole answers its name and privileges', setup: [posts], query: q.Let({ r: q.CreateRole({ name: 'readers', privileges: [{ resource: q.Collection('posts'), actions: { read: true } }] }) }, [q.Select('name', q.Var('r')), q.Select(['privileges', 0, 'actions', 'read'], q.Var('r')), q.IsRole(q.Select('ref', q.Var('r')))]), expect: ['readers', true, true] },
  { name: 'Get(Role) shows privileges and membership', setup: [...world, readPosts], query: q.Let({ r: q.Get(q.Role('readers')) }, [q.Select('name', q.Var('r')), q.Select(['privileges', 0, 'resource'], q.Var('r')), q.Select(['membership', 0, 'resource'], q.Var('r'))]), expect: ['readers', q.Collection('posts'), q.Collection('users')] },
  { name: 'a predicate is kept as a query', setup: [posts], query: q.IsLambda(q.Select(['privileges', 0, 'actions', 'read'], q.CreateRole({ name: 'mine', privileges: [onPosts({ read: pred('ref', q.Equals(1, 1)) })] }))), expect: true },
  { name: 'Exists and Paginate(Roles()) see a role', setup: [posts, q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] })], query: [q.Exists(q.Role('readers')), q.Paginate(q.Roles())], expect: [true, { data: [q.Role('readers')] }] },
  { name: 'Update of a role changes its privileges', setup: [posts, q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] })], query: q.Select(['privileges', 0, 'actions', 'create'], q.Update(q.Role('readers'), { privileges: [onPosts({ read: true, create: true })] })), expect: true },
  { name: 'Delete of a role', setup: [posts, q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] })], query: q.Do(q.Delete(q.Role('readers')), q.Exists(q.Role('readers'))), expect: false },
  { name: 'a second role with the same name already exists', setup: [posts, q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] })], query: q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] }), expectError: 'instance already exists' },
  { name: 'a server key may not create a role', as: { key: 'server' }, setup: [posts], query: q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] }), expectError: 'permission denied' },
  { name: 'CreateKey with a user-defined role', setup: [posts, q.CreateRole({ name: 'readers', privileges: [onPosts({ read: true })] })], query: q.Let({ k: q.CreateKey({ role: q.Role('readers') }) }, [q.Select('role', q.Var('k')), q.IsString(q.Select('secret', q.Var('k')))]), expect: [q.Role('readers'), true] },
  { name: 'a function keeps its role', setup: [q.CreateFunction({ name: 'f', body: q.Query(q.Lambda('x', q.Var('x'))), role: 'admin' })], query: q.Select('role', q.Get(q.Function('f'))), expect: 'admin' },
];

// ---------------------------------------------------------------------------------------
// Acting under roles

const login = (name: string, ref: ExprArg, password: string): SessionStep => ({ save: name, query: q.Login(ref, { password }) });
const asAlice = login('alice', alice, 'sekret');
const asBob = login('bob', bob, 'hunter2');

function denied(query: ExprArg, as = 'alice'): SessionStep {
  return { as, query, expectError: 'permission denied' };
}

function allowed(query: ExprArg, expect: unknown, as = 'alice'): SessionStep {
  return { as, query, expect };
}

const byOwner = q.CreateIndex({ name: 'posts_by_owner', source: q.Collection('posts'), terms: [{ field: ['data', 'owner'] }] });
const byText = q.CreateIndex({ name: 'posts_by_text', source: q.Collection('posts'), terms: [{ field: ['data', 'text'] }] });
const pair = q.CreateFunction({ name: 'pair', body: q.Query(q.Lambda(['a', 'b'], [q.Var('a'), q.Var('b')])) });
const echo = q.CreateFunction({ name: 'echo', body: q.Query(q.Lambda('x', q.Var('x'))) });
const makePost = (roleField?: ExprArg): ExprArg =>
  q.CreateFunction({ name: 'make_post', body: q.Query(q.Lambda('t', q.Select(['data', 'text'], q.Create(q.Collection('posts'), { data: { owner: q.CurrentIdentity(), text: q.Var('t') } })))), ...(roleField === undefined ? {} : { role: roleField }) });
const callMakePost = role('callers', [{ resource: q.Function('make_post'), actions: { call: true } }]);
const countPosts = q.Count(q.Documents(q.Collection('posts')));

export const roleSessionCases: readonly SessionCase[] = [
  { name: 'a token in no role may not read a document', setup: world, steps: [asAlice, denied(q.Get(post1))] },
  { name: 'a token in no role may not create a document', setup: world, steps: [asAlice, denied(q.Create(q.Collection('posts'), { data: {} }))] },
  { name: 'a token in no role may not call a function', setup: [...world, echo], steps: [asAlice, denied(q.Call(q.Function('echo'), 1))] },
  { name: 'a token in no role may not read an index', setup: [...world, byOwner], steps: [asAlice, denied(q.Paginate(q.Match(q.Index('posts_by_owner'), alice)))] },
  // ReadAdaptor.scala: Exists is `canRead && exists`, so a document one may not read does not exist; an index one may not read is still refused.
  { name: 'Exists of a document the token may not read is false', setup: world, steps: [asAlice, allowed([q.Exists(post1), q.Exists(q.Ref(q.Collection('posts'), '99'))], [false, false])] },
  { name: 'Exists of a set whose index the token may not read is refused', setup: [...world, byOwner], steps: [asAlice, denied(q.Exists(q.Match(q.Index('posts_by_owner'), alice)))] },
  // Fauna's Login docs: an identity in no role has no privileges "except its own identity document".
  { name: 'a token in no role may still read its own identity document', setup: world, steps: [asAlice, allowed(q.Select(['data', 'name'], q.Get(q.CurrentIdentity())), 'alice')] },
  // ...but an identity that is a member of a role reads itself only if a role grants it (Fauna answered 403).
  { name: 'a token whose role grants nothing may not read its own identity document', setup: [...world, role('nothing', [])], steps: [asAlice, denied(q.Get(q.CurrentIdentity())), denied(q.Get(alice)), allowed(q.Exists(alice), false)] },
  { name: "a member of a role that does not cover its own collection may not read itself", setup: [...world, readPosts], steps: [asAlice, allowed(text(post1), 'a'), denied(q.Get(alice))] },
  { name: 'a member reads itself when a role grants it', setup: [...world, role('own_readers', [{ resource: q.Collection('users'), actions: { read: pred('ref', q.Equals(q.Var('ref'), q.CurrentIdentity())) } }])], steps: [asAlice, allowed(q.Select(['data', 'name'], q.Get(alice)), 'alice'), denied(q.Get(bob))] },
  { name: 'the identity functions need no privilege', setup: world, steps: [asAlice, allowed([q.HasCurrentIdentity(), q.Equals(q.CurrentIdentity(), alice), q.HasCurrentToken()], [true, true, true])] },

  { name: 'read: true lets a member read', setup: [...world, readPosts], steps: [asAlice, allowed(text(post2), 'b')] },
  { name: 'read: true does not let a member create', setup: [...world, readPosts], steps: [asAlice, denied(q.Create(q.Collection('posts'), { data: {} }))] },
  { name: 'read: true does not reach another collection', setup: [...world, readPosts], steps: [asAlice, denied(q.Get(bob))] },
  { name: 'a read predicate gets the ref', setup: [...world, role('owners', [onPosts({ read: pred('ref', isMine('ref')) })])], steps: [asAlice, allowed(text(post1), 'a'), denied(q.Get(post2))] },
  { name: 'a read predicate applies to Paginate of Documents', setup: [...world, role('owners', [onPosts({ read: pred('ref', isMine('ref')) })])], steps: [asAlice, denied(q.Map(q.Paginate(q.Documents(q.Collection('posts'))), q.Lambda('r', q.Get(q.Var('r')))))] },
  { name: 'create: true lets a member create', setup: [...world, role('writers', [onPosts({ create: true })])], steps: [asAlice, allowed(newPost(alice), 'new'), { query: countPosts, expect: 3 }] },
  { name: 'a create predicate gets the new params', setup: [...world, role('writers', [onPosts({ create: pred('newData', q.Equals(q.CurrentIdentity(), q.Select(['data', 'owner'], q.Var('newData')))) })])], steps: [asAlice, allowed(newPost(alice), 'new'), denied(newPost(bob)), { query: countPosts, expect: 3 }] },
  {
    name: 'a write predicate gets old data, new data and the ref',
    setup: [...world, role('editors', [onPosts({ read: true, write: pred(['oldData', 'newData', 'ref'], q.And(q.Equals(q.CurrentIdentity(), ownerOf(q.Var('oldData'))), q.Equals(ownerOf(q.Var('oldData')), ownerOf(q.Var('newData'))), q.Equals(q.Var('ref'), post1))) })])],
    steps: [asAlice, allowed(q.Select(['data', 'text'], q.Update(post1, { data: { text: 'edited' } })), 'edited'), denied(q.Update(post1, { data: { owner: bob } })), denied(q.Update(post2, { data: { text: 'mine now' } })), { query: text(post2), expect: 'b' }],
  },
  { name: 'a two-argument write predicate still works', setup: [...world, role('editors', [onPosts({ read: true, write: pred(['oldData', 'newData'], q.Equals(q.CurrentIdentity(), ownerOf(q.Var('oldData')))) })])], steps: [asAlice, allowed(q.Select(['data', 'text'], q.Update(post1, { data: { text: 'edited' } })), 'edited'), denied(q.Update(post2, { data: { text: 'x' } }))] },
  { name: 'write covers Replace', setup: [...world, role('editors', [onPosts({ read: true, write: pred(['oldData', 'newData'], q.Equals(q.CurrentIdentity(), ownerOf(q.Var('oldData')))) })])], steps: [asAlice, allowed(q.Select(['data', 'text'], q.Replace(post1, { data: { owner: alice, text: 'replaced' } })), 'replaced'), denied(q.Replace(post2, { data: { owner: alice } }))] },
  // The owner-only shapes (fauna-schema/owned-data.ts) run compiled (eval/compiled-predicates.ts): the same answers as evaluated.
  { name: 'an owner predicate with a default: a document without an owner is nobody\'s', setup: [...world, q.Create(q.Ref(q.Collection('posts'), '3'), { data: { text: 'c' } }), role('owners', [onPosts({ read: pred('ref', q.Equals(q.Select(['data', 'owner'], q.Get(q.Var('ref')), null), q.CurrentIdentity())) })])], steps: [asAlice, allowed(text(post1), 'a', 'alice'), denied(q.Get(post2)), denied(q.Get(q.Ref(q.Collection('posts'), '3'))), allowed([q.Exists(post1), q.Exists(post2), q.Exists(q.Ref(q.Collection('posts'), '3'))], [true, false, false])] },
  { name: 'an owner predicate without a default: a document without an owner fails the read', setup: [...world, q.Create(q.Ref(q.Collection('posts'), '3'), { data: { text: 'c' } }), role('owners', [onPosts({ read: pred('ref', isMine('ref')) })])], steps: [asAlice, allowed(text(post1), 'a', 'alice'), denied(q.Get(post2)), { as: 'alice', query: q.Get(q.Ref(q.Collection('posts'), '3')), expectError: 'value not found' }] },
  { name: 'an index predicate on its terms, the terms a ref to a document that may not exist', setup: [...world, byOwner, role('owners', [{ resource: q.Index('posts_by_owner'), actions: { read: pred('terms', q.Equals(q.Select(['data', 'name'], q.Get(q.Select(0, q.Var('terms'), null)), null), 'alice')) } }])], steps: [asAlice, allowed(q.Count(q.Match(q.Index('posts_by_owner'), alice)), 1, 'alice'), denied(q.Count(q.Match(q.Index('posts_by_owner'), bob))), { as: 'alice', query: q.Count(q.Match(q.Index('posts_by_owner'), q.Ref(q.Collection('users'), '99'))), expectError: 'instance not found' }] },
  { name: 'a delete predicate gets the ref', setup: [...world, role('deleters', [onPosts({ delete: pred('ref', isMine('ref')) })])], steps: [asAlice, { as: 'alice', query: q.Do(q.Delete(post1), true), expect: true }, denied(q.Delete(post2)), { query: [q.Exists(post1), q.Exists(post2)], expect: [false, true] }] },
  { name: 'a denied write in a query undoes the writes before it', setup: [...world, role('writers', [onPosts({ create: true })])], steps: [asAlice, denied(q.Do(newPost(alice), q.Delete(post2))), { query: countPosts, expect: 2 }] },

  { name: 'index read: true lets a member match', setup: [...world, byOwner, role('finders', [onPosts({ read: true }), { resource: q.Index('posts_by_owner'), actions: { read: true } }])], steps: [asAlice, allowed(q.Count(q.Select('data', q.Paginate(q.Match(q.Index('posts_by_owner'), bob)))), 1)] },
  { name: 'an index read predicate gets the terms', setup: [...world, byOwner, role('finders', [onPosts({ read: true }), { resource: q.Index('posts_by_owner'), actions: { read: pred('terms', q.Equals(q.Select(0, q.Var('terms')), q.CurrentIdentity())) } }])], steps: [asAlice, allowed(q.Paginate(q.Match(q.Index('posts_by_owner'), alice)), { data: [post1] }), denied(q.Paginate(q.Match(q.Index('posts_by_owner'), bob)))] },
  { name: 'reading the collection is not reading its index', setup: [...world, byOwner, readPosts], steps: [asAlice, denied(q.Paginate(q.Match(q.Index('posts_by_owner'), alice)))] },

  { name: 'call: true lets a member call', setup: [...world, echo, role('callers', [{ resource: q.Function('echo'), actions: { call: true } }])], steps: [asAlice, allowed(q.Call(q.Function('echo'), 'hi'), 'hi')] },
  // Two arguments: the driver sends one argument bare and several as an array, so only with several is the shape unambiguous.
  { name: 'a call predicate gets the arguments', setup: [...world, pair, role('callers', [{ resource: q.Function('pair'), actions: { call: pred(['a', 'b'], q.Equals(q.Var('a'), 'ok')) } }])], steps: [asAlice, allowed(q.Call(q.Function('pair'), 'ok', 1), ['ok', 1]), denied(q.Call(q.Function('pair'), 'no', 1))] },
  { name: "a function with the admin role runs beyond its caller's privileges", setup: [...world, makePost('admin'), callMakePost], steps: [asAlice, denied(q.Create(q.Collection('posts'), { data: {} })), allowed(q.Call(q.Function('make_post'), 'via udf'), 'via udf'), { query: countPosts, expect: 3 }] },
  { name: 'a function with the server role runs beyond its caller too', setup: [...world, makePost('server'), callMakePost], steps: [asAlice, allowed(q.Call(q.Function('make_post'), 'via udf'), 'via udf')] },
  { name: 'a function with a user-defined role runs with that role', setup: [...world, role('post_makers', [onPosts({ create: true })], []), makePost(q.Role('post_makers')), callMakePost], steps: [asAlice, allowed(q.Call(q.Function('make_post'), 'via role'), 'via role')] },
  { name: 'inside a function with a role, CurrentIdentity is still the caller', setup: [...world, byText, makePost('admin'), callMakePost], steps: [asAlice, { as: 'alice', query: q.Call(q.Function('make_post'), 'x') }, { query: q.Select(['data', 'owner'], q.Get(q.Select(['data', 0], q.Paginate(q.Match(q.Index('posts_by_text'), 'x'))))), expect: alice }] },
  { name: 'a function without a role runs with its caller privileges', setup: [...world, makePost(), callMakePost], steps: [asAlice, { as: 'alice', query: q.Call(q.Function('make_post'), 'x'), expectError: 'call error' }, { query: countPosts, expect: 2 }] },

  { name: 'a membership predicate gets the identity ref', setup: [...world, role('admins', [onPosts({ read: true })], [{ resource: q.Collection('users'), predicate: pred('ref', q.Select(['data', 'admin'], q.Get(q.Var('ref')))) }])], steps: [asAlice, asBob, allowed(text(post1), 'a', 'bob'), denied(q.Get(post1), 'alice')] },
  { name: 'membership is decided again on every query', setup: [...world, role('admins', [onPosts({ read: true })], [{ resource: q.Collection('users'), predicate: pred('ref', q.Select(['data', 'admin'], q.Get(q.Var('ref')))) }])], steps: [asBob, allowed(text(post1), 'a', 'bob'), { query: q.Update(bob, { data: { admin: false } }) }, denied(q.Get(post1), 'bob'), { query: q.Update(bob, { data: { admin: true } }) }, allowed(text(post1), 'a', 'bob')] },
  { name: 'a role whose membership is another collection does not apply', setup: [...world, role('post_members', [onPosts({ read: true })], [{ resource: q.Collection('posts') }])], steps: [asAlice, denied(q.Get(post1))] },
  { name: 'the privileges of every matching role add up', setup: [...world, readPosts, role('writers', [onPosts({ create: true })])], steps: [asAlice, allowed(text(post1), 'a'), allowed(newPost(alice), 'new')] },
  { name: 'Update of a role applies to the next query', setup: [...world, role('readers', [onPosts({ read: false })])], steps: [asAlice, denied(q.Get(post1)), { query: q.Update(q.Role('readers'), { privileges: [onPosts({ read: true })] }) }, allowed(text(post1), 'a')] },
  { name: 'Delete of a role takes its privileges away', setup: [...world, readPosts], steps: [asAlice, allowed(text(post1), 'a'), { query: q.Delete(q.Role('readers')) }, denied(q.Get(post1))] },

  { name: 'a key with a role has that role', setup: [...world, readPosts], steps: [{ save: 'key', query: q.CreateKey({ role: q.Role('readers') }) }, allowed(text(post1), 'a', 'key'), denied(q.Create(q.Collection('posts'), { data: {} }), 'key'), allowed(q.HasCurrentIdentity(), false, 'key')] },
  { name: 'a key with a role ignores membership', setup: [...world, role('admins', [onPosts({ read: true })], [{ resource: q.Collection('users'), predicate: pred('ref', false) }])], steps: [{ save: 'key', query: q.CreateKey({ role: q.Role('admins') }) }, allowed(text(post1), 'a', 'key')] },
];
