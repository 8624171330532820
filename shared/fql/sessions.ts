/**
 * Session queries: login, refresh (verify and rotate in one transaction), logout, listing
 * and revoking sessions. Refresh tokens are stored as the SHA-256 of their jti, with `used`
 * and `parent_hash`, and expire with their document ttl.
 *
 * A session's work must not grow with its account's past: an ended session is deleted (its
 * refresh tokens then answer invalid, and expire on their own), a session nobody refreshes
 * expires (see sessionExpiry), and the engine's sweeper removes what expired. A listing reads
 * at most MAX_LISTED_SESSIONS sessions, newest first.
 */

import faunadb from 'faunadb';
import { auditEntry, SELF, SYSTEM, type AuditEventName, type AuditScope } from '../audit/audit.ts';
import { accountByEmail, accountSessions, isDisabled, endSession, getOrNull, revokeSessions, sessionEngineTokens, userOf } from './fragments.ts';
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
  | { readonly status: 'disabled' }
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

/** How many sessions a listing shows at most: the newest. */
export const MAX_LISTED_SESSIONS = 50;

/**
 * A session lives two refresh lifetimes past its start, and a refresh that finds less than one
 * and a half left moves it to two again. So it always outlives its newest refresh token, yet its
 * index entries (which carry its expiry) are rewritten at most once per half lifetime, not at
 * every refresh. A session left alone expires, and the sweeper removes it.
 */
function sessionExpiry(refreshTtlSeconds: number): Expr {
  return q.TimeAdd(q.Now(), 2 * refreshTtlSeconds, 'seconds');
}

function sessionTouched(session: Expr, refreshTtlSeconds: number): Expr {
  // A session from before session expiry has no ttl: it gets one now.
  const left = q.TimeDiff(q.Now(), q.Select('ttl', session, q.Now()), 'seconds');
  return q.If(
    q.LT(left, 1.5 * refreshTtlSeconds),
    { data: { last_used_at: q.Now() }, ttl: sessionExpiry(refreshTtlSeconds) },
    { data: { last_used_at: q.Now() } },
  );
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
        ttl: sessionExpiry(refresh.ttlSeconds),
      }),
    },
    q.Do(newRefreshToken(q.Select('ref', q.Var('session')), account, refresh), q.Select(['ref', 'id'], q.Var('session'))),
  );
}

/** startSession, and its audit entry (`event`, by the account itself) in the same transaction. */
export function startAuditedSession(
  account: Expr,
  userAgent: string,
  refresh: NewRefreshToken,
  audit: AuditScope,
  event: AuditEventName,
  detail?: Readonly<Record<string, unknown>>,
): Expr {
  return q.Let(
    { sessionId: startSession(account, userAgent, refresh) },
    q.Do(auditEntry(audit, { account, actor: SELF, event, session: sessionRef(q.Var('sessionId')), detail }), q.Var('sessionId')),
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
  audit: AuditScope;
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
  input: { email: string; passwords: readonly string[]; userAgent: string; refresh: NewRefreshToken; device: DeviceCheck; audit: AuditScope },
  failures: LoginFailureKeys,
): Expr {
  return q.Let(
    {
      account: getOrNull(accountByEmail(input.email)),
      ref: q.If(q.IsNull(q.Var('account')), q.Ref(q.Collection('accounts'), TIMING_ACCOUNT_ID), q.Select('ref', q.Var('account'))),
      // Identify always runs, on the timing account when the address is unknown.
      ok: q.And(identifyAny(q.Var('ref'), input.passwords), q.Not(q.IsNull(q.Var('account')))),
      // Decided before anything is written, so that one expression writes every failure's entry.
      failure: loginFailureReason(q.Var('account'), q.Var('ok')),
    },
    q.If(
      q.IsNull(q.Var('failure')),
      {
        status: 'ok',
        user: userOf(q.Var('account')),
        sessionId: startAuditedSession(q.Var('ref'), input.userAgent, input.refresh, input.audit, 'login'),
        notice: newDeviceNotice(q.Var('ref'), input.device.fingerprint, input.device.notice),
      },
      loginFailure(input.audit, failures, q.Var('failure')),
    ),
  );
}

/**
 * Why a login fails: 'password' (wrong, or no such address), 'unverified' or 'disabled' (told
 * only after a right password), or null when it succeeds.
 */
function loginFailureReason(account: Expr, passwordOk: Expr): Expr {
  return q.If(
    q.Not(passwordOk),
    'password',
    q.If(q.Not(q.Select(['data', 'email_verified'], account)), 'unverified', q.If(isDisabled(account), 'disabled', null)),
  );
}

/**
 * A failed login: a wrong password counts against the rate limits, and every failure is audited
 * on its account, or on no account when the address has none: the same writes either way, so
 * neither the answer nor its time tells which (no enumeration). It answers `invalid` for a wrong
 * password, otherwise the reason itself (`unverified`, `disabled`).
 */
function loginFailure(audit: AuditScope, failures: LoginFailureKeys, reason: Expr): Expr {
  const wrongPassword = q.Equals(reason, 'password');
  return q.Do(
    q.If(wrongPassword, recordLoginFailure(failures), null),
    auditEntry(audit, {
      account: q.If(q.IsNull(q.Var('account')), null, q.Select('ref', q.Var('account'))),
      actor: SELF,
      event: 'login_failed',
      detail: { reason },
    }),
    { status: q.If(wrongPassword, 'invalid', reason) },
  );
}

export type RefreshResult =
  | { readonly status: 'invalid' }
  | { readonly status: 'reuse'; readonly notice: Notice }
  | { readonly status: 'ok'; readonly user: User; readonly sessionId: string };

/** What a refresh knows before it asks the database: the refresh JWT's claims, and what it will store. */
export interface RefreshInput {
  readonly jtiHash: string;
  /** The session and account the refresh JWT names (its `sid` and `sub`). */
  readonly sessionId: string;
  readonly accountId: string;
  readonly next: NewRefreshToken;
  readonly graceSeconds: number;
  readonly userAgent: string;
  readonly notice: EmailTokenInput;
  readonly audit: AuditScope;
}

/**
 * Refresh, in one transaction: the presented token must exist, name the session and account its
 * JWT claims, belong to a live session of an enabled account, and be unused, or used less than
 * `graceSeconds` ago (parallel tabs). A token reused later ends its whole session and records an
 * anomaly. Otherwise it is marked used and a child token is issued.
 *
 * The session and account are read by the refs the JWT claims, not by those the token holds: all
 * three reads then have known keys, and the engine makes them together in the first round trip
 * (on PostgreSQL, one trip fewer). The claims only say where to look: the token must name both.
 */
export function refreshQuery(input: RefreshInput): Expr {
  const session = q.Var('session');
  const account = q.Var('account');
  return q.Let(
    {
      token: getOrNull(q.Match(q.Index('refresh_tokens_by_hash'), input.jtiHash)),
      // Missing (an ended session is deleted, so may an account be): null, and invalid below.
      session: docOrNull(sessionRef(input.sessionId)),
      account: docOrNull(accountRef(input.accountId)),
    },
    q.If(
      q.Or(
        q.Not(tokenNamesClaims(q.Var('token'), input)),
        q.IsNull(session),
        // Ended sessions are deleted; `revoked` is what ended them before that.
        q.Select(['data', 'revoked'], session, false),
        q.IsNull(account),
        isDisabled(account),
      ),
      { status: 'invalid' },
      q.If(reusedPastGrace(q.Var('token'), input.graceSeconds), refreshReuse(input), rotation(input)),
    ),
  );
}

/** Whether the token (a document or null) exists and names the claimed session and account. */
function tokenNamesClaims(token: Expr, claims: { readonly sessionId: string; readonly accountId: string }): Expr {
  return q.And(
    q.Not(q.IsNull(token)),
    q.Equals(q.Select(['data', 'session'], token), sessionRef(claims.sessionId)),
    q.Equals(q.Select(['data', 'account'], token), accountRef(claims.accountId)),
  );
}

function reusedPastGrace(token: Expr, graceSeconds: number): Expr {
  return q.And(
    q.Select(['data', 'used'], token),
    // Milliseconds: whole seconds would stretch the grace by up to one.
    q.GT(q.TimeDiff(q.Select(['data', 'used_at'], token), q.Now(), 'milliseconds'), graceSeconds * 1000),
  );
}

/** A used token presented again: its whole session ends, and the reuse is recorded, audited and told. */
function refreshReuse(input: RefreshInput): Expr {
  const session = sessionRef(input.sessionId);
  const account = accountRef(input.accountId);
  return q.Do(
    endSession(session),
    q.Create(q.Collection('anomalies'), {
      data: { kind: 'refresh_token_reuse', account, session, at: q.Now(), user_agent: input.userAgent },
    }),
    auditEntry(input.audit, { account, actor: SYSTEM, event: 'refresh_reuse', session }),
    { status: 'reuse', notice: securityNotice(account, 'notice_token_reuse', input.notice) },
  );
}

/** The token is marked used (unless it was, within the grace), the session touched, and a child token issued. */
function rotation(input: RefreshInput): Expr {
  const token = q.Var('token');
  const session = sessionRef(input.sessionId);
  return q.Do(
    q.If(q.Select(['data', 'used'], token), null, q.Update(q.Select('ref', token), { data: { used: true, used_at: q.Now() } })),
    q.Update(session, sessionTouched(q.Var('session'), input.next.ttlSeconds)),
    newRefreshToken(session, accountRef(input.accountId), input.next),
    { status: 'ok', user: userOf(q.Var('account')), sessionId: input.sessionId },
  );
}

function docOrNull(ref: Expr): Expr {
  return q.Let({ ref }, q.If(q.Exists(q.Var('ref')), q.Get(q.Var('ref')), null));
}

function sessionRef(id: string | Expr): Expr {
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
export function logoutQuery(input: { accountId: string; sessionId: string; all: boolean; audit: AuditScope }): Expr {
  const entry = auditEntry(input.audit, {
    account: accountRef(input.accountId),
    actor: SELF,
    event: 'logout',
    session: sessionRef(input.sessionId),
    detail: { all: input.all },
  });
  if (input.all) return logoutEverywhere(input, entry);
  const session = sessionRef(input.sessionId);
  // Its engine tokens are read with the session, in the first round trip (see sessionEngineTokens).
  return q.Let(
    { tokens: sessionEngineTokens(session) },
    q.If(q.Exists(session), q.Do(endSession(session, q.Var('tokens')), entry, true), true),
  );
}

/**
 * Ends every session of the caller's account, its own session live. The sessions are read first,
 * documents and all, in one statement (accountSessions): the caller's own is among them, so
 * checking it reads nothing more, and a round trip is saved.
 */
function logoutEverywhere(caller: { accountId: string; sessionId: string }, entry: Expr): Expr {
  const account = accountRef(caller.accountId);
  return q.Let(
    { sessions: accountSessions(account) },
    whileSessionLive(caller, q.Do(revokeSessions(account, null, q.Var('sessions')), entry, true), 'invalid_session'),
  );
}

/**
 * The newest live sessions of an account (asked from one of them, which must be live itself).
 * They are read first, documents and all, in one statement (the last page of the index, whose
 * entries run oldest to newest); the caller's own session is then usually among them, so
 * checking it reads nothing more.
 */
export function listSessionsQuery(accountId: string, callerSessionId: string): Expr {
  return q.Let(
    { newest: newestSessions(accountId) },
    whileSessionLive(
      { accountId, sessionId: callerSessionId },
      q.Map(
        q.Reverse(q.Filter(q.Var('newest'), q.Lambda('s', q.Not(q.Select(['data', 'revoked'], q.Var('s'), false))))),
        q.Lambda('s', listedSession(q.Var('s'))),
      ),
    ),
  );
}

/** A listed session as the list answers it. */
export interface ListedSession {
  readonly id: string;
  readonly created_at: faunadb.values.FaunaTime;
  readonly last_used_at: faunadb.values.FaunaTime;
  readonly user_agent: string;
}

/**
 * Only what the list shows: a whole document carries its ref, account ref, ttl and ts, which the
 * engine would encode and the driver decode for every session (measured with bench:pg: half the
 * CPU of a 50-session list went to the documents' wire form).
 */
function listedSession(session: Expr): Expr {
  return {
    id: q.Select(['ref', 'id'], session),
    created_at: q.Select(['data', 'created_at'], session),
    last_used_at: q.Select(['data', 'last_used_at'], session),
    user_agent: q.Select(['data', 'user_agent'], session),
  } as unknown as Expr;
}

function newestSessions(accountId: string): Expr {
  const lastPage = q.Paginate(q.Match(q.Index('sessions_by_account'), accountRef(accountId)), { before: null, size: MAX_LISTED_SESSIONS });
  return q.Select('data', q.Map(lastPage, q.Lambda('ref', q.Get(q.Var('ref')))));
}

/**
 * Runs `then` only while the caller's own session is live: an access token outlives a revoked
 * session by up to its lifetime, and must not be able to change anything meanwhile.
 */
export function whileSessionLive(
  caller: { accountId: string; sessionId: string },
  then: Expr,
  refusal: 'unauthenticated' | 'invalid_session' = 'unauthenticated',
): Expr {
  const ref = sessionRef(caller.sessionId);
  return q.If(
    q.And(
      q.Exists(ref),
      q.Equals(q.Select(['data', 'account'], q.Get(ref)), accountRef(caller.accountId)),
      q.Not(q.Select(['data', 'revoked'], q.Get(ref), false)),
    ),
    then,
    q.Abort(refusal),
  );
}

/** Ends (deletes) one session of the account; a session of someone else is "not found", like a missing one. */
export function revokeSessionQuery(input: { accountId: string; sessionId: string; callerSessionId: string; audit: AuditScope }): Expr {
  const ref = sessionRef(input.sessionId);
  const entry = auditEntry(input.audit, {
    account: accountRef(input.accountId),
    actor: SELF,
    event: 'session_revoked',
    session: sessionRef(input.callerSessionId),
    detail: { session: input.sessionId },
  });
  // The session's engine tokens are read in the first round trip, with both sessions (see
  // sessionEngineTokens); they are deleted only once the session is found to be the account's.
  return q.Let(
    { tokens: sessionEngineTokens(ref) },
    whileSessionLive(
      { accountId: input.accountId, sessionId: input.callerSessionId },
      q.Do(revokeIfOwned(ref, input.accountId, q.Var('tokens')), entry, true),
    ),
  );
}

function revokeIfOwned(ref: Expr, accountId: string, tokens: Expr): Expr {
  return q.If(
    q.And(q.Exists(ref), q.Equals(q.Select(['data', 'account'], q.Get(ref)), accountRef(accountId))),
    q.Do(endSession(ref, tokens), true),
    q.Abort('not_found'),
  );
}
