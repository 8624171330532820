/**
 * A complete auth system written in FQL, installed in a child database by a key its parent made
 * for it, then used through the unmodified driver with the child's server key and its users'
 * own tokens, on PGlite and PostgreSQL, in-process and over HTTP/2.
 *
 * The child holds: users (credentials, data.verified, data.role), a log of failed logins, two
 * roles whose membership is a predicate over the user document (verified members; admins by
 * data.role), and UDFs for register, login (a token with a ttl), a rate-limited login that
 * counts failures in a window over an index ordered by ts, change password through Identify,
 * and logout. The parent never sees inside: every step runs as the child's keys or tokens.
 */

import { q, type ExprArg } from '../conformance/harness.ts';
import { runSessionMatrix, type Saved, type SessionCase, type SessionGroup, type SessionStep } from '../conformance/identity-harness.ts';

const MAX_FAILURES = 3;
const WINDOW_MINUTES = 10;
const TOKEN_MINUTES = 30;

const users = q.Collection('users');
const byEmail = (email: ExprArg): ExprArg => q.Match(q.Index('users_by_email'), email);
const userOf = (email: ExprArg): ExprArg => q.Select('ref', q.Get(byEmail(email)));
const udf = (name: string, params: string | string[], body: ExprArg, role: ExprArg): ExprArg =>
  q.CreateFunction({ name, body: q.Query(q.Lambda(params, body)), role });
const isOwn = q.Query(q.Lambda('ref', q.Equals(q.Var('ref'), q.CurrentIdentity())));
/** A membership predicate: the identity's document has this value at data.<name>, read at each query. */
const dataIs = (name: string, value: ExprArg): ExprArg => q.Query(q.Lambda('ref', q.Equals(q.Select(['data', name], q.Get(q.Var('ref'))), value)));

/** A token for the user, with a ttl, as `{ secret }` (the caller keeps it). */
const tokenFor = (user: ExprArg, password: ExprArg): ExprArg =>
  q.Let({ token: q.Login(user, { password, ttl: q.TimeAdd(q.Now(), TOKEN_MINUTES, 'minutes') }) }, { secret: q.Select('secret', q.Var('token')) });

const schema: readonly ExprArg[] = [
  q.CreateCollection({ name: 'users' }),
  q.CreateCollection({ name: 'login_failures', history_days: 0 }),
  q.CreateIndex({ name: 'users_by_email', source: users, terms: [{ field: ['data', 'email'] }], unique: true }),
  q.CreateIndex({
    name: 'failures_by_email_newest_first',
    source: q.Collection('login_failures'),
    terms: [{ field: ['data', 'email'] }],
    values: [{ field: ['ts'], reverse: true }, { field: ['ref'] }],
  }),
  // register runs as 'server': it may create users, not roles nor keys.
  udf(
    'register',
    ['email', 'password'],
    q.Select(
      ['data', 'email'],
      q.Create(users, { credentials: { password: q.Var('password') }, data: { email: q.Var('email'), verified: false, role: 'member' } }),
    ),
    'server',
  ),
  udf('login', ['email', 'password'], tokenFor(userOf(q.Var('email')), q.Var('password')), 'admin'),
  // A wrong password is recorded, not Aborted: an Abort would undo the record with the rest.
  udf(
    'limited_login',
    ['email', 'password'],
    q.Let(
      {
        since: q.ToMicros(q.TimeSubtract(q.Now(), WINDOW_MINUTES, 'minutes')),
        recent: q.Select('data', q.Paginate(q.Match(q.Index('failures_by_email_newest_first'), q.Var('email')), { size: MAX_FAILURES })),
        failures: q.Count(q.Filter(q.Var('recent'), q.Lambda(['ts', 'ref'], q.GT(q.Var('ts'), q.Var('since'))))),
      },
      q.If(
        q.GTE(q.Var('failures'), MAX_FAILURES),
        q.Abort('too many failed logins, try again later'),
        q.If(
          q.And(q.Exists(byEmail(q.Var('email'))), q.Identify(userOf(q.Var('email')), q.Var('password'))),
          tokenFor(userOf(q.Var('email')), q.Var('password')),
          q.Do(q.Create(q.Collection('login_failures'), { data: { email: q.Var('email') } }), { secret: null }),
        ),
      ),
    ),
    'admin',
  ),
  udf(
    'change_password',
    ['old', 'new'],
    q.If(
      q.Identify(q.CurrentIdentity(), q.Var('old')),
      q.Do(q.Update(q.CurrentIdentity(), { credentials: { password: q.Var('new') } }), true),
      q.Abort('wrong password'),
    ),
    'admin',
  ),
  udf('logout', [], q.Logout(false), 'admin'),
  // verify runs under a role of the child's own, which may change any user's data but never data.role.
  q.CreateRole({
    name: 'verifier',
    privileges: [
      {
        resource: users,
        actions: {
          read: true,
          write: q.Query(q.Lambda(['old', 'new', 'ref'], q.Equals(q.Select(['data', 'role'], q.Var('old')), q.Select(['data', 'role'], q.Var('new'))))),
        },
      },
      { resource: q.Index('users_by_email'), actions: { read: true } },
    ],
  }),
  udf('verify', ['email', 'changes'], q.Select('data', q.Update(userOf(q.Var('email')), { data: q.Var('changes') })), q.Role('verifier')),
  q.CreateRole({
    name: 'verified_members',
    membership: [{ resource: users, predicate: dataIs('verified', true) }],
    privileges: [
      { resource: users, actions: { read: isOwn } },
      { resource: q.Function('change_password'), actions: { call: true } },
      { resource: q.Function('logout'), actions: { call: true } },
    ],
  }),
  q.CreateRole({
    name: 'admins',
    membership: [{ resource: users, predicate: dataIs('role', 'admin') }],
    privileges: [
      { resource: users, actions: { read: true, write: true } },
      { resource: q.Index('users_by_email'), actions: { read: true } },
    ],
  }),
];

/** The parent's admin makes the child and keys for it; the child's admin key installs the schema. */
const child: readonly SessionStep[] = [
  { query: q.Select('name', q.CreateDatabase({ name: 'child' })), expect: 'child' },
  { save: 'childAdmin', query: q.CreateKey({ database: q.Database('child'), role: 'admin' }) },
  { save: 'childServer', query: q.CreateKey({ database: q.Database('child'), role: 'server' }) },
  ...schema.map((query): SessionStep => ({ as: 'childAdmin', query })),
];

const server = (query: ExprArg, save?: string): SessionStep => ({ as: 'childServer', query, ...(save ? { save } : {}) });
const register = (email: string, password: string): SessionStep => ({
  as: 'childServer',
  query: q.Call(q.Function('register'), email, password),
  expect: email,
});
const login = (email: string, password: string, save: string): SessionStep => server(q.Call(q.Function('login'), email, password), save);
const setData = (email: string, data: Record<string, unknown>): SessionStep => server(q.Do(q.Update(userOf(email), { data }), true));
const emailOf = (who: string): ExprArg => q.Select(['data', 'email'], q.Get(userOf(who)));
/** An expectation read from a kept result (a ref the server looked up earlier). */
const kept = (name: string) => (saved: Saved): unknown => saved[name];
const people: readonly SessionStep[] = [
  ...child,
  register('alice@example.com', 'alice-pass'),
  register('bob@example.com', 'bob-pass'),
  register('carol@example.com', 'carol-pass'),
  setData('carol@example.com', { verified: true, role: 'admin' }),
];
const limited = (email: string, password: string, save?: string): SessionStep => server(q.Call(q.Function('limited_login'), email, password), save);
const failedLogin = (email: string): SessionStep => ({ ...limited(email, 'wrong'), expect: { secret: null } });
const failuresOf = (email: string): ExprArg => q.Count(q.Match(q.Index('failures_by_email_newest_first'), email));

const installing: readonly SessionCase[] = [
  {
    name: "the parent's key for the child installs the schema there, and the parent does not see it",
    steps: [
      ...child,
      {
        as: 'childAdmin',
        query: q.Map(q.Select('data', q.Paginate(q.Functions())), q.Lambda('f', q.Select('id', q.Var('f')))),
        expect: ['change_password', 'limited_login', 'login', 'logout', 'register', 'verify'],
      },
      {
        as: 'childAdmin',
        query: q.Map(q.Select('data', q.Paginate(q.Roles())), q.Lambda('r', q.Select('id', q.Var('r')))),
        expect: ['admins', 'verified_members', 'verifier'],
      },
      { query: [q.Exists(q.Collection('users')), q.Exists(q.Collection('users', q.Database('child')))], expect: [false, true] },
      { query: q.Select(['data', 'email'], q.Get(q.Ref(q.Collection('users'), '1'))), expectError: 'invalid ref' },
    ],
  },
  {
    name: 'the server key calls the UDFs but may not make roles nor keys; a user token may not register',
    steps: [
      ...people,
      { ...server(q.CreateRole({ name: 'sneaky', privileges: [] })), expectError: 'permission denied' },
      { ...server(q.CreateKey({ role: 'admin' })), expectError: 'permission denied' },
      { ...server(q.Select('ref', q.Get(q.Function('register')))), expect: q.Function('register') },
      login('alice@example.com', 'alice-pass', 'alice'),
      { as: 'alice', query: q.Call(q.Function('register'), 'mallory@example.com', 'x'), expectError: 'permission denied' },
      { ...server(q.Count(q.Documents(users))), expect: 3 },
    ],
  },
];

const signingIn: readonly SessionCase[] = [
  {
    name: 'register then login: the token is the user, and a wrong password is refused',
    steps: [
      ...people,
      server(userOf('alice@example.com'), 'aliceRef'),
      login('alice@example.com', 'alice-pass', 'alice'),
      { as: 'alice', query: q.CurrentIdentity(), expect: kept('aliceRef') },
      { as: 'childServer', query: q.Call(q.Function('login'), 'alice@example.com', 'nope'), expectError: 'call error' },
      { as: 'childServer', query: q.Call(q.Function('register'), 'alice@example.com', 'again'), expectError: 'call error' },
    ],
  },
  {
    name: 'no secret in clear: the password is not in the user document',
    steps: [...people, {
      ...server(q.Select('data', q.Get(userOf('bob@example.com')))),
      expect: { email: 'bob@example.com', verified: false, role: 'member' },
    }],
  },
];

const membership: readonly SessionCase[] = [
  {
    name: 'an unverified user is in no role; verifying them lets the same token in, unverifying shuts it out',
    steps: [
      ...people,
      login('alice@example.com', 'alice-pass', 'alice'),
      { as: 'alice', query: q.Call(q.Function('change_password'), 'alice-pass', 'alice-2'), expectError: 'permission denied' },
      { as: 'alice', query: emailOf('alice@example.com'), expectError: 'permission denied' },
      // In no role at all, a token still reads its own identity document (as Fauna's Login docs say).
      { as: 'alice', query: q.Select(['data', 'email'], q.Get(q.CurrentIdentity())), expect: 'alice@example.com' },
      server(userOf('bob@example.com'), 'bobRef'),
      { as: 'alice', query: (s) => q.Get(s.bobRef as ExprArg), expectError: 'permission denied' },
      setData('alice@example.com', { verified: true }),
      { as: 'alice', query: q.Select(['data', 'email'], q.Get(q.CurrentIdentity())), expect: 'alice@example.com' },
      { as: 'alice', query: q.Call(q.Function('change_password'), 'alice-pass', 'alice-2'), expect: true },
      setData('alice@example.com', { verified: false }),
      { as: 'alice', query: q.Call(q.Function('change_password'), 'alice-2', 'alice-3'), expectError: 'permission denied' },
      { ...server([q.Identify(userOf('alice@example.com'), 'alice-2'), q.Identify(userOf('alice@example.com'), 'alice-pass')]), expect: [true, false] },
    ],
  },
  {
    name: "a UDF under the child's own role verifies a user, but its role keeps it from promoting one",
    steps: [
      ...people,
      login('alice@example.com', 'alice-pass', 'alice'),
      {
        ...server(q.Call(q.Function('verify'), 'alice@example.com', { verified: true })),
        expect: { email: 'alice@example.com', verified: true, role: 'member' },
      },
      { as: 'alice', query: q.Call(q.Function('change_password'), 'alice-pass', 'alice-2'), expect: true },
      // Refused inside the function: Fauna answers 'call error' (its cause: permission denied).
      { ...server(q.Call(q.Function('verify'), 'alice@example.com', { role: 'admin' })), expectError: 'call error' },
      { as: 'alice', query: q.Call(q.Function('verify'), 'alice@example.com', { verified: false }), expectError: 'permission denied' },
      { ...server(q.Select('data', q.Get(userOf('alice@example.com')))), expect: { email: 'alice@example.com', verified: true, role: 'member' } },
    ],
  },
  {
    name: 'a verified member reads only their own document and writes none',
    steps: [
      ...people,
      setData('alice@example.com', { verified: true }),
      login('alice@example.com', 'alice-pass', 'alice'),
      server(userOf('bob@example.com'), 'bobRef'),
      { as: 'alice', query: (s) => q.Get(s.bobRef as ExprArg), expectError: 'permission denied' },
      { as: 'alice', query: q.Update(q.CurrentIdentity(), { data: { role: 'admin' } }), expectError: 'permission denied' },
      { as: 'alice', query: q.Paginate(byEmail('bob@example.com')), expectError: 'permission denied' },
      { ...server(q.Select(['data', 'role'], q.Get(userOf('alice@example.com')))), expect: 'member' },
    ],
  },
  {
    name: 'an admin by data.role reads and verifies others; demoted, the same token may not',
    steps: [
      ...people,
      login('carol@example.com', 'carol-pass', 'carol'),
      { as: 'carol', query: emailOf('bob@example.com'), expect: 'bob@example.com' },
      { as: 'carol', query: q.Select(['data', 'verified'], q.Update(userOf('bob@example.com'), { data: { verified: true } })), expect: true },
      setData('carol@example.com', { role: 'member' }),
      { as: 'carol', query: emailOf('bob@example.com'), expectError: 'permission denied' },
      // Still verified: a member now, who reads only herself.
      { as: 'carol', query: q.Select(['data', 'role'], q.Get(q.CurrentIdentity())), expect: 'member' },
    ],
  },
];

const rateLimit: readonly SessionCase[] = [
  {
    name: `${MAX_FAILURES} failures in the window Abort the next login, even with the right password; the window passing lets it in`,
    steps: [
      ...people,
      failedLogin('bob@example.com'),
      { advanceMs: 60_000, ...failedLogin('bob@example.com') },
      failedLogin('bob@example.com'),
      { ...limited('bob@example.com', 'bob-pass'), expectError: 'call error' },
      { ...server(failuresOf('bob@example.com')), expect: MAX_FAILURES },
      // Another account is not limited by bob's failures.
      { ...limited('alice@example.com', 'alice-pass', 'alice') },
      { as: 'alice', query: q.Select(['data', 'email'], q.Get(q.CurrentIdentity())), expect: 'alice@example.com' },
      { advanceMs: (WINDOW_MINUTES - 2) * 60_000, ...limited('bob@example.com', 'bob-pass'), expectError: 'call error' },
      // The first failure is out of the window now, the other two still in: one try.
      { advanceMs: 90_000, ...limited('bob@example.com', 'bob-pass', 'bob') },
      server(userOf('bob@example.com'), 'bobRef'),
      { as: 'bob', query: q.CurrentIdentity(), expect: kept('bobRef') },
    ],
  },
  {
    name: 'an unknown email fails like a wrong password, and counts',
    steps: [...people, failedLogin('nobody@example.com'), { ...server(failuresOf('nobody@example.com')), expect: 1 }],
  },
];

const endingSessions: readonly SessionCase[] = [
  {
    name: `a token lives ${TOKEN_MINUTES} minutes`,
    steps: [
      ...people,
      login('carol@example.com', 'carol-pass', 'carol'),
      { advanceMs: (TOKEN_MINUTES - 1) * 60_000, as: 'carol', query: emailOf('bob@example.com'), expect: 'bob@example.com' },
      { advanceMs: 2 * 60_000, as: 'carol', query: emailOf('bob@example.com'), expectError: 'unauthorized' },
      // The expired token is gone from the server key's view of the tokens too.
      { ...server(q.Count(q.Documents(q.Tokens()))), expect: 0 },
    ],
  },
  {
    name: 'the logout UDF ends only the calling token',
    steps: [
      ...people,
      login('carol@example.com', 'carol-pass', 'phone'),
      login('carol@example.com', 'carol-pass', 'laptop'),
      { as: 'phone', query: q.Call(q.Function('logout')), expect: true },
      { as: 'phone', query: q.CurrentIdentity(), expectError: 'unauthorized' },
      { as: 'laptop', query: emailOf('carol@example.com'), expect: 'carol@example.com' },
    ],
  },
  {
    name: "Logout(true) ends every token of the user, and no other user's",
    steps: [
      ...people,
      setData('alice@example.com', { verified: true }),
      login('carol@example.com', 'carol-pass', 'phone'),
      login('carol@example.com', 'carol-pass', 'laptop'),
      login('alice@example.com', 'alice-pass', 'alice'),
      { as: 'laptop', query: q.Logout(true), expect: true },
      { as: 'phone', query: q.CurrentIdentity(), expectError: 'unauthorized' },
      { as: 'laptop', query: q.CurrentIdentity(), expectError: 'unauthorized' },
      { as: 'alice', query: q.Select(['data', 'email'], q.Get(q.CurrentIdentity())), expect: 'alice@example.com' },
      { as: 'childAdmin', query: q.Count(q.Documents(q.Tokens())), expect: 1 },
    ],
  },
];
const groups: readonly SessionGroup[] = [
  { topic: 'installing the child', cases: installing },
  { topic: 'register and login', cases: signingIn },
  { topic: 'membership predicates', cases: membership },
  { topic: 'rate-limited login', cases: rateLimit },
  { topic: 'ending sessions', cases: endingSessions },
];

runSessionMatrix([
  { backend: 'pglite', transport: 'in-process', groups },
  { backend: 'pglite', transport: 'http2', groups },
  { backend: 'postgres', transport: 'in-process', groups },
  { backend: 'postgres', transport: 'http2', groups },
]);
