/** Forgotten, reset and changed passwords. Passwords are the engine's credentials: this code never hashes one. */

import { HttpError } from '../errors.ts';
import { changePasswordQuery, forgotPasswordQuery, resetPasswordQuery, type ChangeResult } from '../fql/passwords.ts';
import { runQuery } from '../fql/run-query.ts';
import { sha256 } from '../tokens.ts';
import { assertStrongPassword } from '../password-strength.ts';
import { checkPassword, passwordCandidates, stringField } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { emailLink, rateLimited } from './email-flow.ts';
import { noticeToken, sendNotice } from './notices.ts';
import type { Notice } from '../fql/notices.ts';

/** Always the same answer: only an address with an account gets a link. */
export async function forgotPassword(ctx: AuthContext, body: Readonly<Record<string, unknown>>, ip: string): Promise<void> {
  await emailLink(ctx, { email: body.email, ip }, ctx.config.resetTokenTtlSeconds, forgotPasswordQuery);
}

/** Spends the link, sets the password, and ends every session of the account. */
export async function resetPassword(ctx: AuthContext, body: Readonly<Record<string, unknown>>): Promise<void> {
  const token = stringField(body, 'token');
  const password = checkPassword(body.password, ctx.config);
  await assertStrongPassword(password);
  const notice = noticeToken(ctx);
  await sendNotice(
    ctx,
    await runQuery<Notice>(ctx.db, resetPasswordQuery({ tokenHash: sha256(token), password, notice: notice.stored, audit: auditScope(ctx) })),
    notice,
  );
}

/** Needs the current password (wrong guesses count like failed logins); ends every other session of the account. */
export async function changePassword(
  ctx: AuthContext,
  session: { readonly accountId: string; readonly sessionId: string },
  body: Readonly<Record<string, unknown>>,
): Promise<void> {
  const current = passwordCandidates(stringField(body, 'currentPassword', { maxLength: 4096 }));
  const next = checkPassword(body.newPassword, ctx.config);
  await assertStrongPassword(next);
  const notice = noticeToken(ctx);
  const result = await runQuery<ChangeResult>(
    ctx.db,
    changePasswordQuery({
      ...session,
      current,
      next,
      maxFailures: ctx.config.loginMaxFailures,
      failureWindowSeconds: ctx.config.loginFailureWindowSeconds,
      notice: notice.stored,
      audit: auditScope(ctx),
    }),
  );
  if (result.status === 'rate_limited') throw rateLimited(result.retryAfter, 'attempts');
  // 400, not 401 (docs/API.md, "Errors"): the session is fine, and a client treats a 401 as one to refresh.
  if (result.status === 'invalid') throw new HttpError('invalid_credentials', { message: 'The current password is not correct.', status: 400 });
  await sendNotice(ctx, result.notice, notice);
}
