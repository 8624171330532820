/**
 * Security emails to an account's owner (issue 18, item 5): a password changed or reset, an
 * address verified, a refresh-token reuse, a login from a new browser and system. The query of
 * the action decides and stores the notice's "this wasn't me" token (shared/fql/notices.ts); this
 * sends the email, and spends the link when the owner presses its page's button.
 *
 * A notice never fails, nor slows, the action it reports: the action has committed by then, and
 * undoing it because a mail provider is down would be worse than a missing email. It is sent after
 * the answer where the platform allows (Netlify's waitUntil), and a failure is logged.
 */

import type { Config } from '../config.ts';
import { encodeQueryValue, TOKEN_LINK_PATHS } from '../email-templates.ts';
import type { EmailTokenInput } from '../fql/accounts.ts';
import { secureAccountQuery, type Notice } from '../fql/notices.ts';
import { runQuery } from '../fql/run-query.ts';
import type { DeviceCheck } from '../fql/sessions.ts';
import { sha256 } from '../tokens.ts';
import { stringField } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { deviceOf, type Device } from './device.ts';
import { linkPage } from './pages.ts';

export const SECURE_ACCOUNT_PATH = TOKEN_LINK_PATHS.secure_account;

/** A notice's secret, minted before the query that may store its hash. */
export interface NoticeToken {
  readonly token: string;
  readonly stored: EmailTokenInput;
}

export function noticeToken(ctx: AuthContext): NoticeToken {
  const token = ctx.randomToken();
  return { token, stored: { hash: sha256(token), ttlSeconds: ctx.config.securityLinkTtlSeconds } };
}

/** What a session start gives its query to tell a new device, and what sending the notice needs. */
export interface DeviceNotice {
  readonly device: Device;
  readonly token: NoticeToken;
  readonly check: DeviceCheck;
}

export function deviceNotice(ctx: AuthContext, userAgent: string): DeviceNotice {
  const device = deviceOf(userAgent);
  const token = noticeToken(ctx);
  return { device, token, check: { fingerprint: device.fingerprint, notice: token.stored } };
}

/** Sends the notice the query decided on (none: nothing), without ever failing the caller. */
export async function sendNotice(ctx: AuthContext, notice: Notice | null, token: NoticeToken, device?: Device): Promise<void> {
  if (notice === null) return;
  const send = (): Promise<void> =>
    ctx.sendEmail({ kind: notice.kind, to: notice.email, token: token.token, device: device?.label }).catch((err: unknown) => {
      console.error(`auth: a ${notice.kind} security email was not sent`, err);
    });
  if (ctx.afterAnswer) ctx.afterAnswer(send());
  else await send();
}

/**
 * "This wasn't me": every session ends, the password goes, and the answer is a reset link's secret
 * for the owner to choose a new password at once.
 */
export async function secureAccount(ctx: AuthContext, body: Readonly<Record<string, unknown>>): Promise<string> {
  const token = stringField(body, 'token');
  const reset = ctx.randomToken();
  await runQuery(
    ctx.db,
    secureAccountQuery({ tokenHash: sha256(token), reset: { hash: sha256(reset), ttlSeconds: ctx.config.resetTokenTtlSeconds }, audit: auditScope(ctx) }),
  );
  return reset;
}

/** The page a "this wasn't me" link opens: what pressing its button does, or why the link cannot be used. Nothing is spent. */
export function secureAccountPage(ctx: AuthContext, req: Request): Promise<Response> {
  return linkPage(ctx, req, 'secure_account', (email) => ({
    title: 'Secure your account',
    intro: `This logs out every session of ${email}, removes its password, and leads you to choose a new one.`,
    action: SECURE_ACCOUNT_PATH,
    button: 'Log out everywhere and choose a new password',
  }));
}

/** Where the owner chooses the new password after securing the account (the reset page, worded for it). */
export function securedResetUrl(config: Config, resetToken: string): string {
  return `${config.siteUrl}${TOKEN_LINK_PATHS.reset}?token=${encodeQueryValue(resetToken)}&secured=1`;
}
