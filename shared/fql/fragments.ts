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
    roles: q.Select(['data', 'roles'], account, []),
  } as unknown as Expr;
}

/** The document behind a unique index match, or null. */
export function getOrNull(match: Expr): Expr {
  return q.Let({ m: match }, q.If(q.Exists(q.Var('m')), q.Get(q.Var('m')), null));
}

/** Whether an account document is disabled by an admin (it can then start no session by any path). */
export function isDisabled(account: Expr): Expr {
  return q.Select(['data', 'disabled'], account, false);
}

/**
 * The longest prefix the admin search indexes; a longer one is matched on its first 12 characters,
 * then filtered. Each prefix is one index entry written with the account: 12 keep registration cheap
 * and already narrow a search to a handful of accounts.
 */
export const SEARCH_PREFIX_MAX = 12;

/**
 * What every account keeps for the admin search (index accounts_by_email_prefix): each prefix of
 * its address up to SEARCH_PREFIX_MAX characters, the empty one included (the whole list).
 */
export function emailPrefixes(email: string | Expr): Expr | string[] {
  if (typeof email === 'string') {
    const cut = Array.from(email).slice(0, SEARCH_PREFIX_MAX);
    return cut.map((_, i) => cut.slice(0, i).join('')).concat(cut.join(''));
  }
  const lengths = Array.from({ length: SEARCH_PREFIX_MAX + 1 }, (_, i) => i);
  return q.Distinct(q.Map(lengths, q.Lambda('n', q.SubString(email, 0, q.Min(q.Var('n'), q.Length(email))))));
}

export function accountByEmail(email: string): Expr {
  return q.Match(q.Index('accounts_by_email'), email);
}

export function emailTokenByHash(hash: string): Expr {
  return q.Match(q.Index('email_tokens_by_hash'), hash);
}

/**
 * Ends a session: deletes it (its refresh tokens then answer invalid, and expire on their own),
 * and the engine tokens made for it (shared/user/db.ts), so that a site function's database
 * client dies with the session, not only its JWTs. Deleted rather than marked, so that a
 * session's work does not grow with its account's past. `tokens`: the page of them, when the
 * query read it already (see sessionEngineTokens).
 */
export function endSession(session: Expr, tokens: Expr = sessionEngineTokens(session)): Expr {
  return q.Do(q.Delete(session), q.Foreach(tokens, q.Lambda('token', q.Delete(q.Var('token')))));
}

/**
 * The page of a session's engine tokens that endSession deletes. A query that ends one known
 * session binds it at its top, before any write: the engine then reads it with the query's first
 * reads, where after the session's Delete it would cost a round trip of its own (a Delete makes
 * the transaction forget what it read of indexes, and a page this large is not read on speculation).
 */
export function sessionEngineTokens(session: Expr): Expr {
  return q.Paginate(q.Match(q.Index('tokens_by_session'), session), { size: 100_000 });
}

/**
 * Ends every session of an account, except one (or none). `sessions`: their documents, when the
 * query read them already (see accountSessions).
 */
export function revokeSessions(account: Expr, except: Expr | null, sessions: Expr = accountSessions(account)): Expr {
  return q.Foreach(
    sessions,
    q.Lambda(
      'session',
      q.If(
        q.Or(q.Equals(q.Select('ref', q.Var('session')), except), q.Select(['data', 'revoked'], q.Var('session'), false)),
        null,
        endSession(q.Select('ref', q.Var('session'))),
      ),
    ),
  );
}

/**
 * Every session document of an account, read with the index page in one statement (the engine
 * does so for a Map whose lambda reads documents). A query that ends them all can bind it at its
 * top: the documents are then in hand before anything else is read, its caller's session among them.
 */
export function accountSessions(account: Expr): Expr {
  const page = q.Paginate(q.Match(q.Index('sessions_by_account'), account), { size: 100_000 });
  return q.Select('data', q.Map(page, q.Lambda('ref', q.Get(q.Var('ref')))));
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
export function checkedEmailToken(
  token: Expr,
  kind: string,
  options: { readonly singleUse: boolean; readonly usedCode?: 'used_token' | 'invalid_token' },
): Expr {
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
