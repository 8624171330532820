/**
 * The admin API's queries (shared/admin). Each is one transaction that first checks, in the
 * database, that the caller's session is live and that its account holds the admin role now (a
 * token's roles may be up to ACCESS_TOKEN_TTL_SECONDS old), then acts, and writes its audit entry
 * (actor 'admin', the admin's account) in the same transaction.
 */

import faunadb from 'faunadb';
import { adminActor, auditEntry, type Actor, type AuditEntry, type AuditScope } from '../audit/audit.ts';
import { OWNED_COLLECTIONS, ownerIndexName } from './owner-index.ts';
import { newEmailToken, type EmailTokenInput } from './accounts.ts';
import { endSession, isDisabled, revokeSessions, SEARCH_PREFIX_MAX, userOf } from './fragments.ts';
import { emailKey, loginFailureKeys, passwordChangeFailureKey } from './rate-limits.ts';
import type { Expr } from './run-query.ts';
import { whileSessionLive } from './sessions.ts';
import { recentActivity } from './audit.ts';
import { accountDoc, replaceRoles, setAppMetadataQuery, setRolesQuery, type Caller, type Metadata } from './users.ts';

const q = faunadb.query;

/** The caller of an admin query, and what every audit entry it writes shares. */
export interface AdminCaller extends Caller {
  readonly role: string;
  readonly audit: AuditScope;
}

function accountRef(id: string): Expr {
  return q.Ref(q.Collection('accounts'), id);
}

const PAGE_ALL = { size: 100_000 };

/** Runs `then` only while the caller's session is live and its account is an admin now, not disabled. */
export function whileAdmin(caller: AdminCaller, then: Expr): Expr {
  const me = q.Get(accountRef(caller.accountId));
  return whileSessionLive(
    caller,
    q.If(q.And(q.ContainsValue(caller.role, q.Select(['data', 'roles'], me, [])), q.Not(isDisabled(me))), then, q.Abort('forbidden')),
  );
}

export function adminActorOf(caller: AdminCaller): Actor {
  return adminActor(accountRef(caller.accountId));
}

/** An audit entry written by the calling admin. */
function byAdmin(caller: AdminCaller, entry: Omit<AuditEntry, 'actor'>): Expr {
  return auditEntry(caller.audit, { ...entry, actor: adminActorOf(caller), session: q.Ref(q.Collection('sessions'), caller.sessionId) });
}

/** The account an admin acts on: a real account (the timing account has no address), else not_found. */
function target(id: string): Expr {
  return q.Let({ found: accountDoc({ id }) }, q.If(q.IsNull(q.Select(['data', 'email'], q.Var('found'), null)), q.Abort('not_found'), q.Var('found')));
}

function notSelf(caller: AdminCaller, id: string, then: Expr): Expr {
  return id === caller.accountId ? q.Abort('own_account') : then;
}

export interface SearchInput {
  readonly prefix: string;
  readonly verified: boolean | null;
  readonly disabled: boolean | null;
  readonly size: number;
  /** The `after` cursor of the previous page, as the database gave it. */
  readonly after: readonly Expr[] | null;
}

/** Accounts whose address starts with `prefix`, newest first, read from the index alone. */
export function searchAccountsQuery(caller: AdminCaller, input: SearchInput): Expr {
  const term = Array.from(input.prefix).slice(0, SEARCH_PREFIX_MAX).join('');
  const conditions: Expr[] = [];
  if (term !== input.prefix) conditions.push(q.StartsWith(q.Var('email'), input.prefix));
  if (input.verified !== null) conditions.push(q.Equals(q.Var('verified'), input.verified));
  if (input.disabled !== null) conditions.push(q.Equals(q.If(q.IsNull(q.Var('disabled')), false, q.Var('disabled')), input.disabled));
  const all = q.Match(q.Index('accounts_by_email_prefix'), term);
  const set = conditions.length === 0 ? all : q.Filter(all, q.Lambda(['at', 'ref', 'email', 'verified', 'disabled'], q.And(...conditions)));
  const page = q.Paginate(set, input.after === null ? { size: input.size } : { size: input.size, after: [...input.after] });
  return whileAdmin(
    caller,
    q.Do(byAdmin(caller, { account: null, event: 'admin_search', detail: { prefix: input.prefix, verified: input.verified, disabled: input.disabled } }), page),
  );
}

/** One account: profile, roles, metadata, its live sessions and its newest audit entries. */
export function accountDetailQuery(caller: AdminCaller, id: string, activitySize: number): Expr {
  const account = q.Var('account');
  return whileAdmin(
    caller,
    q.Let(
      { account: target(id) },
      q.Do(byAdmin(caller, { account: q.Select('ref', account), event: 'admin_view' }), {
        account: q.Merge(userOf(account), {
          disabled: isDisabled(account),
          createdAt: q.Select(['data', 'created_at'], account, null),
          appMetadata: q.Select(['data', 'app_metadata'], account, {}),
          userMetadata: q.Select(['data', 'user_metadata'], account, {}),
        }),
        sessions: q.Select(
          'data',
          q.Filter(
            q.Map(q.Paginate(q.Match(q.Index('sessions_by_account'), q.Select('ref', account)), { size: 1000 }), q.Lambda('ref', q.Get(q.Var('ref')))),
            q.Lambda('s', q.Not(q.Select(['data', 'revoked'], q.Var('s')))),
          ),
        ),
        activity: recentActivity(q.Select('ref', account), activitySize),
      }),
    ),
  );
}

/** Disabling ends every session (their engine tokens too); neither can be undone by the account. */
export function setDisabledQuery(caller: AdminCaller, id: string, disabled: boolean): Expr {
  const ref = q.Select('ref', q.Var('account'));
  const act = disabled ? q.Do(q.Update(ref, { data: { disabled: true } }), revokeSessions(ref, null)) : q.Update(ref, { data: { disabled: false } });
  const entry = byAdmin(caller, { account: ref, event: disabled ? 'account_disabled' : 'account_enabled' });
  // The entry first: if the action then fails, the transaction takes the entry back with it.
  const change = q.Let({ account: target(id) }, q.Do(entry, act, true));
  return whileAdmin(caller, disabled ? notSelf(caller, id, change) : change);
}

/** Replaces the account's roles (validated), audited as the admin's. */
export function adminSetRolesQuery(caller: AdminCaller, id: string, roles: readonly string[]): Expr {
  return whileAdmin(caller, q.Do(target(id), setRolesQuery({ id }, replaceRoles(roles), { scope: caller.audit, actor: adminActorOf(caller) })));
}

/** Replaces the account's app metadata (validated), audited as the admin's. */
export function adminSetAppMetadataQuery(caller: AdminCaller, id: string, metadata: Metadata): Expr {
  return whileAdmin(caller, q.Do(target(id), setAppMetadataQuery({ id }, metadata, { scope: caller.audit, actor: adminActorOf(caller) })));
}

/** Ends one session of the account (not_found when it is not theirs), or all of them (sessionId null). */
export function revokeAccountSessionsQuery(caller: AdminCaller, id: string, sessionId: string | null): Expr {
  const ref = q.Select('ref', q.Var('account'));
  const one = (sid: string): Expr => {
    const session = q.Ref(q.Collection('sessions'), sid);
    return q.If(q.And(q.Exists(session), q.Equals(q.Select(['data', 'account'], q.Get(session)), ref)), endSession(session), q.Abort('not_found'));
  };
  return whileAdmin(
    caller,
    q.Let(
      { account: target(id) },
      q.Do(
        sessionId === null ? revokeSessions(ref, null) : one(sessionId),
        byAdmin(caller, { account: ref, event: 'session_revoked', detail: { session: sessionId ?? 'all' } }),
        true,
      ),
    ),
  );
}

export type AdminEmailResult = { readonly status: 'send'; readonly email: string } | { readonly status: 'already_verified' };

/** A new verification or reset link for the account (the caller mails it): its token stored as a hash. */
export function adminEmailLinkQuery(caller: AdminCaller, id: string, kind: 'verify' | 'reset', token: EmailTokenInput): Expr {
  const account = q.Var('account');
  const ref = q.Select('ref', account);
  const email = q.Select(['data', 'email'], account);
  const mint = q.Do(
    newEmailToken(kind, email, ref, token),
    byAdmin(caller, { account: ref, event: kind === 'verify' ? 'verification_sent' : 'password_reset_sent' }),
    { status: 'send', email },
  );
  const act = kind === 'verify' ? q.If(q.Select(['data', 'email_verified'], account, false), { status: 'already_verified' }, mint) : mint;
  return whileAdmin(caller, q.Let({ account: target(id) }, act));
}

/** Deletes every document of a set of index entries whose last value is the ref (or that are refs). */
function deleteAll(set: Expr, lambdaArgs: string | string[]): Expr {
  const ref = Array.isArray(lambdaArgs) ? q.Var(lambdaArgs[lambdaArgs.length - 1]) : q.Var(lambdaArgs);
  return q.Foreach(q.Paginate(set, PAGE_ALL), q.Lambda(lambdaArgs, q.Delete(ref)));
}

/** The rate-limit events of an address and an account: its keys exactly, and its per-IP keys by range. */
function deleteRateEvents(email: string, accountId: string): Expr {
  const failures = loginFailureKeys(email, '');
  const exact = [emailKey(email), failures.address, passwordChangeFailureKey(accountId)];
  const perIp = failures.addressAndIp;
  return q.Do(
    ...exact.map((key) => deleteAll(q.Match(q.Index('rate_events_by_key'), key), ['at', 'ref'])),
    deleteAll(q.Range(q.Match(q.Index('rate_events_by_key_order')), [perIp], [`${perIp}\uffff`]), ['key', 'ref']),
  );
}

/**
 * Deletes an account and everything that refers to it: its sessions with their refresh and engine
 * tokens, its emailed links (also those sent to its address before it existed), its anomalies,
 * rate-limit events and audit entries, invitations to its address, and its owned data
 * (OWNED_COLLECTIONS). Entries it wrote as an admin lose their actor, invitations it sent their sender. The deletion's own entry names the account by its id only.
 * `email` must be the account's address, typed again (else confirmation_mismatch).
 */
export function deleteAccountQuery(caller: AdminCaller, id: string, email: string): Expr {
  const ref = accountRef(id);
  const sessions = q.Match(q.Index('sessions_by_account'), ref);
  const endEverySession = q.Foreach(
    q.Paginate(sessions, PAGE_ALL),
    q.Lambda(
      'session',
      q.Do(
        deleteAll(q.Match(q.Index('tokens_by_session'), q.Var('session')), 'token'),
        q.Delete(q.Var('session')),
      ),
    ),
  );
  const remove = q.Do(
    endEverySession,
    deleteAll(q.Match(q.Index('refresh_tokens_by_account'), ref), 'rt'),
    deleteAll(q.Match(q.Index('email_tokens_by_account'), ref), 'link'),
    deleteAll(q.Match(q.Index('email_tokens_by_email'), email), 'link'),
    deleteAll(q.Match(q.Index('anomalies_by_account'), ref), 'anomaly'),
    deleteAll(q.Match(q.Index('audit_events_by_account'), ref), ['at', 'ref']),
    q.Foreach(
      q.Paginate(q.Match(q.Index('audit_events_by_actor'), ref), PAGE_ALL),
      q.Lambda('entry', q.Update(q.Var('entry'), { data: { actor_account: null } })),
    ),
    // Invitations to its address go; those it sent as an admin stay, without their sender.
    deleteAll(q.Match(q.Index('invitations_by_email'), email), 'invitation'),
    q.Foreach(
      q.Paginate(q.Match(q.Index('invitations_by_inviter'), ref), PAGE_ALL),
      q.Lambda('invitation', q.Update(q.Var('invitation'), { data: { invited_by: null } })),
    ),
    deleteRateEvents(email, id),
    ...OWNED_COLLECTIONS.map((c) => deleteAll(q.Match(q.Index(ownerIndexName(c)), ref), ['ts', 'ref'])),
    q.Delete(ref),
    byAdmin(caller, { account: null, event: 'account_deleted', detail: { account_id: id } }),
    true,
  );
  return whileAdmin(
    caller,
    notSelf(
      caller,
      id,
      q.Let({ account: target(id) }, q.If(q.Equals(q.Select(['data', 'email'], q.Var('account')), email), remove, q.Abort('confirmation_mismatch'))),
    ),
  );
}
