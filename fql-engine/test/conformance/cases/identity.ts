/**
 * Identity (issue 3): credentials, Identify, Login, Tokens() and the current identity.
 * `identityCases` run as the case database's admin (or a key) through the main matrix;
 * `identitySessionCases` need a token's secret as a second caller and run in identity.test.ts.
 */

import { q, type Case } from '../harness.ts';
import { keptRef, type Saved, type SessionCase } from '../identity-harness.ts';

const users = q.CreateCollection({ name: 'users' });
const alice = q.Ref(q.Collection('users'), '1');
const bob = q.Ref(q.Collection('users'), '2');
const carol = q.Ref(q.Collection('users'), '3');
const createAlice = q.Create(alice, { credentials: { password: 'sekret' }, data: { email: 'alice@example.com' } });
const createBob = q.Create(bob, { credentials: { password: 'hunter2' }, data: { email: 'bob@example.com' } });
/** A user with no credentials at all. */
const createCarol = q.Create(carol, { data: { email: 'carol@example.com' } });
const withUsers = [users, createAlice, createBob, createCarol];
const byEmail = q.CreateIndex({ name: 'users_by_email', source: q.Collection('users'), terms: [{ field: ['data', 'email'] }], unique: true });

const loginAlice = q.Login(alice, { password: 'sekret' });
const firstToken = q.Select(['data', 0], q.Paginate(q.Tokens()));
const tokensOfPage = q.Count(q.Select('data', q.Paginate(q.Tokens())));
const tokensByInstance = q.CreateIndex({ name: 'tokens_by_instance', source: q.Tokens(), terms: [{ field: ['instance'] }] });
const tokensByKind = q.CreateIndex({ name: 'tokens_by_kind', source: q.Tokens(), terms: [{ field: ['data', 'kind'] }], values: [{ field: ['instance'] }] });
const tokensByJti = q.CreateIndex({ name: 'tokens_by_jti', source: q.Tokens(), terms: [{ field: ['data', 'jti'] }], unique: true });
const inAnHour = q.TimeAdd(q.Now(), 1, 'hour');

const credentialCases: readonly Case[] = [
  { name: 'Create with credentials does not answer them', setup: [users], query: q.Let({ u: createAlice }, [q.ContainsField('credentials', q.Var('u')), q.Select(['data', 'email'], q.Var('u'))]), expect: [false, 'alice@example.com'] },
  { name: 'Get never shows credentials', setup: withUsers, query: q.Let({ u: q.Get(alice) }, [q.ContainsField('credentials', q.Var('u')), q.Count(q.ToArray(q.Var('u')))]), expect: [false, 3] },
  { name: 'Update with credentials does not answer them and keeps data', setup: withUsers, query: q.Let({ u: q.Update(alice, { credentials: { password: 'changed' } }) }, [q.ContainsField('credentials', q.Var('u')), q.Select(['data', 'email'], q.Var('u'))]), expect: [false, 'alice@example.com'] },
  { name: 'Paginate over documents with credentials shows none', setup: withUsers, query: q.Map(q.Paginate(q.Documents(q.Collection('users'))), q.Lambda('r', q.ContainsField('credentials', q.Get(q.Var('r'))))), expect: { data: [false, false, false] } },
  { name: 'Identify with the right password', setup: withUsers, query: q.Identify(alice, 'sekret'), expect: true },
  { name: 'Identify with a wrong password', setup: withUsers, query: q.Identify(alice, 'hunter2'), expect: false },
  { name: 'Identify of a document without credentials', setup: withUsers, query: q.Identify(carol, 'anything'), expect: false },
  { name: 'Identify right after Create in the same query', setup: [users], query: q.Do(createAlice, q.Identify(alice, 'sekret')), expect: true },
  { name: 'after Update of credentials only the new password identifies', setup: [...withUsers, q.Update(alice, { credentials: { password: 'changed' } })], query: [q.Identify(alice, 'changed'), q.Identify(alice, 'sekret')], expect: [true, false] },
  { name: 'credentials given to a document that had none', setup: [...withUsers, q.Update(carol, { credentials: { password: 'late' } })], query: q.Identify(carol, 'late'), expect: true },
];

const loginCases: readonly Case[] = [
  {
    name: 'Login answers a token ref, its ts, the instance and a secret',
    setup: withUsers,
    query: q.Let({ t: loginAlice }, [q.IsToken(q.Select('ref', q.Var('t'))), q.IsInteger(q.Select('ts', q.Var('t'))), q.Select('instance', q.Var('t')), q.IsString(q.Select('secret', q.Var('t')))]),
    expect: [true, true, alice, true],
  },
  { name: 'Login with a wrong password fails', setup: withUsers, query: q.Login(alice, { password: 'hunter2' }), expectError: 'authentication failed', afterwards: { query: tokensOfPage, expect: 0 } },
  { name: 'Login of a document without credentials fails', setup: withUsers, query: q.Login(carol, { password: 'anything' }), expectError: 'authentication failed' },
  { name: 'Login of a missing document fails', setup: withUsers, query: q.Login(q.Ref(q.Collection('users'), '99'), { password: 'sekret' }), expectError: 'authentication failed' },
  { name: 'Login with a set logs in its first document', setup: [...withUsers, byEmail], query: q.Select('instance', q.Login(q.Match(q.Index('users_by_email'), 'bob@example.com'), { password: 'hunter2' })), expect: bob },
  { name: 'Login keeps data and ttl', setup: withUsers, query: q.Let({ t: q.Login(alice, { password: 'sekret', data: { device: 'phone' }, ttl: inAnHour }) }, [q.Select(['data', 'device'], q.Var('t')), q.IsTimestamp(q.Select('ttl', q.Var('t')))]), expect: ['phone', true] },
  { name: 'two Logins give two tokens with different secrets', setup: withUsers, query: q.Let({ a: loginAlice, b: loginAlice }, [q.Equals(q.Select('secret', q.Var('a')), q.Select('secret', q.Var('b'))), q.Equals(q.Select('ref', q.Var('a')), q.Select('ref', q.Var('b')))]), expect: [false, false] },
  { name: 'Login sees credentials set earlier in the same query', setup: [users], query: q.Do(createAlice, q.Select('instance', loginAlice)), expect: alice },
  { name: 'Create(Tokens()) issues a token without a password', setup: withUsers, query: q.Let({ t: q.Create(q.Tokens(), { instance: carol, data: { kind: 'refresh' } }) }, [q.IsToken(q.Select('ref', q.Var('t'))), q.Select('instance', q.Var('t')), q.IsString(q.Select('secret', q.Var('t'))), q.Select(['data', 'kind'], q.Var('t'))]), expect: [true, carol, true, 'refresh'] },
  { name: 'Create(Tokens()) with a ttl answers it', setup: withUsers, query: q.IsTimestamp(q.Select('ttl', q.Create(q.Tokens(), { instance: alice, ttl: inAnHour }))), expect: true },
];

const tokenCollectionCases: readonly Case[] = [
  { name: 'Get of a token never shows its secret', setup: [...withUsers, loginAlice], query: q.Let({ t: q.Get(firstToken) }, [q.ContainsField('secret', q.Var('t')), q.Select('instance', q.Var('t'))]), expect: [false, alice] },
  { name: 'Paginate(Tokens()) lists every token', setup: [...withUsers, loginAlice, loginAlice, q.Login(bob, { password: 'hunter2' })], query: tokensOfPage, expect: 3 },
  { name: 'Update of a token changes its data and shows no secret', setup: [...withUsers, q.Login(alice, { password: 'sekret', data: { device: 'phone' } })], query: q.Let({ t: q.Update(firstToken, { data: { device: 'laptop' } }) }, [q.Select(['data', 'device'], q.Var('t')), q.ContainsField('secret', q.Var('t'))]), expect: ['laptop', false] },
  { name: 'Update of a token ttl', setup: [...withUsers, loginAlice], query: q.IsTimestamp(q.Select('ttl', q.Update(firstToken, { ttl: inAnHour }))), expect: true },
  { name: 'Delete of a token', setup: [...withUsers, loginAlice], query: q.Do(q.Delete(firstToken), tokensOfPage), expect: 0 },
  { name: 'Get of a deleted token is not found', setup: [...withUsers, loginAlice], query: q.Let({ r: firstToken }, q.Do(q.Delete(q.Var('r')), q.Get(q.Var('r')))), expectError: 'instance not found' },
  { name: 'Exists of a deleted token is false', setup: [...withUsers, loginAlice], query: q.Let({ r: firstToken }, q.Do(q.Delete(q.Var('r')), q.Exists(q.Var('r')))), expect: false },
  { name: 'an index over Tokens() by instance', setup: [...withUsers, tokensByInstance, loginAlice, loginAlice, q.Login(bob, { password: 'hunter2' })], query: [q.Count(q.Select('data', q.Paginate(q.Match(q.Index('tokens_by_instance'), alice)))), q.Count(q.Select('data', q.Paginate(q.Match(q.Index('tokens_by_instance'), bob))))], expect: [2, 1] },
  { name: 'an index over Tokens() by a data field, with values', setup: [...withUsers, tokensByKind, q.Create(q.Tokens(), { instance: alice, data: { kind: 'refresh' } }), q.Create(q.Tokens(), { instance: bob, data: { kind: 'access' } })], query: q.Paginate(q.Match(q.Index('tokens_by_kind'), 'refresh')), expect: { data: [alice] } },
  { name: 'a Tokens() index sees a token made in the same query', setup: [...withUsers, tokensByInstance], query: q.Do(loginAlice, q.Count(q.Select('data', q.Paginate(q.Match(q.Index('tokens_by_instance'), alice))))), expect: 1 },
  { name: 'a Tokens() index forgets a deleted token', setup: [...withUsers, tokensByInstance, loginAlice], query: q.Do(q.Delete(firstToken), q.Count(q.Select('data', q.Paginate(q.Match(q.Index('tokens_by_instance'), alice))))), expect: 0 },
  { name: 'a unique index over Tokens() data refuses a duplicate', setup: [...withUsers, tokensByJti, q.Create(q.Tokens(), { instance: alice, data: { jti: 'j1' } })], query: q.Create(q.Tokens(), { instance: bob, data: { jti: 'j1' } }), expectError: 'instance not unique', afterwards: { query: tokensOfPage, expect: 1 } },

  { name: 'Paginate(Documents(Tokens())) lists every token', setup: [...withUsers, loginAlice, q.Login(bob, { password: 'hunter2' })], query: q.Count(q.Select('data', q.Paginate(q.Documents(q.Tokens())))), expect: 2 },
  { name: 'Documents(Tokens()) is the set Paginate(Tokens()) reads', setup: [...withUsers, loginAlice], query: q.Equals(q.Paginate(q.Documents(q.Tokens())), q.Paginate(q.Tokens())), expect: true },
  { name: 'Paginate(Credentials()) lists the credentials of every document that has a password', setup: withUsers, query: q.Count(q.Select('data', q.Paginate(q.Credentials()))), expect: 2 },
  { name: 'Documents(Credentials()) is the same set', setup: withUsers, query: q.Equals(q.Paginate(q.Documents(q.Credentials())), q.Paginate(q.Credentials())), expect: true },
  { name: 'Get of credentials shows their document, never a hash', setup: withUsers, query: q.Map(q.Paginate(q.Credentials()), q.Lambda('c', q.Let({ g: q.Get(q.Var('c')) }, [q.IsCredentials(q.Select('ref', q.Var('g'))), q.Count(q.ToArray(q.Var('g')))]))), expect: { data: [[true, 3], [true, 3]] } },
  { name: 'the credentials of a document point back at it', setup: withUsers, query: q.Let({ owners: q.Map(q.Select('data', q.Paginate(q.Credentials())), q.Lambda('c', q.Select('instance', q.Get(q.Var('c'))))) }, [q.ContainsValue(alice, q.Var('owners')), q.ContainsValue(bob, q.Var('owners')), q.ContainsValue(carol, q.Var('owners'))]), expect: [true, true, false] },
  { name: 'credentials keep their ref across a password change', setup: withUsers, query: q.Let({ before: q.Paginate(q.Credentials()) }, q.Do(q.Update(alice, { credentials: { password: 'changed' } }), q.Equals(q.Var('before'), q.Paginate(q.Credentials())))), expect: true },
  { name: 'credentials removed with credentials: null leave Credentials()', setup: withUsers, query: q.Do(q.Update(alice, { credentials: null }), q.Count(q.Select('data', q.Paginate(q.Credentials())))), expect: 1 },
];

const anonymousCallerCases: readonly Case[] = [
  { name: 'HasCurrentIdentity with the admin secret is false', query: q.HasCurrentIdentity(), expect: false },
  { name: 'CurrentIdentity with the admin secret has no identity', query: q.CurrentIdentity(), expectError: 'missing identity' },
  { name: 'HasCurrentIdentity with a server key is false', as: { key: 'server' }, query: q.HasCurrentIdentity(), expect: false },
  { name: 'CurrentIdentity with a server key has no identity', as: { key: 'server' }, query: q.CurrentIdentity(), expectError: 'missing identity' },
  // AuthFunctions.scala: Logout with anything but a token (a key, the admin secret) is false.
  { name: 'Logout with a server key is false and ends no token', setup: [...withUsers, loginAlice], as: { key: 'server' }, query: [q.Logout(false), q.Logout(true)], expect: [false, false], afterwards: { query: tokensOfPage, expect: 1 } },
  { name: 'Logout with the admin secret is false', query: q.Logout(true), expect: false },
  // Fauna's docs: with a key of the current database, CurrentToken is the key's ref; with the
  // root secret (or a key of a parent database, which a scoped secret is) it is 'invalid token'.
  { name: "CurrentToken with a key is the key's ref", as: { key: 'admin' }, query: q.Select('role', q.Get(q.CurrentToken())), expect: 'admin' },
  { name: 'CurrentToken with a scoped admin secret is an invalid token', query: q.CurrentToken(), expectError: 'invalid token' },
  { name: 'HasCurrentToken with a scoped admin secret is false', query: q.HasCurrentToken(), expect: false },

  // AuthFunctions.scala: a key is the current token only in the database it was made in.
  { name: 'HasCurrentToken with a key its parent made for this database is false', setup: [q.CreateDatabase({ name: 'child' })], as: { key: 'admin', database: 'child' }, query: q.HasCurrentToken(), expect: false },
  { name: 'CurrentToken with a key its parent made for this database is an invalid token', setup: [q.CreateDatabase({ name: 'child' })], as: { key: 'server', database: 'child' }, query: q.CurrentToken(), expectError: 'invalid token' },
  { name: 'KeyFromSecret answers the key, as Get shows it', query: q.Let({ k: q.CreateKey({ role: 'server', data: { name: 'ci' } }) }, q.Equals(q.KeyFromSecret(q.Select('secret', q.Var('k'))), q.Get(q.Select('ref', q.Var('k'))))), expect: true },
  { name: 'KeyFromSecret of a key made for a child database', setup: [q.CreateDatabase({ name: 'child' })], query: q.Let({ k: q.CreateKey({ role: 'server', database: q.Database('child') }) }, q.Select('database', q.KeyFromSecret(q.Select('secret', q.Var('k'))))), expect: q.Database('child') },
  { name: "KeyFromSecret answers a token's document", setup: withUsers, query: q.Let({ t: loginAlice }, [q.Select('instance', q.KeyFromSecret(q.Select('secret', q.Var('t')))), q.Equals(q.Select('ref', q.KeyFromSecret(q.Select('secret', q.Var('t')))), q.Select('ref', q.Var('t')))]), expect: [alice, true] },
  { name: 'KeyFromSecret of a secret no key has', query: q.KeyFromSecret('fnAAAA.k1.nope'), expectError: 'instance not found' },
  { name: 'KeyFromSecret of a deleted key', query: q.Let({ k: q.CreateKey({ role: 'server' }) }, q.Do(q.Delete(q.Select('ref', q.Var('k'))), q.KeyFromSecret(q.Select('secret', q.Var('k'))))), expectError: 'instance not found' },
  { name: 'KeyFromSecret needs a string', query: q.KeyFromSecret(1), expectError: 'invalid argument' },
];

export const identityCases: readonly Case[] = [...credentialCases, ...loginCases, ...tokenCollectionCases, ...anonymousCallerCases];

// ---------------------------------------------------------------------------------------
// Sessions: a token's secret as a second caller

/** Users may read themselves and their tokens: enough for the identity functions to be seen. */
const selfRole = q.CreateRole({
  name: 'self_readers',
  membership: [{ resource: q.Collection('users') }],
  privileges: [{ resource: q.Collection('users'), actions: { read: q.Query(q.Lambda('ref', q.Equals(q.Var('ref'), q.CurrentIdentity()))) } }],
});
const withRole = [...withUsers, selfRole];
const aliceLogin = { save: 'alice', query: loginAlice } as const;
const tokensOf = (who: ReturnType<typeof q.Ref>): ReturnType<typeof q.Count> => q.Count(q.Filter(q.Select('data', q.Paginate(q.Tokens())), q.Lambda('t', q.Equals(q.Select('instance', q.Get(q.Var('t'))), who))));

export const identitySessionCases: readonly SessionCase[] = [
  { name: "a token's secret acts as its identity", setup: withRole, steps: [aliceLogin, { as: 'alice', query: q.CurrentIdentity(), expect: alice }] },
  { name: 'HasCurrentIdentity and HasCurrentToken with a token', setup: withRole, steps: [aliceLogin, { as: 'alice', query: [q.HasCurrentIdentity(), q.HasCurrentToken()], expect: [true, true] }] },
  { name: 'CurrentToken is the ref of the token used', setup: withRole, steps: [aliceLogin, { as: 'alice', query: q.CurrentToken(), expect: (s: Saved) => keptRef(s, 'alice') }] },
  { name: 'a token made by Create(Tokens()) acts as its instance', setup: withRole, steps: [{ save: 't', query: q.Create(q.Tokens(), { instance: bob }) }, { as: 't', query: q.CurrentIdentity(), expect: bob }] },
  { name: 'a token reads its own identity document under a role', setup: withRole, steps: [aliceLogin, { as: 'alice', query: q.Select(['data', 'email'], q.Get(q.CurrentIdentity())), expect: 'alice@example.com' }] },
  { name: 'Login data is kept on the token document', setup: withRole, steps: [{ save: 'alice', query: q.Login(alice, { password: 'sekret', data: { device: 'phone' } }) }, { as: 'admin', query: q.Select(['data', 'device'], q.Get(firstToken)), expect: 'phone' }] },
  { name: 'Logout(false) ends only the calling token', setup: withRole, steps: [aliceLogin, { save: 'other', query: loginAlice }, { as: 'alice', query: q.Logout(false), expect: true }, { as: 'alice', query: q.CurrentIdentity(), expectError: 'unauthorized' }, { as: 'other', query: q.CurrentIdentity(), expect: alice }, { query: tokensOf(alice), expect: 1 }] },
  { name: 'Logout(true) ends every token of the identity and no other', setup: withRole, steps: [aliceLogin, { save: 'other', query: loginAlice }, { save: 'bob', query: q.Login(bob, { password: 'hunter2' }) }, { as: 'alice', query: q.Logout(true), expect: true }, { as: 'other', query: q.CurrentIdentity(), expectError: 'unauthorized' }, { as: 'bob', query: q.CurrentIdentity(), expect: bob }, { query: [tokensOf(alice), tokensOf(bob)], expect: [0, 1] }] },
  { name: 'a deleted token is unauthorized, and Get of it is not found', setup: withRole, steps: [aliceLogin, { query: q.Delete(firstToken) }, { as: 'alice', query: q.Add(1, 1), expectError: 'unauthorized' }, { query: (s: Saved) => q.Get(keptRef(s, 'alice')), expectError: 'instance not found' }] },
  { name: 'a token past its ttl is unauthorized', setup: withRole, steps: [{ save: 'alice', query: q.Login(alice, { password: 'sekret', ttl: q.TimeAdd(q.Now(), 60, 'seconds') }) }, { as: 'alice', query: q.CurrentIdentity(), expect: alice }, { advanceMs: 61_000, as: 'alice', query: q.CurrentIdentity(), expectError: 'unauthorized' }] },
  { name: 'a token past its ttl is gone from Get, Exists and Paginate(Tokens())', setup: withRole, steps: [{ save: 'alice', query: q.Login(alice, { password: 'sekret', ttl: q.TimeAdd(q.Now(), 60, 'seconds') }) }, { advanceMs: 61_000, query: (s: Saved) => [q.Exists(keptRef(s, 'alice')), tokensOfPage], expect: [false, 0] }, { query: (s: Saved) => q.Get(keptRef(s, 'alice')), expectError: 'instance not found' }] },
  { name: 'Update of a token ttl into the past ends it', setup: withRole, steps: [aliceLogin, { query: (s: Saved) => q.Update(keptRef(s, 'alice'), { ttl: q.TimeSubtract(q.Now(), 1, 'second') }) }, { as: 'alice', query: q.Add(1, 1), expectError: 'unauthorized' }] },
  { name: "a token's identity deleted: the token is unauthorized", setup: withRole, steps: [aliceLogin, { query: q.Delete(alice) }, { as: 'alice', query: q.Add(1, 1), expectError: 'unauthorized' }] },
  // A token that has been used (the engine has learnt where its identity is kept, auth.ts) is
  // refused just the same by the next query once it, or its identity, is gone.
  { name: 'a token in use, then deleted, is refused by the next query', setup: withRole, steps: [aliceLogin, { as: 'alice', query: q.CurrentIdentity(), expect: alice }, { as: 'alice', query: q.Select(['data', 'email'], q.Get(q.CurrentIdentity())), expect: 'alice@example.com' }, { query: q.Delete(firstToken) }, { as: 'alice', query: q.Add(1, 1), expectError: 'unauthorized' }] },
  { name: 'a token in use, then its identity deleted, is refused by the next query', setup: withRole, steps: [aliceLogin, { as: 'alice', query: q.CurrentIdentity(), expect: alice }, { as: 'alice', query: q.CurrentIdentity(), expect: alice }, { query: q.Delete(alice) }, { as: 'alice', query: q.Add(1, 1), expectError: 'unauthorized' }] },
  { name: 'a token in use given another instance acts as it at once, and ends with it', setup: withRole, steps: [aliceLogin, { as: 'alice', query: q.CurrentIdentity(), expect: alice }, { query: q.Update(firstToken, { instance: bob }) }, { as: 'alice', query: [q.CurrentIdentity(), q.Select(['data', 'email'], q.Get(q.CurrentIdentity()))], expect: [bob, 'bob@example.com'] }, { query: q.Delete(bob) }, { as: 'alice', query: q.Add(1, 1), expectError: 'unauthorized' }, { query: q.Update(firstToken, { instance: carol }) }, { as: 'alice', query: q.CurrentIdentity(), expect: carol }] },
  { name: 'a changed password does not end existing tokens', setup: withRole, steps: [aliceLogin, { query: q.Update(alice, { credentials: { password: 'changed' } }) }, { as: 'alice', query: q.CurrentIdentity(), expect: alice }] },

  { name: 'Ref("tokens/self") is the token used', setup: withUsers, steps: [aliceLogin, { as: 'alice', query: q.Equals(q.Select('ref', q.Get(q.Ref('tokens/self'))), q.CurrentToken()), expect: true }] },
  { name: 'Ref("credentials/self") are the credentials of the identity', setup: withUsers, steps: [aliceLogin, { as: 'alice', query: q.Select('instance', q.Get(q.Ref('credentials/self'))), expect: alice }] },
  { name: 'a key past its ttl is unauthorized', steps: [{ save: 'key', query: q.CreateKey({ role: 'server', ttl: q.TimeAdd(q.Now(), 60, 'seconds') }) }, { as: 'key', query: q.Add(1, 1), expect: 2 }, { advanceMs: 61_000, as: 'key', query: q.Add(1, 1), expectError: 'unauthorized' }, { query: q.Count(q.Select('data', q.Paginate(q.Keys()))), expect: 0 }] },
];
