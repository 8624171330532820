/**
 * Magic-link queries, after the passwordless-login article: one transaction decides between a
 * sign-up link (new address) and a login link (existing account); the login check answers
 * invalid, expired, used or the account, and spends the token in the same transaction.
 */

import faunadb from 'faunadb';
import { type AuditScope } from '../audit/audit.ts';
import { decoyEmailToken, newEmailToken, withEmailAllowance, type EmailTokenInput } from './accounts.ts';
import { liveInvitation, spendInvitation } from './invitations.ts';
import { accountByEmail, checkedEmailToken, emailPrefixes, emailTokenByHash, getOrNull, isDisabled, userOf } from './fragments.ts';
import { withHourlyAllowance, type EmailLimits } from './rate-limits.ts';
import { newDeviceNotice, rememberDevice } from './notices.ts';
import { startAuditedSession, type DeviceCheck, type NewRefreshToken } from './sessions.ts';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

export function ipKey(ip: string): string {
  return `magic_ip:${ip}`;
}

export function magicLinkQuery(input: {
  email: string;
  ip: string;
  ipLimitPerHour: number;
  login: EmailTokenInput;
  signup: EmailTokenInput;
  limits: EmailLimits;
  /** REGISTRATION=invite: a new address gets a sign-up link only with a live invitation. */
  inviteOnly: boolean;
}): Expr {
  return withHourlyAllowance(ipKey(input.ip), input.ipLimitPerHour, withEmailAllowance(input.email, input.limits, (event) => linkFor(input, event)));
}

/**
 * A sign-up link for a new address, a login link for an existing account. With invitations only,
 * a new address without one gets an "invitation only" email instead, with a token document all
 * the same (a decoy no link accepts): the answer, and the work behind it, are the same for an
 * invited address and any other, so they tell nobody who is invited.
 */
function linkFor(input: { email: string; login: EmailTokenInput; signup: EmailTokenInput; inviteOnly: boolean }, event: Expr): Expr {
  const { email } = input;
  const signup = q.Do(newEmailToken('magic_signup', email, null, input.signup), { status: 'send', event, kind: 'magic_signup' });
  const refused = q.Do(decoyEmailToken(input.signup, { readAccount: false }), { status: 'send', event, kind: 'invitation_only' });
  return q.Let(
    { account: getOrNull(accountByEmail(email)) },
    q.If(
      q.IsNull(q.Var('account')),
      input.inviteOnly ? q.If(q.IsNull(liveInvitation(email)), refused, signup) : signup,
      q.Do(newEmailToken('magic_login', email, q.Select('ref', q.Var('account')), input.login), { status: 'send', event, kind: 'magic_login' }),
    ),
  );
}

/**
 * Spends a login link: the account's address is proven, so it becomes verified; a session starts.
 * An account that was not verified yet loses its password: whoever registered it never proved the
 * address, and may not be its owner (who can set one through a reset link).
 */
export function magicLoginQuery(input: { tokenHash: string; userAgent: string; refresh: NewRefreshToken; device: DeviceCheck; audit: AuditScope }): Expr {
  const accountRef = q.Select(['data', 'account'], q.Var('token'));
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), 'magic_login', { singleUse: true }) },
    // A disabled account logs in by no path; the Abort leaves the link unspent.
    q.If(
      isDisabled(q.Get(accountRef)),
      q.Abort('account_disabled'),
      q.Let(
        {
          spent: q.Update(q.Select('ref', q.Var('token')), { data: { used: true } }),
          account: q.Update(
            accountRef,
            q.If(
              q.Select(['data', 'email_verified'], q.Get(accountRef), false),
              { data: { email_verified: true } },
              { data: { email_verified: true }, credentials: null },
            ),
          ),
        },
        {
          user: userOf(q.Var('account')),
          sessionId: startAuditedSession(q.Select('ref', q.Var('account')), input.userAgent, input.refresh, input.audit, 'magic_link_login'),
          notice: newDeviceNotice(q.Select('ref', q.Var('account')), input.device.fingerprint, input.device.notice),
        },
      ),
    ),
  );
}

/**
 * Completes a sign-up: the link stays valid until it expires, but the unique email index lets
 * only one account exist; a second completion answers account_exists. A live invitation of the
 * address is spent; with invitations only, there must be one (the place for the audit entry of
 * an invitation used).
 */
export function magicSignupQuery(input: {
  tokenHash: string;
  name: string;
  userAgent: string;
  refresh: NewRefreshToken;
  fingerprint: string;
  /** REGISTRATION=invite: the address must still have a live invitation (else Abort invitation_required). */
  inviteOnly: boolean;
  audit: AuditScope;
}): Expr {
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), 'magic_signup', { singleUse: false }) },
    q.Let(
      { email: q.Select(['data', 'email'], q.Var('token')) },
      q.If(
        q.Exists(q.Match(q.Index('accounts_by_email'), q.Var('email'))),
        q.Abort('account_exists'),
        q.Let(
          { invitation: liveInvitation(q.Var('email')) },
          q.If(
            input.inviteOnly ? q.IsNull(q.Var('invitation')) : false,
            q.Abort('invitation_required'),
            q.Let(
              {
                account: q.Create(q.Collection('accounts'), {
                  data: { email: q.Var('email'), email_verified: true, name: input.name, created_at: q.Now(), email_prefixes: emailPrefixes(q.Var('email')) },
                }),
              },
              // An invitation of the address is spent in either mode: it has done its work.
              q.Do(
                q.If(q.IsNull(q.Var('invitation')), null, spendInvitation(q.Var('invitation'), q.Select('ref', q.Var('account')), input.audit)),
                rememberDevice(q.Select('ref', q.Var('account')), input.fingerprint),
                {
                  user: userOf(q.Var('account')),
                  sessionId: startAuditedSession(q.Select('ref', q.Var('account')), input.userAgent, input.refresh, input.audit, 'register', {
                    method: 'magic_link',
                  }),
                },
              ),
            ),
          ),
        ),
      ),
    ),
  );
}
