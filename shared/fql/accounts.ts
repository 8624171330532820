/**
 * Account queries: registration, email verification, resending the verification email.
 * Each is one transaction; the rate limit on emails to an address is checked and recorded
 * inside it.
 */

import faunadb from 'faunadb';
import { auditEntry, SELF, type AuditScope } from '../audit/audit.ts';
import { accountByEmail, checkedEmailToken, emailPrefixes, emailTokenByHash, getOrNull, isDisabled, userOf } from './fragments.ts';
import { emailKey, emailWait, recordEvent, type EmailLimits } from './rate-limits.ts';
import type { Expr } from './run-query.ts';
import { rememberDevice, securityNotice } from './notices.ts';
import { startAuditedSession, TIMING_ACCOUNT_ID, type NewRefreshToken } from './sessions.ts';

const q = faunadb.query;

export interface EmailTokenInput {
  readonly hash: string;
  readonly ttlSeconds: number;
}

/** What a query that may send an email decided: `event` is the recorded email event, to undo if sending fails. */
export type EmailDecision =
  | { readonly status: 'rate_limited'; readonly retryAfter: number; readonly limit?: 'ip' }
  | { readonly status: 'no_email' }
  | { readonly status: 'send'; readonly event: faunadb.values.Ref; readonly kind: string };

export function newEmailToken(kind: string, email: string | Expr, account: Expr | null, token: EmailTokenInput): Expr {
  return q.Create(q.Collection('email_tokens'), {
    data: { kind, token_hash: token.hash, email, account, used: false, expires_at: q.TimeAdd(q.Now(), token.ttlSeconds, 'seconds') },
  });
}

/**
 * What forgot and resend write when they send nothing (no account, or nothing to confirm): a
 * token document like the one they would have mailed, on the timing account, of a kind no link
 * accepts. The same write on both paths keeps the time of the answer from telling whether the
 * address has an account (issue 19, item 9).
 */
export function decoyEmailToken(token: EmailTokenInput, options: { readonly readAccount: boolean }): Expr {
  const timing = q.Ref(q.Collection('accounts'), TIMING_ACCOUNT_ID);
  const create = q.Create(q.Collection('email_tokens'), {
    data: { kind: 'decoy', token_hash: token.hash, email: null, account: timing, used: true, expires_at: q.TimeAdd(q.Now(), token.ttlSeconds, 'seconds') },
  });
  // Where there was no account to read, the timing account is read instead.
  return options.readAccount ? q.Do(q.Get(timing), create) : create;
}

/** Sends nothing when the address is over its limit; otherwise records the email and runs `then`. */
export function withEmailAllowance(email: string, limits: EmailLimits, then: (event: Expr) => Expr): Expr {
  return q.Let(
    { wait: emailWait(email, limits) },
    q.If(
      q.GT(q.Var('wait'), 0),
      { status: 'rate_limited', retryAfter: q.Var('wait') },
      q.Let({ event: q.Select('ref', recordEvent(emailKey(email))) }, then(q.Var('event'))),
    ),
  );
}

/**
 * Registration: a new address gets an unverified account and a verification token; an
 * address that already has an account gets nothing written but the email event (the caller
 * sends "you already have an account"). Both answers look the same to the client, and both
 * cost one bcrypt.
 */
export function registerQuery(
  input: { email: string; password: string; bindingHash: string; token: EmailTokenInput; limits: EmailLimits; audit: AuditScope },
): Expr {
  const { email, password, bindingHash, token, limits } = input;
  return withEmailAllowance(email, limits, (event) =>
    q.If(
      q.Exists(accountByEmail(email)),
      // One bcrypt, as the Create below pays for hashing, so the time taken does not say which branch ran.
      q.Do(q.Identify(q.Ref(q.Collection('accounts'), TIMING_ACCOUNT_ID), password), { status: 'send', event, kind: 'already_registered' }),
      q.Let(
        {
          account: q.Create(q.Collection('accounts'), {
            data: { email, email_verified: false, created_at: q.Now(), signup_binding: bindingHash, email_prefixes: emailPrefixes(email) },
            credentials: { password },
          }),
        },
        q.Do(
          newEmailToken('verify', email, q.Select('ref', q.Var('account')), token),
          auditEntry(input.audit, { account: q.Select('ref', q.Var('account')), actor: SELF, event: 'register', detail: { method: 'password' } }),
          { status: 'send', event, kind: 'verify' },
        ),
      ),
    ));
}

/**
 * Verification: the token proves the address, so the account is marked verified. The link's
 * first use also starts a session (clicking it is as good a proof as a magic login link, and
 * people expect to arrive logged in); later uses only confirm again, so a forwarded or leaked
 * old link never logs anyone in. `sessionId` is null then.
 *
 * The password chosen at registration is kept only if the verification comes from the browser
 * that registered (its signup cookie, whose hash the account holds): then whoever chose it has
 * also proven the address. Otherwise anyone could have registered the address with a password of
 * their own, waiting for its owner to confirm it (a pre-account hijack, issue 19, item 3). So the
 * first verification of an account from any other browser confirms the address, drops the
 * password, starts no session, and mints a reset token (`passwordReset: true`), with which the
 * endpoint leads the owner to choose a password.
 */
export function verifyEmailQuery(input: {
  tokenHash: string;
  bindingHash: string | null;
  userAgent: string;
  refresh: NewRefreshToken;
  reset: EmailTokenInput;
  /** The browser's fingerprint, remembered when a session starts (shared/auth/device.ts). */
  fingerprint: string;
  /** The "email verified" notice's token, stored when this verification is the account's first. */
  notice: EmailTokenInput;
  audit: AuditScope;
}): Expr {
  const verifiedEntry = (passwordKept: boolean): Expr =>
    auditEntry(input.audit, { account: q.Select('ref', account), actor: SELF, event: 'verify', detail: { passwordKept } });
  const account = q.Var('account');
  // The notice goes out once, when the address becomes verified; a later use only confirms again.
  const notice = q.If(q.Select(['data', 'email_verified'], account), null, securityNotice(q.Select('ref', account), 'notice_email_verified', input.notice));
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), 'verify', { singleUse: false }) },
    q.Let(
      {
        firstUse: q.Not(q.Select(['data', 'used'], q.Var('token'))),
        account: q.Get(q.Select(['data', 'account'], q.Var('token'))),
        spent: q.Update(q.Select('ref', q.Var('token')), { data: { used: true } }),
        proven: q.Or(
          q.Select(['data', 'email_verified'], account),
          input.bindingHash === null ? false : q.Equals(q.Select(['data', 'signup_binding'], account, null), input.bindingHash),
        ),
      },
      q.If(
        q.Var('proven'),
        q.Let(
          { verified: q.Update(q.Select('ref', account), { data: { email_verified: true, signup_binding: null } }) },
          q.Do(verifiedEntry(true), {
            user: userOf(q.Var('verified')),
            // A disabled account is confirmed, but logged in by no path.
            sessionId: q.If(
              q.And(q.Var('firstUse'), q.Not(isDisabled(account))),
              q.Do(
                rememberDevice(q.Select('ref', account), input.fingerprint),
                startAuditedSession(q.Select('ref', account), input.userAgent, input.refresh, input.audit, 'login', { method: 'verify_link' }),
              ),
              null,
            ),
            passwordReset: false,
            notice,
          }),
        ),
        q.Let(
          { verified: q.Update(q.Select('ref', account), { data: { email_verified: true, signup_binding: null }, credentials: null }) },
          q.Do(newEmailToken('reset', q.Select(['data', 'email'], account), q.Select('ref', account), input.reset), verifiedEntry(false), {
            user: userOf(q.Var('verified')),
            sessionId: null,
            passwordReset: true,
            notice,
          }),
        ),
      ),
    ),
  );
}

/**
 * Resending: only an unverified account gets an email, but every address is limited alike, and
 * does the same work (no enumeration, not even by timing).
 */
export function resendVerificationQuery(input: { email: string; token: EmailTokenInput; limits: EmailLimits }): Expr {
  const { email, token, limits } = input;
  return withEmailAllowance(email, limits, (event) =>
    q.Let(
      { account: getOrNull(accountByEmail(email)) },
      q.If(
        q.IsNull(q.Var('account')),
        q.Do(decoyEmailToken(token, { readAccount: true }), { status: 'no_email' }),
        q.If(
          q.Select(['data', 'email_verified'], q.Var('account')),
          q.Do(decoyEmailToken(token, { readAccount: false }), { status: 'no_email' }),
          q.Do(newEmailToken('verify', email, q.Select('ref', q.Var('account')), token), { status: 'send', event, kind: 'verify' }),
        ),
      ),
    ));
}

/** Undoes the email event of a message that could not be sent, so trying again is not held back. */
export function forgetEmailEvent(event: faunadb.values.Ref): Expr {
  return q.If(q.Exists(event), q.Delete(event), null);
}
