/** POST /api/auth/verify and /verify/resend: proving an address, and asking for a new link. */

import { resendVerificationQuery, verifyEmailQuery } from '../fql/accounts.ts';
import { runQuery } from '../fql/run-query.ts';
import type { User } from '../fql/sessions.ts';
import { sha256 } from '../tokens.ts';
import { stringField } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { issueRefreshToken, type Established } from './sessions.ts';
import { emailLink } from './email-flow.ts';
import { withConfiguredAdmin } from './roles.ts';
import { deviceOf } from './device.ts';
import { noticeToken, sendNotice } from './notices.ts';
import type { Notice } from '../fql/notices.ts';

/**
 * A verified account, and the session its link's first use started (null on later uses, and
 * when the password was dropped). `resetToken` is set when the password was dropped: a reset
 * link's secret, for the endpoint to lead the owner to choose one.
 */
export interface Verified {
  readonly user: User;
  readonly session: Established | null;
  readonly resetToken: string | null;
}

/**
 * Proves the address; the link's first use logs in too, and keeps the password only when
 * `binding` (the request's signup cookie) is the one its registration set (see verifyEmailQuery).
 */
export async function verifyEmail(
  ctx: AuthContext,
  body: Readonly<Record<string, unknown>>,
  userAgent: string,
  binding: string | undefined,
): Promise<Verified> {
  const token = stringField(body, 'token');
  const refresh = issueRefreshToken(ctx);
  const resetToken = ctx.randomToken();
  const notice = noticeToken(ctx);
  const result = await runQuery<{ user: User; sessionId: string | null; passwordReset: boolean; notice: Notice | null }>(
    ctx.db,
    verifyEmailQuery({
      tokenHash: sha256(token),
      bindingHash: binding === undefined ? null : sha256(binding),
      userAgent,
      refresh: refresh.stored,
      reset: { hash: sha256(resetToken), ttlSeconds: ctx.config.resetTokenTtlSeconds },
      fingerprint: deviceOf(userAgent).fingerprint,
      notice: notice.stored,
      audit: auditScope(ctx),
    }),
  );
  await sendNotice(ctx, result.notice, notice);
  const resetTokenOut = result.passwordReset ? resetToken : null;
  if (result.sessionId === null) return { user: result.user, session: null, resetToken: resetTokenOut };
  const session = await withConfiguredAdmin(ctx, { user: result.user, sessionId: result.sessionId, refreshJti: refresh.jti });
  return { user: session.user, session, resetToken: resetTokenOut };
}

/** Always the same answer, whether or not the address has an unverified account. */
export async function resendVerification(ctx: AuthContext, body: Readonly<Record<string, unknown>>, ip: string): Promise<void> {
  await emailLink(ctx, { email: body.email, ip }, ctx.config.verifyTokenTtlSeconds, resendVerificationQuery);
}
