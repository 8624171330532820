/**
 * Passwordless login and sign-up by magic link. Asking for a link never tells the client
 * whether the address has an account (unless REVEAL_ACCOUNT_STATUS says to); the email does,
 * plainly, so someone who typed another address sees it there.
 */

import { HttpError } from '../errors.ts';
import type { EmailDecision } from '../fql/accounts.ts';
import { magicLinkQuery, magicLoginQuery, magicSignupQuery } from '../fql/magic.ts';
import { runQuery } from '../fql/run-query.ts';
import type { User } from '../fql/sessions.ts';
import { sha256 } from '../tokens.ts';
import { cleanName, normalizeEmail, stringField } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { deliver } from './email-flow.ts';
import { withConfiguredAdmin } from './roles.ts';
import { issueRefreshToken, type Established } from './sessions.ts';
import { deviceNotice, sendNotice } from './notices.ts';
import type { Notice } from '../fql/notices.ts';
import { deviceOf } from './device.ts';

export type LinkStatus = 'link_sent' | 'signup_link_sent' | 'login_link_sent';

/**
 * Sends a sign-up or a login link and answers the status to show: `link_sent`, or, with
 * REVEAL_ACCOUNT_STATUS, which kind was sent. A filled honeypot field gets `link_sent` and no
 * email, before anything else is looked at (a bot learns nothing, not even about its input).
 */
export async function requestMagicLink(ctx: AuthContext, body: Readonly<Record<string, unknown>>, ip: string): Promise<LinkStatus> {
  if (typeof body.website === 'string' && body.website.trim() !== '') return 'link_sent';
  const email = normalizeEmail(body.email);
  const token = ctx.randomToken();
  const hash = sha256(token);
  const decision = await runQuery<EmailDecision>(
    ctx.db,
    magicLinkQuery({
      email,
      ip,
      ipLimitPerHour: ctx.config.magicLinksPerIpPerHour,
      login: { hash, ttlSeconds: ctx.config.magicLoginTtlSeconds },
      signup: { hash, ttlSeconds: ctx.config.magicSignupTtlSeconds },
      limits: { perHour: ctx.config.emailsPerAddressPerHour, minIntervalSeconds: ctx.config.emailMinIntervalSeconds },
      inviteOnly: ctx.config.registration === 'invite',
    }),
  );
  await deliver(ctx, decision, email, token);
  if (!ctx.config.revealAccountStatus || decision.status !== 'send') return 'link_sent';
  // Told only where the operator chose to reveal account status: then invitations are no secret either.
  if (decision.kind === 'invitation_only') throw new HttpError('invitation_required');
  return decision.kind === 'magic_signup' ? 'signup_link_sent' : 'login_link_sent';
}

interface MagicSession {
  readonly user: User;
  readonly sessionId: string;
}

interface MagicLoginSession extends MagicSession {
  readonly notice: Notice | null;
}

export async function magicLogin(ctx: AuthContext, body: Readonly<Record<string, unknown>>, userAgent: string): Promise<Established> {
  const token = stringField(body, 'token');
  const refresh = issueRefreshToken(ctx);
  const device = deviceNotice(ctx, userAgent);
  const { notice, ...session } = await runQuery<MagicLoginSession>(
    ctx.db,
    magicLoginQuery({ tokenHash: sha256(token), userAgent, refresh: refresh.stored, device: device.check, audit: auditScope(ctx) }),
  );
  await sendNotice(ctx, notice, device.token, device.device);
  return withConfiguredAdmin(ctx, { ...session, refreshJti: refresh.jti });
}

export async function magicSignup(ctx: AuthContext, body: Readonly<Record<string, unknown>>, userAgent: string): Promise<Established> {
  const token = stringField(body, 'token');
  const name = cleanName(stringField(body, 'name', { maxLength: 200 }));
  if (name.length === 0) throw new HttpError('invalid_body', { message: "'name' must not be blank." });
  const refresh = issueRefreshToken(ctx);
  const session = await runQuery<MagicSession>(
    ctx.db,
    magicSignupQuery({
      tokenHash: sha256(token),
      name,
      userAgent,
      refresh: refresh.stored,
      fingerprint: deviceOf(userAgent).fingerprint,
      inviteOnly: ctx.config.registration === 'invite',
      audit: auditScope(ctx),
    }),
    { onNotUnique: 'account_exists' },
  );
  return withConfiguredAdmin(ctx, { ...session, refreshJti: refresh.jti });
}
