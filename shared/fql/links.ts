/** What a link's page may learn before anything is spent: whether the link works, and for which address. */

import faunadb from 'faunadb';
import type { LinkKind } from '../pages/error-page.ts';
import { checkedEmailToken, emailTokenByHash, getOrNull } from './fragments.ts';
import { invitationEmailQuery } from './invitations.ts';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

/**
 * The address of a link that can still be used, or an Abort with why not (invalid_token,
 * expired_token, used_token; account_exists for a sign-up link whose address has an account by
 * now). Verification and sign-up links may be used again; reset, login and "this wasn't me" links
 * once. An invitation is its own document (shared/fql/invitations.ts).
 */
export function linkEmailQuery(tokenHash: string, kind: LinkKind): Expr {
  if (kind === 'invitation') return invitationEmailQuery(tokenHash);
  const singleUse = kind === 'reset' || kind === 'magic_login' || kind === 'secure_account';
  const token = checkedEmailToken(getOrNull(emailTokenByHash(tokenHash)), kind, { singleUse });
  const email = q.Select(['data', 'email'], token);
  if (kind !== 'magic_signup') return email;
  return q.Let({ email }, q.If(q.Exists(q.Match(q.Index('accounts_by_email'), q.Var('email'))), q.Abort('account_exists'), q.Var('email')));
}
