/**
 * Magic-link queries, after the passwordless-login article: one transaction decides between a
 * sign-up link (new address) and a login link (existing account); the login check answers
 * invalid, expired, used or the account, and spends the token in the same transaction.
 */

import faunadb from 'faunadb';
import { newEmailToken, withEmailAllowance, type EmailTokenInput } from './accounts.ts';
import { accountByEmail, checkedEmailToken, emailTokenByHash, getOrNull, userOf } from './fragments.ts';
import { withHourlyAllowance, type EmailLimits } from './rate-limits.ts';
import { newDeviceNotice, rememberDevice } from './notices.ts';
import { startSession, type DeviceCheck, type NewRefreshToken } from './sessions.ts';
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
}): Expr {
  return withHourlyAllowance(ipKey(input.ip), input.ipLimitPerHour, withEmailAllowance(input.email, input.limits, (event) => linkFor(input, event)));
}

/** A sign-up link for a new address, a login link for an existing account. */
function linkFor(input: { email: string; login: EmailTokenInput; signup: EmailTokenInput }, event: Expr): Expr {
  const { email } = input;
  return q.Let(
    { account: getOrNull(accountByEmail(email)) },
    q.If(
      q.IsNull(q.Var('account')),
      q.Do(newEmailToken('magic_signup', email, null, input.signup), { status: 'send', event, kind: 'magic_signup' }),
      q.Do(newEmailToken('magic_login', email, q.Select('ref', q.Var('account')), input.login), { status: 'send', event, kind: 'magic_login' }),
    ),
  );
}

/** What a link's page may show before anything is spent: the address it is for. */
export function magicTokenEmailQuery(tokenHash: string, kind: 'magic_login' | 'magic_signup'): Expr {
  return q.Select(['data', 'email'], checkedEmailToken(getOrNull(emailTokenByHash(tokenHash)), kind, { singleUse: kind === 'magic_login' }));
}

/**
 * Spends a login link: the account's address is proven, so it becomes verified; a session starts.
 * An account that was not verified yet loses its password: whoever registered it never proved the
 * address, and may not be its owner (who can set one through a reset link).
 */
export function magicLoginQuery(input: { tokenHash: string; userAgent: string; refresh: NewRefreshToken; device: DeviceCheck }): Expr {
  const accountRef = q.Select(['data', 'account'], q.Var('token'));
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), 'magic_login', { singleUse: true }) },
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
        sessionId: startSession(q.Select('ref', q.Var('account')), input.userAgent, input.refresh),
        notice: newDeviceNotice(q.Select('ref', q.Var('account')), input.device.fingerprint, input.device.notice),
      },
    ),
  );
}

/**
 * Completes a sign-up: the link stays valid until it expires, but the unique email index lets
 * only one account exist; a second completion answers account_exists.
 */
export function magicSignupQuery(input: { tokenHash: string; name: string; userAgent: string; refresh: NewRefreshToken; fingerprint: string }): Expr {
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), 'magic_signup', { singleUse: false }) },
    q.Let(
      { email: q.Select(['data', 'email'], q.Var('token')) },
      q.If(
        q.Exists(q.Match(q.Index('accounts_by_email'), q.Var('email'))),
        q.Abort('account_exists'),
        q.Let(
          { account: q.Create(q.Collection('accounts'), { data: { email: q.Var('email'), email_verified: true, name: input.name, created_at: q.Now() } }) },
          {
            user: userOf(q.Var('account')),
            sessionId: q.Do(rememberDevice(q.Select('ref', q.Var('account')), input.fingerprint), startSession(q.Select('ref', q.Var('account')), input.userAgent, input.refresh)),
          },
        ),
      ),
    ),
  );
}
