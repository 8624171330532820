/** POST /api/auth/verify and /verify/resend: proving an address, and asking for a new link. */

import { resendVerificationQuery, verifyEmailQuery } from '../fql/accounts.ts';
import { runQuery } from '../fql/run-query.ts';
import type { User } from '../fql/sessions.ts';
import { sha256 } from '../tokens.ts';
import { stringField } from '../validation.ts';
import type { AuthContext } from './context.ts';
import { issueRefreshToken, type Established } from './sessions.ts';
import { emailLink } from './email-flow.ts';
import { withConfiguredAdmin } from './roles.ts';

/** A verified account, and the session its link's first use started (null on later uses). */
export interface Verified {
  readonly user: User;
  readonly session: Established | null;
}

/** Proves the address; the link's first use logs in too (see verifyEmailQuery). */
export async function verifyEmail(ctx: AuthContext, body: Readonly<Record<string, unknown>>, userAgent: string): Promise<Verified> {
  const token = stringField(body, 'token');
  const refresh = issueRefreshToken(ctx);
  const result = await runQuery<{ user: User; sessionId: string | null }>(ctx.db, verifyEmailQuery({ tokenHash: sha256(token), userAgent, refresh: refresh.stored }));
  if (result.sessionId === null) return { user: result.user, session: null };
  const session = await withConfiguredAdmin(ctx, { user: result.user, sessionId: result.sessionId, refreshJti: refresh.jti });
  return { user: session.user, session };
}

/** Always the same answer, whether or not the address has an unverified account. */
export async function resendVerification(ctx: AuthContext, body: Readonly<Record<string, unknown>>): Promise<void> {
  await emailLink(ctx, body.email, ctx.config.verifyTokenTtlSeconds, resendVerificationQuery);
}
