/**
 * What an auth operation needs from the world, passed in explicitly: the configuration, the
 * database, a way to send email, and randomness. The request context's factory builds it per
 * request (shared/endpoint.ts); tests build it with a fresh database and the local mailbox.
 */

import { UNKNOWN_REQUESTER, type AuditScope, type Requester } from '../audit/audit.ts';
import type { Config } from '../config.ts';
import type { Database } from '../fql/run-query.ts';

/** The security notices to the account's owner, each with a "this wasn't me" link (shared/auth/notices.ts). */
export type NoticeKind = 'notice_password_changed' | 'notice_password_reset' | 'notice_email_verified' | 'notice_token_reuse' | 'notice_new_device';

export type EmailKind = 'verify' | 'already_registered' | 'reset' | 'magic_login' | 'magic_signup' | 'invitation' | 'invitation_only' | NoticeKind;

export interface OutgoingEmail {
  readonly kind: EmailKind;
  readonly to: string;
  /** The secret for the link; only ever in the email, never stored. */
  readonly token?: string;
  /** What a new-device notice names: the browser and system, e.g. "Firefox on Linux". */
  readonly device?: string;
}

export interface AuthContext {
  readonly config: Config;
  readonly db: Database;
  /** Sends one email; throws HttpError('email_failed') when it cannot. */
  readonly sendEmail: (email: OutgoingEmail) => Promise<void>;
  /** A fresh secret of at least 32 random bytes, base64url. */
  readonly randomToken: () => string;
  /**
   * Lets work finish after the answer has gone (Netlify's `context.waitUntil`). Absent, such
   * work is awaited before answering, as tests do.
   */
  readonly afterAnswer?: (work: Promise<unknown>) => void;
  /** Who made the request, for the audit log (shared/audit); absent outside a request (npm run admin). */
  readonly requester?: Requester;
}

/** What the audit entries of this operation share: the requester and the retention. */
export function auditScope(ctx: AuthContext): AuditScope {
  return { requester: ctx.requester ?? UNKNOWN_REQUESTER, retentionDays: ctx.config.auditRetentionDays };
}
