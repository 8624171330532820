/**
 * The four FQL programs issue 3 names, each written for Fauna and run end to end through the
 * unmodified driver, with the tokens' own secrets as callers:
 *   a. refresh-token rotation, entirely in FQL, with a grace period and an anomaly record;
 *   b. a rate limit over an index of log entries ordered by `ts` descending;
 *   c. change password: Identify(CurrentIdentity(), old), then Update of the credentials;
 *   d. password reset with a token whose identity is a reset-request document, under a role
 *      that may only change the credentials of that request's account.
 *
 * On (a): a query is one transaction, so an Abort also undoes the anomaly document written
 * before it (the last session pins that). The program therefore refuses a reuse by recording
 * the anomaly, revoking every token of the identity and answering a refusal; the revoked
 * secrets then get 401. Abort is kept for what must leave nothing behind (a non-refresh token).
 */

import { q, type ExprArg } from './harness.ts';
import { runSessionMatrix, type SessionCase, type SessionGroup, type SessionStep } from './identity-harness.ts';

const users = q.CreateCollection({ name: 'users' });
const alice = q.Ref(q.Collection('users'), '1');
const bob = q.Ref(q.Collection('users'), '2');
const people = [
  users,
  q.Create(alice, { credentials: { password: 'sekret' }, data: { email: 'alice@example.com' } }),
  q.Create(bob, { credentials: { password: 'hunter2' }, data: { email: 'bob@example.com' } }),
];
const usersByEmail = q.CreateIndex({ name: 'users_by_email', source: q.Collection('users'), terms: [{ field: ['data', 'email'] }], unique: true });
const loginAlice: SessionStep = { save: 'alice', query: q.Login(alice, { password: 'sekret' }) };
const udf = (name: string, params: string | string[], body: ExprArg, role: ExprArg = 'admin'): ExprArg =>
  q.CreateFunction({ name, body: q.Query(q.Lambda(params, body)), role });
/** Users may call the named functions, and nothing else. */
const callersOf = (...names: string[]): ExprArg =>
  q.CreateRole({
    name: `callers_of_${names.join('_')}`,
    membership: [{ resource: q.Collection('users') }],
    privileges: names.map((n) => ({ resource: q.Function(n), actions: { call: true } })),
  });
const count = (set: ExprArg): ExprArg => q.Count(set);

// ---------------------------------------------------------------------------------------
// a. Refresh-token rotation

const GRACE_SECONDS = 30;
const tokensByInstance = q.CreateIndex({ name: 'tokens_by_instance', source: q.Tokens(), terms: [{ field: ['instance'] }] });
const usedRefreshTokens = q.CreateIndex({
  name: 'refresh_tokens_by_used',
  source: q.Tokens(),
  terms: [{ field: ['data', 'type'] }, { field: ['data', 'used'] }],
});
const anomalies = q.CreateCollection({ name: 'anomalies' });

const issuePair = udf(
  'issue_pair',
  'user',
  q.Let(
    {
      access: q.Create(q.Tokens(), { instance: q.Var('user'), ttl: q.TimeAdd(q.Now(), 15, 'minutes'), data: { type: 'access' } }),
      refresh: q.Create(q.Tokens(), { instance: q.Var('user'), ttl: q.TimeAdd(q.Now(), 7, 'days'), data: { type: 'refresh', used: false } }),
    },
    { access: q.Select('secret', q.Var('access')), refresh: q.Select('secret', q.Var('refresh')) },
  ),
);

const revokeAll = q.Foreach(
  q.Paginate(q.Match(q.Index('tokens_by_instance'), q.CurrentIdentity()), { size: 1000 }),
  q.Lambda('t', q.Delete(q.Var('t'))),
);

const refuseReuse = q.Do(
  q.Create(q.Collection('anomalies'), { data: { kind: 'refresh token reused', user: q.CurrentIdentity(), token: q.CurrentToken(), at: q.Now() } }),
  revokeAll,
  { refused: 'refresh token reused' },
);

const rotate = udf(
  'refresh',
  [],
  q.Let(
    { token: q.CurrentToken(), doc: q.Get(q.Var('token')), usedAt: q.Select(['data', 'used_at'], q.Var('doc'), null) },
    q.If(
      q.Not(q.Equals(q.Select(['data', 'type'], q.Var('doc'), null), 'refresh')),
      q.Abort('not a refresh token'),
      q.If(
        q.IsNull(q.Var('usedAt')),
        q.Do(q.Update(q.Var('token'), { data: { used: true, used_at: q.Now() } }), q.Call(q.Function('issue_pair'), q.CurrentIdentity())),
        q.If(q.LTE(q.TimeDiff(q.Var('usedAt'), q.Now(), 'seconds'), GRACE_SECONDS), q.Call(q.Function('issue_pair'), q.CurrentIdentity()), refuseReuse),
      ),
    ),
  ),
);

const rotation = [...people, anomalies, tokensByInstance, usedRefreshTokens, issuePair, rotate, callersOf('refresh')];
const firstPair: SessionStep = { save: 'p1', query: q.Call(q.Function('issue_pair'), alice) };
const anomalyCount = count(q.Documents(q.Collection('anomalies')));

const refreshRotation: readonly SessionCase[] = [
  {
    name: 'a refresh token issues a new pair and is marked used',
    setup: rotation,
    steps: [
      firstPair,
      { as: 'p1.access', query: q.CurrentIdentity(), expect: alice },
      { as: 'p1.refresh', query: q.Call(q.Function('refresh')), save: 'p2' },
      { as: 'p2.access', query: q.CurrentIdentity(), expect: alice },
      { as: 'p2.refresh', query: q.Equals(q.Select(['data', 'type'], q.Get(q.CurrentToken())), 'refresh'), expectError: 'permission denied' },
      {
        query: [count(q.Match(q.Index('refresh_tokens_by_used'), ['refresh', true])), count(q.Match(q.Index('refresh_tokens_by_used'), ['refresh', false]))],
        expect: [1, 1],
      },
    ],
  },
  {
    name: 'a reuse inside the grace period still yields a new pair',
    setup: rotation,
    steps: [
      firstPair,
      { as: 'p1.refresh', query: q.Call(q.Function('refresh')), save: 'p2' },
      { advanceMs: (GRACE_SECONDS - 10) * 1000, as: 'p1.refresh', query: q.Call(q.Function('refresh')), save: 'p3' },
      { as: 'p3.access', query: q.CurrentIdentity(), expect: alice },
      { as: 'p2.access', query: q.CurrentIdentity(), expect: alice },
      { query: anomalyCount, expect: 0 },
    ],
  },
  {
    name: 'a reuse after the grace period records an anomaly, is refused and revokes every token',
    setup: [...rotation, q.Login(bob, { password: 'hunter2' })],
    steps: [
      firstPair,
      { as: 'p1.refresh', query: q.Call(q.Function('refresh')), save: 'p2' },
      { advanceMs: (GRACE_SECONDS + 5) * 1000, as: 'p1.refresh', query: q.Call(q.Function('refresh')), expect: { refused: 'refresh token reused' } },
      {
        query: [anomalyCount, q.Select(['data', 'user'], q.Get(q.Select(['data', 0], q.Paginate(q.Documents(q.Collection('anomalies'))))))],
        expect: [1, alice],
      },
      { as: 'p2.access', query: q.CurrentIdentity(), expectError: 'unauthorized' },
      { as: 'p2.refresh', query: q.Call(q.Function('refresh')), expectError: 'unauthorized' },
      { as: 'p1.refresh', query: q.Call(q.Function('refresh')), expectError: 'unauthorized' },
      { query: [count(q.Match(q.Index('tokens_by_instance'), alice)), count(q.Match(q.Index('tokens_by_instance'), bob))], expect: [0, 1] },
    ],
  },
  {
    name: 'an access token may not rotate: Abort, and nothing is written',
    setup: rotation,
    steps: [firstPair, { as: 'p1.access', query: q.Call(q.Function('refresh')), expectError: 'call error' }, {
      query: [anomalyCount, count(q.Match(q.Index('tokens_by_instance'), alice))],
      expect: [0, 2],
    }],
  },
  {
    name: 'why the program does not Abort on reuse: Abort undoes the anomaly record',
    setup: [
      ...rotation,
      udf('record_then_abort', [], q.Do(q.Create(q.Collection('anomalies'), { data: {} }), q.Abort('refused'))),
      callersOf('record_then_abort'),
    ],
    steps: [loginAlice, { as: 'alice', query: q.Call(q.Function('record_then_abort')), expectError: 'call error' }, { query: anomalyCount, expect: 0 }],
  },
];

// ---------------------------------------------------------------------------------------
// b. Rate limit over an index of log entries, newest first

const LIMIT = 3;
const WINDOW_SECONDS = 60;
const calls = q.CreateCollection({ name: 'calls' });
const callsByUser = q.CreateIndex({
  name: 'calls_by_user_newest_first',
  source: q.Collection('calls'),
  terms: [{ field: ['data', 'user'] }],
  values: [{ field: ['ts'], reverse: true }, { field: ['ref'] }],
});
const rateLimited = udf(
  'limited_echo',
  'msg',
  q.Let(
    {
      recent: q.Select('data', q.Paginate(q.Match(q.Index('calls_by_user_newest_first'), q.CurrentIdentity()), { size: LIMIT })),
      since: q.ToMicros(q.TimeSubtract(q.Now(), WINDOW_SECONDS, 'seconds')),
      inWindow: q.Count(q.Filter(q.Var('recent'), q.Lambda(['ts', 'ref'], q.GT(q.Var('ts'), q.Var('since'))))),
    },
    q.If(
      q.GTE(q.Var('inWindow'), LIMIT),
      q.Abort('rate limit exceeded'),
      q.Do(q.Create(q.Collection('calls'), { data: { user: q.CurrentIdentity() } }), q.Var('msg')),
    ),
  ),
);
const rateLimit = [...people, calls, callsByUser, rateLimited, callersOf('limited_echo')];
const echoAs = (who: string, msg: string): SessionStep => ({ as: who, query: q.Call(q.Function('limited_echo'), msg), expect: msg });
const refusedAs = (who: string): SessionStep => ({ as: who, query: q.Call(q.Function('limited_echo'), 'too many'), expectError: 'call error' });
const callsOf = (who: ExprArg): ExprArg => q.Select('data', q.Paginate(q.Match(q.Index('calls_by_user_newest_first'), who)));

const rateLimiting: readonly SessionCase[] = [
  {
    name: `${LIMIT} calls pass, the next one Aborts and writes nothing`,
    setup: rateLimit,
    steps: [loginAlice, echoAs('alice', 'one'), echoAs('alice', 'two'), echoAs('alice', 'three'), refusedAs('alice'), {
      query: q.Count(callsOf(alice)),
      expect: LIMIT,
    }],
  },
  {
    name: 'the log index answers the newest entry first',
    setup: rateLimit,
    steps: [loginAlice, echoAs('alice', 'one'), { advanceMs: 1000, ...echoAs('alice', 'two') }, {
      query: q.Let({ page: callsOf(alice) }, q.GT(q.Select([0, 0], q.Var('page')), q.Select([1, 0], q.Var('page')))),
      expect: true,
    }],
  },
  {
    name: 'once the window has passed, calls pass again',
    setup: rateLimit,
    steps: [loginAlice, echoAs('alice', 'one'), echoAs('alice', 'two'), echoAs('alice', 'three'), refusedAs('alice'), {
      advanceMs: (WINDOW_SECONDS + 1) * 1000,
      ...echoAs('alice', 'again'),
    }],
  },
  {
    name: 'a sliding window: only the calls inside it count',
    setup: rateLimit,
    steps: [loginAlice, echoAs('alice', 'one'), { advanceMs: 40_000, ...echoAs('alice', 'two') }, echoAs('alice', 'three'), refusedAs('alice'), {
      advanceMs: 21_000,
      ...echoAs('alice', 'four'),
    }, refusedAs('alice')],
  },
  {
    name: "one user's calls do not limit another's",
    setup: rateLimit,
    steps: [
      loginAlice,
      { save: 'bob', query: q.Login(bob, { password: 'hunter2' }) },
      echoAs('alice', 'one'),
      echoAs('alice', 'two'),
      echoAs('alice', 'three'),
      refusedAs('alice'),
      echoAs('bob', 'mine'),
    ],
  },
];

// ---------------------------------------------------------------------------------------
// c. Change password

const changePassword = udf(
  'change_password',
  ['old', 'new'],
  q.If(
    q.Identify(q.CurrentIdentity(), q.Var('old')),
    q.Do(q.Update(q.CurrentIdentity(), { credentials: { password: q.Var('new') } }), true),
    q.Abort('wrong password'),
  ),
);
const passwordChange = [...people, changePassword, callersOf('change_password')];

const changingPassword: readonly SessionCase[] = [
  {
    name: 'the right old password changes it',
    setup: passwordChange,
    steps: [
      loginAlice,
      { as: 'alice', query: q.Call(q.Function('change_password'), 'sekret', 'n3w-pass'), expect: true },
      { query: [q.Identify(alice, 'n3w-pass'), q.Identify(alice, 'sekret'), q.Identify(bob, 'hunter2')], expect: [true, false, true] },
      { query: q.Select('instance', q.Login(alice, { password: 'n3w-pass' })), expect: alice },
      { query: q.Login(alice, { password: 'sekret' }), expectError: 'authentication failed' },
    ],
  },
  {
    name: 'a wrong old password Aborts and changes nothing',
    setup: passwordChange,
    steps: [loginAlice, { as: 'alice', query: q.Call(q.Function('change_password'), 'guess', 'n3w-pass'), expectError: 'call error' }, {
      query: [q.Identify(alice, 'sekret'), q.Identify(alice, 'n3w-pass')],
      expect: [true, false],
    }],
  },
  {
    name: 'a token changes only its own identity password',
    setup: passwordChange,
    steps: [{ save: 'bob', query: q.Login(bob, { password: 'hunter2' }) }, {
      as: 'bob',
      query: q.Call(q.Function('change_password'), 'hunter2', 'bobs-new'),
      expect: true,
    }, { query: [q.Identify(alice, 'sekret'), q.Identify(bob, 'bobs-new')], expect: [true, true] }],
  },
];

// ---------------------------------------------------------------------------------------
// d. Password reset under a reset request's own role

const resetRequests = q.CreateCollection({ name: 'reset_requests' });
/** Server side: a reset request document for the account, and a 15-minute token whose identity it is. */
const requestReset = udf(
  'request_reset',
  'email',
  q.Let(
    {
      user: q.Select(['data', 0], q.Paginate(q.Match(q.Index('users_by_email'), q.Var('email')))),
      request: q.Create(q.Collection('reset_requests'), { data: { user: q.Var('user') } }),
      token: q.Create(q.Tokens(), { instance: q.Select('ref', q.Var('request')), ttl: q.TimeAdd(q.Now(), 15, 'minutes') }),
    },
    q.Select('secret', q.Var('token')),
  ),
);
const accountOfRequest = q.Select(['data', 'user'], q.Get(q.CurrentIdentity()));
const resetterRole = q.CreateRole({
  name: 'password_resetter',
  membership: [{ resource: q.Collection('reset_requests') }],
  privileges: [
    { resource: q.Collection('reset_requests'), actions: { read: q.Query(q.Lambda('ref', q.Equals(q.Var('ref'), q.CurrentIdentity()))) } },
    {
      resource: q.Collection('users'),
      // Only the request's own account, and only its credentials: its data must stay as it was.
      actions: {
        write: q.Query(
          q.Lambda(
            ['oldData', 'newData', 'ref'],
            q.And(q.Equals(q.Var('ref'), accountOfRequest), q.Equals(q.Select('data', q.Var('oldData')), q.Select('data', q.Var('newData')))),
          ),
        ),
      },
    },
  ],
});
const passwordReset = [...people, usersByEmail, resetRequests, requestReset, resetterRole];
const requested: SessionStep = { save: 'reset', query: q.Call(q.Function('request_reset'), 'alice@example.com') };
const resetTo = (password: string): ExprArg => q.Do(q.Update(accountOfRequest, { credentials: { password } }), true);

const resettingPassword: readonly SessionCase[] = [
  {
    name: 'a reset token sets a new password, then logs itself out',
    setup: passwordReset,
    steps: [
      requested,
      { as: 'reset', query: q.Equals(accountOfRequest, alice), expect: true },
      { as: 'reset', query: resetTo('fresh-pass'), expect: true },
      { query: [q.Identify(alice, 'fresh-pass'), q.Identify(alice, 'sekret')], expect: [true, false] },
      { as: 'reset', query: q.Logout(true), expect: true },
      { as: 'reset', query: resetTo('again'), expectError: 'unauthorized' },
      { query: q.Select('instance', q.Login(alice, { password: 'fresh-pass' })), expect: alice },
    ],
  },
  {
    name: 'a reset token may not change the account data',
    setup: passwordReset,
    steps: [requested, { as: 'reset', query: q.Update(alice, { data: { email: 'mallory@example.com' } }), expectError: 'permission denied' }, {
      query: q.Select(['data', 'email'], q.Get(alice)),
      expect: 'alice@example.com',
    }],
  },
  {
    name: "a reset token may not change another account's password",
    setup: passwordReset,
    steps: [requested, { as: 'reset', query: q.Do(q.Update(bob, { credentials: { password: 'owned' } }), true), expectError: 'permission denied' }, {
      query: q.Identify(bob, 'hunter2'),
      expect: true,
    }],
  },
  {
    name: 'a reset token may not read the account nor log in as it',
    setup: passwordReset,
    steps: [requested, { as: 'reset', query: q.Get(alice), expectError: 'permission denied' }, {
      as: 'reset',
      query: q.Login(alice, { password: 'sekret' }),
      expectError: 'permission denied',
    }],
  },
  {
    name: 'a reset token past its 15 minutes is unauthorized',
    setup: passwordReset,
    steps: [requested, { advanceMs: 16 * 60_000, as: 'reset', query: resetTo('late'), expectError: 'unauthorized' }, {
      query: q.Identify(alice, 'sekret'),
      expect: true,
    }],
  },
  {
    name: "a user token is not in the resetter's role",
    setup: passwordReset,
    steps: [loginAlice, { as: 'alice', query: q.Do(q.Update(alice, { credentials: { password: 'x' } }), true), expectError: 'permission denied' }],
  },
];

const groups: readonly SessionGroup[] = [
  { topic: 'a. refresh-token rotation', cases: refreshRotation },
  { topic: 'b. rate limit over a log index', cases: rateLimiting },
  { topic: 'c. change password', cases: changingPassword },
  { topic: 'd. password reset under its own role', cases: resettingPassword },
];

runSessionMatrix([
  { backend: 'pglite', transport: 'in-process', groups },
  { backend: 'pglite', transport: 'in-process', pushdown: false, groups },
  { backend: 'postgres', transport: 'in-process', groups },
]);
