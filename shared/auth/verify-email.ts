/** POST /api/auth/verify and /verify/resend: proving an address, and asking for a new link. */

import { resendVerificationQuery, verifyEmailQuery } from '../fql/accounts.ts';
import { runQuery } from '../fql/run-query.ts';
import type { User } from '../fql/sessions.ts';
import { sha256 } from '../tokens.ts';
import { stringField } from '../validation.ts';
import type { AuthContext } from './context.ts';
import { emailLink } from './email-flow.ts';

/** Spends nothing but proves the address: the account becomes verified (a second click is harmless). */
export async function verifyEmail(ctx: AuthContext, body: Readonly<Record<string, unknown>>): Promise<User> {
  const token = stringField(body, 'token');
  return runQuery<User>(ctx.db, verifyEmailQuery(sha256(token)));
}

/** Always the same answer, whether or not the address has an unverified account. */
export async function resendVerification(ctx: AuthContext, body: Readonly<Record<string, unknown>>): Promise<void> {
  await emailLink(ctx, body.email, ctx.config.verifyTokenTtlSeconds, resendVerificationQuery);
}
