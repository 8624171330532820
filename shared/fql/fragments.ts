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

/** Ends (deletes) every session of an account, except one (or none). Its refresh tokens then answer invalid. */
export function revokeSessions(account: Expr, except: Expr | null): Expr {
  return q.Foreach(
    q.Paginate(q.Match(q.Index('sessions_by_account'), account), { size: 100_000 }),
    q.Lambda('session', q.If(q.Equals(q.Var('session'), except), null, q.Delete(q.Var('session')))),
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
