/** Small FQL pieces the auth queries share. */

import faunadb from 'faunadb';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

/** The API's user object, built from an account document. */
export function userOf(account: Expr): Expr {
  return {
    id: q.Select(['ref', 'id'], account),
    email: q.Select(['data', 'email'], account),
    emailVerified: q.Select(['data', 'email_verified'], account, false),
    name: q.Select(['data', 'name'], account, null),
  } as unknown as Expr;
}

/** The document behind a unique index match, or null. */
export function getOrNull(match: Expr): Expr {
  return q.Let({ m: match }, q.If(q.Exists(q.Var('m')), q.Get(q.Var('m')), null));
}

export function accountByEmail(email: string): Expr {
  return q.Match(q.Index('accounts_by_email'), email);
}

export function emailTokenByHash(hash: string): Expr {
  return q.Match(q.Index('email_tokens_by_hash'), hash);
}

/** Marks every session of an account revoked, except one (or none). */
export function revokeSessions(account: Expr, except: Expr | null): Expr {
  return q.Foreach(
    q.Paginate(q.Match(q.Index('sessions_by_account'), account), { size: 100_000 }),
    q.Lambda(
      'session',
      q.If(
        q.Or(q.Equals(q.Var('session'), except), q.Select(['data', 'revoked'], q.Get(q.Var('session')))),
        null,
        q.Update(q.Var('session'), { data: { revoked: true, revoked_at: q.Now() } }),
      ),
    ),
  );
}

/**
 * Spends every outstanding reset and magic login link of an account: once its password is new,
 * a link mailed before (to an inbox that may be the reason for the change) must not log in or
 * set another password.
 */
export function spendAccountLinks(account: Expr): Expr {
  return q.Foreach(
    q.Paginate(q.Match(q.Index('email_tokens_by_account'), account), { size: 100_000 }),
    q.Lambda(
      'link',
      q.Let(
        { doc: q.Get(q.Var('link')) },
        q.If(
          q.And(q.ContainsValue(q.Select(['data', 'kind'], q.Var('doc')), ['reset', 'magic_login']), q.Not(q.Select(['data', 'used'], q.Var('doc')))),
          q.Update(q.Var('link'), { data: { used: true } }),
          null,
        ),
      ),
    ),
  );
}

/**
 * Checks an emailed token document: aborts with invalid_token, expired_token or used_token,
 * the way the passwordless-login article's query answers invalid, expired or used.
 */
export function checkedEmailToken(token: Expr, kind: string, options: { readonly singleUse: boolean; readonly usedCode?: 'used_token' | 'invalid_token' }): Expr {
  return q.If(
    q.Or(q.IsNull(token), q.Not(q.Equals(q.Select(['data', 'kind'], token), kind))),
    q.Abort('invalid_token'),
    q.If(
      q.GT(q.TimeDiff(q.Select(['data', 'expires_at'], token), q.Now(), 'seconds'), 0),
      q.Abort('expired_token'),
      options.singleUse ? q.If(q.Select(['data', 'used'], token), q.Abort(options.usedCode ?? 'used_token'), token) : token,
    ),
  );
}
