/**
 * Security notices, as FQL pieces composed into the query of the action they report (a password
 * change, a reset, a verification, a refresh-token reuse, a login from a new device): the "this
 * wasn't me" token is stored in the same transaction as the action, so a notice exists exactly
 * when the action committed. The token is an `email_tokens` document of kind `secure_account`
 * (only its SHA-256), single use; `secureAccountQuery` spends it.
 */

import faunadb from 'faunadb';
import { auditEntry, SELF, type AuditScope } from '../audit/audit.ts';
import type { NoticeKind } from '../auth/context.ts';
import { newEmailToken, type EmailTokenInput } from './accounts.ts';
import { checkedEmailToken, emailTokenByHash, getOrNull, revokeSessions, spendAccountLinks } from './fragments.ts';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

/** The kind of email token a "this wasn't me" link carries. */
export const SECURE_ACCOUNT_TOKEN = 'secure_account';

/** How many browser-and-system fingerprints an account remembers (the newest). */
export const MAX_SEEN_DEVICES = 20;

/** A notice a query decided to send: its kind, and the address it goes to. */
export interface Notice {
  readonly kind: NoticeKind;
  readonly email: string;
}

/** Stores the notice's "this wasn't me" token for the account (a ref) and answers the Notice. */
export function securityNotice(account: Expr, kind: NoticeKind, token: EmailTokenInput): Expr {
  return q.Let(
    { email: q.Select(['data', 'email'], q.Get(account)) },
    q.Do(newEmailToken(SECURE_ACCOUNT_TOKEN, q.Var('email'), account, token), { kind, email: q.Var('email') }),
  );
}

/** Adds a device fingerprint to the account's seen ones (newest first, at most MAX_SEEN_DEVICES); writes nothing if it is known. */
export function rememberDevice(account: Expr, fingerprint: string): Expr {
  return q.Let(
    { seen: q.Select(['data', 'seen_devices'], q.Get(account), []) },
    q.If(
      q.ContainsValue(fingerprint, q.Var('seen')),
      null,
      q.Update(account, { data: { seen_devices: q.Prepend([fingerprint], q.Take(MAX_SEEN_DEVICES - 1, q.Var('seen'))) } }),
    ),
  );
}

/**
 * At a login: remembers the device, and answers a new-device Notice when the account had seen
 * others before but not this one (an account's first login, or the first since this was added,
 * only starts the list). Null otherwise.
 */
export function newDeviceNotice(account: Expr, fingerprint: string, token: EmailTokenInput): Expr {
  return q.Let(
    { seen: q.Select(['data', 'seen_devices'], q.Get(account), []) },
    q.Let(
      { isNew: q.And(q.GT(q.Count(q.Var('seen')), 0), q.Not(q.ContainsValue(fingerprint, q.Var('seen')))) },
      q.Do(rememberDevice(account, fingerprint), q.If(q.Var('isNew'), securityNotice(account, 'notice_new_device', token), null)),
    ),
  );
}

/**
 * "This wasn't me": spends the link, ends every session of the account, removes its password
 * (whoever changed it, or logged in, may know it), spends every outstanding reset and magic login
 * link, and mints the reset link the answer leads to. One transaction: either all of it or none.
 * Its audit entry (secure_account, actor self) is written in the same transaction.
 */
export function secureAccountQuery(input: { tokenHash: string; reset: EmailTokenInput; audit: AuditScope }): Expr {
  return q.Let(
    { token: checkedEmailToken(getOrNull(emailTokenByHash(input.tokenHash)), SECURE_ACCOUNT_TOKEN, { singleUse: true }) },
    q.Let(
      { account: q.Select(['data', 'account'], q.Var('token')) },
      q.Do(
        q.Update(q.Select('ref', q.Var('token')), { data: { used: true } }),
        q.Update(q.Var('account'), { credentials: null }),
        spendAccountLinks(q.Var('account')),
        revokeSessions(q.Var('account'), null),
        newEmailToken('reset', q.Select(['data', 'email'], q.Get(q.Var('account'))), q.Var('account'), input.reset),
        auditEntry(input.audit, { account: q.Var('account'), actor: SELF, event: 'secure_account' }),
        true,
      ),
    ),
  );
}
