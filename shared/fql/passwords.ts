/** Password queries: asking for a reset link, resetting with it, and changing a password. */

import faunadb from 'faunadb';
import { auditEntry, SELF, type AuditScope } from '../audit/audit.ts';
import { decoyEmailToken, newEmailToken, withEmailAllowance, type EmailTokenInput } from './accounts.ts';
import { accountByEmail, checkedEmailToken, emailTokenByHash, getOrNull, revokeSessions, spendAccountLinks } from './fragments.ts';
import { passwordChangeFailureKey, recordEvent, windowWait, type EmailLimits } from './rate-limits.ts';
import type { Expr } from './run-query.ts';
import { securityNotice, type Notice } from './notices.ts';
import { identifyAny, whileSessionLive } from './sessions.ts';

const q = faunadb.query;

/** Every address is limited alike and does the same work; only one with an account gets a reset link. */
export function forgotPasswordQuery(input: { email: string; token: EmailTokenInput; limits: EmailLimits }): Expr {
  const { email, token, limits } = input;
  return withEmailAllowance(email, limits, (event) =>
    q.Let(
      { account: getOrNull(accountByEmail(email)) },
      q.If(
        q.IsNull(q.Var('account')),
        q.Do(decoyEmailToken(token, { readAccount: true }), { status: 'no_email' }),
        q.Do(newEmailToken('reset', email, q.Select('ref', q.Var('account')), token), { status: 'send', event, kind: 'reset' }),
      ),
    ));
}

/**
 * A reset spends its token (and every other outstanding reset and magic login link), sets the
 * new password and revokes every session of the account. The link proves the address, so an
 * unverified account becomes verified.
 */
export function resetPasswordQuery(input: { tokenHash: string; password: string; notice: EmailTokenInput; audit: AuditScope }): Expr {
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), 'reset', { singleUse: true, usedCode: 'invalid_token' }) },
    q.Let(
      { account: q.Select(['data', 'account'], q.Var('token')) },
      q.Do(
        q.Update(q.Select('ref', q.Var('token')), { data: { used: true } }),
        q.Update(q.Var('account'), { data: { email_verified: true }, credentials: { password: input.password } }),
        spendAccountLinks(q.Var('account')),
        revokeSessions(q.Var('account'), null),
        auditEntry(input.audit, { account: q.Var('account'), actor: SELF, event: 'password_reset' }),
        securityNotice(q.Var('account'), 'notice_password_reset', input.notice),
      ),
    ),
  );
}

export type ChangeResult = { readonly status: 'changed'; readonly notice: Notice } | { readonly status: 'invalid' } | {
  readonly status: 'rate_limited';
  readonly retryAfter: number;
};

/**
 * A change needs the current password, revokes every other session and spends every outstanding
 * reset and magic login link. Wrong current passwords
 * are counted per account like failed logins, so a stolen session cannot guess its way to the
 * password; the failure is recorded in the same transaction (an answer, not an Abort, keeps it).
 */
export function changePasswordQuery(input: {
  accountId: string;
  sessionId: string;
  /** The forms of the current password to try (see passwordCandidates). */
  current: readonly string[];
  next: string;
  maxFailures: number;
  failureWindowSeconds: number;
  notice: EmailTokenInput;
  audit: AuditScope;
}): Expr {
  const account = q.Ref(q.Collection('accounts'), input.accountId);
  const key = passwordChangeFailureKey(input.accountId);
  return whileSessionLive(
    input,
    q.Let(
      { wait: windowWait(key, input.failureWindowSeconds, input.maxFailures) },
      q.If(
        q.GT(q.Var('wait'), 0),
        { status: 'rate_limited', retryAfter: q.Var('wait') },
        q.If(
          q.Not(identifyAny(account, input.current)),
          q.Do(recordEvent(key), { status: 'invalid' }),
          q.Do(
            q.Update(account, { credentials: { password: input.next } }),
            spendAccountLinks(account),
            revokeSessions(account, q.Ref(q.Collection('sessions'), input.sessionId)),
            auditEntry(input.audit, { account, actor: SELF, event: 'password_change', session: q.Ref(q.Collection('sessions'), input.sessionId) }),
            { status: 'changed', notice: securityNotice(account, 'notice_password_changed', input.notice) },
          ),
        ),
      ),
    ),
  );
}
