/**
 * Session queries: login, refresh (verify and rotate in one transaction), logout, listing
 * and revoking sessions. Refresh tokens are stored as the SHA-256 of their jti, with `used`
 * and `parent_hash`, and expire with their document ttl.
 */

import faunadb from 'faunadb';
import { accountByEmail, endSession, getOrNull, revokeSessions, userOf } from './fragments.ts';
import { loginFailureKeys, loginWait, recordLoginFailure, type LoginFailureKeys, type LoginLimits } from './rate-limits.ts';
import type { EmailTokenInput } from './accounts.ts';
import { newDeviceNotice, securityNotice, type Notice } from './notices.ts';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

/**
 * An account that exists only so that a login for an unknown address still runs one bcrypt
 * comparison: the time of an answer must not tell whether the address has an account.
 * fauna-schema creates it, with a random password no one knows.
 */
export const TIMING_ACCOUNT_ID = '1';

export interface User {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly name: string | null;
  /** Role names (see shared/user/roles.ts); set only by an admin or the server. */
  readonly roles: readonly string[];
}

export type LoginResult =
  | { readonly status: 'rate_limited'; readonly retryAfter: number }
  | { readonly status: 'invalid' }
  | { readonly status: 'unverified' }
  | { readonly status: 'ok'; readonly user: User; readonly sessionId: string; readonly notice: Notice | null };

/** What a session start needs to tell a new device: its fingerprint, and the token of the notice if it is new. */
export interface DeviceCheck {
  readonly fingerprint: string;
  readonly notice: EmailTokenInput;
}

export interface NewRefreshToken {
  readonly jtiHash: string;
  readonly parentHash: string | null;
  readonly ttlSeconds: number;
}

function newRefreshToken(session: Expr, account: Expr, token: NewRefreshToken): Expr {
  const expires = q.TimeAdd(q.Now(), token.ttlSeconds, 'seconds');
  return q.Create(q.Collection('refresh_tokens'), {
    data: { session, account, jti_hash: token.jtiHash, parent_hash: token.parentHash, used: false, expires_at: expires },
    ttl: expires,
  });
}

/** Starts a session for an account: a session document and its first refresh token. */
export function startSession(account: Expr, userAgent: string, refresh: NewRefreshToken): Expr {
  return q.Let(
    {
      session: q.Create(q.Collection('sessions'), {
        data: { account, created_at: q.Now(), last_used_at: q.Now(), user_agent: userAgent, revoked: false },
      }),
    },
    q.Do(newRefreshToken(q.Select('ref', q.Var('session')), account, refresh), q.Select(['ref', 'id'], q.Var('session'))),
  );
}

/**
 * A login, under three limits on failures (issue 19, item 8): per address and IP address (low:
 * the owner's own IP is not locked by anyone else's guesses), per address (much higher: locking
 * the owner out takes many IPs), and per IP address (guessing across many addresses). Past any
 * of them every attempt is refused, a right password too, so that guessing learns nothing.
 */
export function loginQuery(input: {
  email: string;
  ip: string;
  /** The forms to try (NFC, then as typed: see passwordCandidates); any one that matches logs in. */
  passwords: readonly string[];
  userAgent: string;
  refresh: NewRefreshToken;
  limits: LoginLimits;
  device: DeviceCheck;
}): Expr {
  const keys = loginFailureKeys(input.email, input.ip);
  return q.Let(
    { wait: loginWait(keys, input.limits) },
    q.If(q.GT(q.Var('wait'), 0), { status: 'rate_limited', retryAfter: q.Var('wait') }, checkPasswordAndStart(input, keys)),
  );
}

/** True when one of `passwords` is the account's; as many bcrypt runs for every account, and for none. */
export function identifyAny(ref: Expr, passwords: readonly string[]): Expr {
  return q.Or(...passwords.map((password) => q.Identify(ref, password)));
}

function checkPasswordAndStart(
  input: { email: string; passwords: readonly string[]; userAgent: string; refresh: NewRefreshToken; device: DeviceCheck },
  failures: LoginFailureKeys,
): Expr {
  return q.Let(
    {
      account: getOrNull(accountByEmail(input.email)),
      ref: q.If(q.IsNull(q.Var('account')), q.Ref(q.Collection('accounts'), TIMING_ACCOUNT_ID), q.Select('ref', q.Var('account'))),
      // Identify always runs, on the timing account when the address is unknown.
      ok: q.And(identifyAny(q.Var('ref'), input.passwords), q.Not(q.IsNull(q.Var('account')))),
    },
    q.If(
      q.Not(q.Var('ok')),
      q.Do(recordLoginFailure(failures), { status: 'invalid' }),
      q.If(
        q.Not(q.Select(['data', 'email_verified'], q.Var('account'))),
        { status: 'unverified' },
        {
          status: 'ok',
          user: userOf(q.Var('account')),
          sessionId: startSession(q.Var('ref'), input.userAgent, input.refresh),
          notice: newDeviceNotice(q.Var('ref'), input.device.fingerprint, input.device.notice),
        },
      ),
    ),
  );
}

export type RefreshResult =
  | { readonly status: 'invalid' }
  | { readonly status: 'reuse'; readonly notice: Notice }
  | { readonly status: 'ok'; readonly user: User; readonly sessionId: string };

/**
 * Refresh, in one transaction: the presented token must exist, belong to a live session,
 * and be unused, or used less than `graceSeconds` ago (parallel tabs). A token reused later
 * revokes its whole session and records an anomaly. Otherwise it is marked used and a child
 * token is issued.
 */
export function refreshQuery(input: { jtiHash: string; next: NewRefreshToken; graceSeconds: number; userAgent: string; notice: EmailTokenInput }): Expr {
  const token = q.Var('token');
  const session = q.Var('session');
  return q.Let(
    { token: getOrNull(q.Match(q.Index('refresh_tokens_by_hash'), input.jtiHash)) },
    q.If(
      q.IsNull(token),
      { status: 'invalid' },
      q.Let(
        { session: q.Get(q.Select(['data', 'session'], token)), account: q.Get(q.Select(['data', 'account'], token)) },
        q.If(
          q.Select(['data', 'revoked'], session),
          { status: 'invalid' },
          q.If(
            q.And(
              q.Select(['data', 'used'], token),
              // Milliseconds: whole seconds would stretch the grace by up to one.
              q.GT(q.TimeDiff(q.Select(['data', 'used_at'], token), q.Now(), 'milliseconds'), input.graceSeconds * 1000),
            ),
            q.Do(
              endSession(q.Select('ref', session)),
              q.Create(q.Collection('anomalies'), {
                data: { kind: 'refresh_token_reuse', account: q.Select('ref', q.Var('account')), session: q.Select('ref', session), at: q.Now(), user_agent: input.userAgent },
              }),
              { status: 'reuse', notice: securityNotice(q.Select('ref', q.Var('account')), 'notice_token_reuse', input.notice) },
            ),
            q.Do(
              q.If(q.Select(['data', 'used'], token), null, q.Update(q.Select('ref', token), { data: { used: true, used_at: q.Now() } })),
              q.Update(q.Select('ref', session), { data: { last_used_at: q.Now() } }),
              newRefreshToken(q.Select('ref', session), q.Select('ref', q.Var('account')), input.next),
              { status: 'ok', user: userOf(q.Var('account')), sessionId: q.Select(['ref', 'id'], session) },
            ),
          ),
        ),
      ),
    ),
  );
}

function sessionRef(id: string): Expr {
  return q.Ref(q.Collection('sessions'), id);
}

function accountRef(id: string): Expr {
  return q.Ref(q.Collection('accounts'), id);
}

/**
 * Ends one session, or every session of its account. Ending them all needs a live session: a
 * token of a revoked one (after a reset, or stolen and then logged out) must not be able to log
 * the owner out of their new sessions; ending one's own session is harmless, and always done.
 */
export function logoutQuery(input: { accountId: string; sessionId: string; all: boolean }): Expr {
  if (input.all) return whileSessionLive(input, q.Do(revokeSessions(accountRef(input.accountId), null), true), 'invalid_session');
  return q.If(
    q.Exists(sessionRef(input.sessionId)),
    q.Do(endSession(sessionRef(input.sessionId)), true),
    true,
  );
}

/** The live sessions of an account (asked from one of them, which must be live itself). */
export function listSessionsQuery(accountId: string, callerSessionId: string): Expr {
  return whileSessionLive({ accountId, sessionId: callerSessionId }, listLiveSessions(accountId));
}

function listLiveSessions(accountId: string): Expr {
  return q.Select(
    'data',
    q.Filter(
      q.Map(
        q.Paginate(q.Match(q.Index('sessions_by_account'), accountRef(accountId)), { size: 1000 }),
        q.Lambda('ref', q.Get(q.Var('ref'))),
      ),
      q.Lambda('s', q.Not(q.Select(['data', 'revoked'], q.Var('s')))),
    ),
  );
}

/**
 * Runs `then` only while the caller's own session is live: an access token outlives a revoked
 * session by up to its lifetime, and must not be able to change anything meanwhile.
 */
export function whileSessionLive(caller: { accountId: string; sessionId: string }, then: Expr, refusal: 'unauthenticated' | 'invalid_session' = 'unauthenticated'): Expr {
  const ref = sessionRef(caller.sessionId);
  return q.If(
    q.And(q.Exists(ref), q.Equals(q.Select(['data', 'account'], q.Get(ref)), accountRef(caller.accountId)), q.Not(q.Select(['data', 'revoked'], q.Get(ref)))),
    then,
    q.Abort(refusal),
  );
}

/** Revokes one session of the account; a session of someone else is "not found", like a missing one. */
export function revokeSessionQuery(input: { accountId: string; sessionId: string; callerSessionId: string }): Expr {
  const ref = sessionRef(input.sessionId);
  return whileSessionLive({ accountId: input.accountId, sessionId: input.callerSessionId }, revokeIfOwned(ref, input.accountId));
}

function revokeIfOwned(ref: Expr, accountId: string): Expr {
  return q.If(
    q.And(q.Exists(ref), q.Equals(q.Select(['data', 'account'], q.Get(ref)), accountRef(accountId))),
    q.Do(endSession(ref), true),
    q.Abort('not_found'),
  );
}
