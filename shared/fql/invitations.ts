/**
 * Invitation queries (issue 18, item 4). An invitation is one document of `invitations`: the
 * address, the SHA-256 of its link's secret (never the secret), who sent it, when it expires, and
 * whether it was used or revoked. It is live while none of those has happened; an address has at
 * most one live invitation (a new one revokes the old). Each operation is one transaction, which
 * is where the audit entry of an invitation sent, used or revoked goes (issue 18, item 3).
 */

import faunadb from 'faunadb';
import { auditEntry, SELF, SYSTEM, type AuditScope } from '../audit/audit.ts';
import { adminActorOf, whileAdmin, type AdminCaller } from './admin.ts';
import { accountByEmail, emailPrefixes, getOrNull, userOf } from './fragments.ts';
import { rememberDevice } from './notices.ts';
import type { Expr } from './run-query.ts';
import { startAuditedSession, type NewRefreshToken } from './sessions.ts';

const q = faunadb.query;

/** Expired invitations are kept this long past their expiry, so that their link says "expired" and the list shows them. */
const KEPT_AFTER_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * Who invites: an admin through the API (checked in the database by whileAdmin, and the audit
 * entry's actor), or the operator's command line (`npm run admin -- invite`: actor 'system').
 */
export type Inviter = { readonly admin: AdminCaller } | { readonly operator: AuditScope };

function asInviter(inviter: Inviter, then: Expr): Expr {
  return 'admin' in inviter ? whileAdmin(inviter.admin, then) : then;
}

/** The audit entry of an admin's (or the operator's) action on an invitation: about no account, naming the invitation. */
function inviterEntry(
  inviter: Inviter,
  event: 'invitation_sent' | 'invitation_revoked' | 'invitations_listed',
  detail: Readonly<Record<string, unknown>>,
): Expr {
  if (!('admin' in inviter)) return auditEntry(inviter.operator, { account: null, actor: SYSTEM, event, detail });
  const { admin } = inviter;
  return auditEntry(admin.audit, { account: null, actor: adminActorOf(admin), event, session: q.Ref(q.Collection('sessions'), admin.sessionId), detail });
}

function isLive(doc: Expr): Expr {
  return q.And(
    q.Not(q.Select(['data', 'used'], doc)),
    q.Not(q.Select(['data', 'revoked'], doc)),
    q.LT(q.TimeDiff(q.Select(['data', 'expires_at'], doc), q.Now(), 'seconds'), 0),
  );
}

function invitationsOf(email: Expr | string): Expr {
  return q.Map(q.Paginate(q.Match(q.Index('invitations_by_email'), email), { size: 1000 }), q.Lambda('ref', q.Get(q.Var('ref'))));
}

/** The live invitation of an address, or null. */
export function liveInvitation(email: Expr | string): Expr {
  return q.Select(['data', 0], q.Filter(invitationsOf(email), q.Lambda('doc', isLive(q.Var('doc')))), null);
}

/**
 * Marks an invitation used (it names no account: deleting the account leaves nothing that points
 * at it) and audits its acceptance on the new account (a Ref).
 */
export function spendInvitation(invitation: Expr, account: Expr, audit: AuditScope): Expr {
  return q.Do(
    q.Update(q.Select('ref', invitation), { data: { used: true, used_at: q.Now() } }),
    auditEntry(audit, { account, actor: SELF, event: 'invitation_accepted', detail: { invitation: q.Select(['ref', 'id'], invitation) } }),
  );
}

/** What the admin sees of an invitation; times are FQL times (the caller makes them ISO strings). */
function summaryOf(doc: Expr): Expr {
  return {
    id: q.Select(['ref', 'id'], doc),
    email: q.Select(['data', 'email'], doc),
    createdAt: q.Select(['data', 'created_at'], doc),
    expiresAt: q.Select(['data', 'expires_at'], doc),
    invitedBy: q.Select(['data', 'invited_by', 'id'], doc, null),
    status: q.If(
      q.Select(['data', 'used'], doc),
      'used',
      q.If(q.Select(['data', 'revoked'], doc), 'revoked', q.If(isLive(doc), 'pending', 'expired')),
    ),
  } as unknown as Expr;
}

export type InviteResult = { readonly status: 'account_exists' } | { readonly status: 'created'; readonly invitation: InvitationRow };

export interface InvitationRow {
  readonly id: string;
  readonly email: string;
  readonly createdAt: faunadb.values.FaunaTime;
  readonly expiresAt: faunadb.values.FaunaTime;
  readonly invitedBy: string | null;
  readonly status: 'pending' | 'used' | 'revoked' | 'expired';
}

/**
 * Invites an address: an address that has an account gets nothing (the admin is told so); any
 * live invitation of the address is revoked, and a new one stored.
 */
export function inviteQuery(input: { inviter: Inviter; email: string; tokenHash: string; ttlSeconds: number }): Expr {
  const { email, inviter } = input;
  const expires = q.TimeAdd(q.Now(), input.ttlSeconds, 'seconds');
  const invitedBy = 'admin' in inviter ? q.Ref(q.Collection('accounts'), inviter.admin.accountId) : null;
  return asInviter(
    inviter,
    q.If(
      q.Exists(accountByEmail(email)),
      { status: 'account_exists' },
      q.Do(
        q.Foreach(
          q.Filter(invitationsOf(email), q.Lambda('doc', isLive(q.Var('doc')))),
          q.Lambda('doc', q.Update(q.Select('ref', q.Var('doc')), { data: { revoked: true, revoked_at: q.Now() } })),
        ),
        q.Let(
          {
            invitation: q.Create(q.Collection('invitations'), {
              data: { email, token_hash: input.tokenHash, created_at: q.Now(), expires_at: expires, invited_by: invitedBy, used: false, revoked: false },
              ttl: q.TimeAdd(expires, KEPT_AFTER_EXPIRY_SECONDS, 'seconds'),
            }),
          },
          q.Do(inviterEntry(inviter, 'invitation_sent', { invitation: q.Select(['ref', 'id'], q.Var('invitation')) }), {
            status: 'created',
            invitation: summaryOf(q.Var('invitation')),
          }),
        ),
      ),
    ),
  );
}

/** Forgets an invitation whose email could not be sent: nobody holds its link. */
export function forgetInvitationQuery(id: string): Expr {
  const ref = q.Ref(q.Collection('invitations'), id);
  return q.If(q.Exists(ref), q.Delete(ref), null);
}

/** Every invitation still kept, newest first. */
export function listInvitationsQuery(caller: AdminCaller): Expr {
  return whileAdmin(
    caller,
    q.Do(
      inviterEntry({ admin: caller }, 'invitations_listed', {}),
      q.Select('data', q.Map(q.Paginate(q.Documents(q.Collection('invitations')), { size: 1000 }), q.Lambda('ref', summaryOf(q.Get(q.Var('ref')))))),
    ),
  );
}

/** Revokes a pending invitation (its link stops working); an unknown one is not_found. */
export function revokeInvitationQuery(caller: AdminCaller, id: string): Expr {
  const ref = q.Ref(q.Collection('invitations'), id);
  const revoke = q.Do(
    q.Update(ref, { data: { revoked: true, revoked_at: q.Now() } }),
    inviterEntry({ admin: caller }, 'invitation_revoked', { invitation: id }),
  );
  return whileAdmin(
    caller,
    q.If(q.Exists(ref), q.Do(q.If(isLive(q.Get(ref)), revoke, null), summaryOf(q.Get(ref))), q.Abort('not_found')),
  );
}

/** The invitation a link names, checked: aborts invalid_token (unknown or revoked), expired_token or used_token. */
function checkedInvitation(tokenHash: string): Expr {
  return q.Let(
    { doc: getOrNull(q.Match(q.Index('invitations_by_hash'), tokenHash)) },
    q.If(
      q.Or(q.IsNull(q.Var('doc')), q.Select(['data', 'revoked'], q.Var('doc'))),
      q.Abort('invalid_token'),
      q.If(
        q.Select(['data', 'used'], q.Var('doc')),
        q.Abort('used_token'),
        q.If(q.GT(q.TimeDiff(q.Select(['data', 'expires_at'], q.Var('doc')), q.Now(), 'seconds'), 0), q.Abort('expired_token'), q.Var('doc')),
      ),
    ),
  );
}

/** What the invitation's page shows before anything is spent: the address it is for. */
export function invitationEmailQuery(tokenHash: string): Expr {
  return q.Select(['data', 'email'], checkedInvitation(tokenHash));
}

/**
 * Accepts an invitation: the account is created verified (the link proves the address), with the
 * chosen password or none (then the person logs in by magic link), the invitation is spent, and a
 * session starts. An address that got an account meanwhile answers account_exists.
 */
export function acceptInvitationQuery(input: {
  tokenHash: string;
  password: string | null;
  name: string | null;
  userAgent: string;
  refresh: NewRefreshToken;
  fingerprint: string;
  audit: AuditScope;
}): Expr {
  const email = q.Select(['data', 'email'], q.Var('invitation'));
  const params = {
    data: { email, email_verified: true, created_at: q.Now(), name: input.name, email_prefixes: emailPrefixes(email) },
    ...(input.password === null ? {} : { credentials: { password: input.password } }),
  };
  return q.Let(
    { invitation: checkedInvitation(input.tokenHash) },
    q.If(
      q.Exists(q.Match(q.Index('accounts_by_email'), email)),
      q.Abort('account_exists'),
      q.Let(
        { account: q.Create(q.Collection('accounts'), params) },
        q.Do(
          auditEntry(input.audit, { account: q.Select('ref', q.Var('account')), actor: SELF, event: 'register', detail: { method: 'invitation' } }),
          spendInvitation(q.Var('invitation'), q.Select('ref', q.Var('account')), input.audit),
          rememberDevice(q.Select('ref', q.Var('account')), input.fingerprint),
          {
            user: userOf(q.Var('account')),
            sessionId: startAuditedSession(q.Select('ref', q.Var('account')), input.userAgent, input.refresh, input.audit, 'login', { method: 'invitation' }),
          },
        ),
      ),
    ),
  );
}
