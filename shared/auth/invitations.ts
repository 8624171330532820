/**
 * Invitations (issue 18, item 4): an admin invites an address; its owner gets a link that makes
 * the account, verified, with a password or without one (then they log in by magic link). The
 * link works once and expires (INVITATION_TTL_HOURS); only its SHA-256 is stored. Inviting an
 * address that has an account answers 409 account_exists, to the admin only.
 */

import faunadb from 'faunadb';
import { HttpError } from '../errors.ts';
import type { AdminCaller } from '../fql/admin.ts';
import {
  acceptInvitationQuery,
  forgetInvitationQuery,
  inviteQuery,
  listInvitationsQuery,
  revokeInvitationQuery,
  type InvitationRow,
  type InviteResult,
} from '../fql/invitations.ts';
import { runQuery } from '../fql/run-query.ts';
import type { User } from '../fql/sessions.ts';
import { assertStrongPassword } from '../password-strength.ts';
import { sha256 } from '../tokens.ts';
import { checkPassword, cleanName, normalizeEmail, stringField } from '../validation.ts';
import { auditScope, type AuthContext } from './context.ts';
import { deviceOf } from './device.ts';
import { linkPage } from './pages.ts';
import { withConfiguredAdmin } from './roles.ts';
import { issueRefreshToken, type Established } from './sessions.ts';

export const INVITATION_PATH = '/api/auth/invitation';

/** An invitation as the admin API answers it. */
export interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly status: InvitationRow['status'];
  readonly createdAt: string;
  readonly expiresAt: string;
  /** The inviting admin's account id; null when `npm run admin -- invite` sent it. */
  readonly invitedBy: string | null;
}

function invitationOf(row: InvitationRow): Invitation {
  return { ...row, createdAt: isoOf(row.createdAt), expiresAt: isoOf(row.expiresAt) };
}

function isoOf(time: faunadb.values.FaunaTime): string {
  return time.date.toISOString();
}

/**
 * Invites an address and emails it the link. `caller` null: the operator's command line (its
 * audit entry's actor is 'system'). The email goes before the answer: the admin is told if it
 * failed (502 email_failed), and then the invitation is forgotten, since nobody holds its link.
 */
export async function invite(ctx: AuthContext, caller: AdminCaller | null, body: Readonly<Record<string, unknown>>): Promise<Invitation> {
  const email = normalizeEmail(body.email);
  const token = ctx.randomToken();
  const result = await runQuery<InviteResult>(
    ctx.db,
    inviteQuery({
      inviter: caller === null ? { operator: auditScope(ctx) } : { admin: caller },
      email,
      tokenHash: sha256(token),
      ttlSeconds: ctx.config.invitationTtlSeconds,
    }),
  );
  if (result.status === 'account_exists') throw new HttpError('account_exists');
  try {
    await ctx.sendEmail({ kind: 'invitation', to: email, token });
  } catch (err) {
    await runQuery(ctx.db, forgetInvitationQuery(result.invitation.id)).catch((cleanup: unknown) =>
      console.error('auth: could not forget an unsent invitation', cleanup)
    );
    throw err instanceof HttpError ? err : new HttpError('email_failed');
  }
  return invitationOf(result.invitation);
}

/** Every invitation kept (pending, used, revoked, expired within the last week), newest first. */
export async function listInvitations(ctx: AuthContext, caller: AdminCaller): Promise<Invitation[]> {
  const rows = await runQuery<InvitationRow[]>(ctx.db, listInvitationsQuery(caller));
  return rows.map(invitationOf).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Revokes a pending invitation; one already used, revoked or expired is answered as it is. */
export async function revokeInvitation(ctx: AuthContext, caller: AdminCaller, id: string): Promise<Invitation> {
  // Document ids are digits: anything else cannot name one, and must not reach Ref().
  if (!/^\d{1,30}$/.test(id)) throw new HttpError('not_found');
  return invitationOf(await runQuery<InvitationRow>(ctx.db, revokeInvitationQuery(caller, id)));
}

/**
 * Accepts an invitation: with `password`, an account that logs in with it; without, a
 * passwordless one (a `name` is then asked, as magic sign-up asks). Either way verified and
 * logged in.
 */
export async function acceptInvitation(ctx: AuthContext, body: Readonly<Record<string, unknown>>, userAgent: string): Promise<Established> {
  const token = stringField(body, 'token');
  const password = body.password === undefined ? null : checkPassword(body.password, ctx.config);
  if (password !== null) await assertStrongPassword(password);
  const name = password === null || body.name !== undefined ? nameOf(body) : null;
  const refresh = issueRefreshToken(ctx);
  const session = await runQuery<{ user: User; sessionId: string }>(
    ctx.db,
    acceptInvitationQuery({
      tokenHash: sha256(token),
      password,
      name,
      userAgent,
      refresh: refresh.stored,
      fingerprint: deviceOf(userAgent).fingerprint,
      audit: auditScope(ctx),
    }),
    { onNotUnique: 'account_exists' },
  );
  return withConfiguredAdmin(ctx, { ...session, refreshJti: refresh.jti });
}

function nameOf(body: Readonly<Record<string, unknown>>): string {
  const name = cleanName(stringField(body, 'name', { maxLength: 200 }));
  if (name.length === 0) throw new HttpError('invalid_body', { message: "'name' must not be blank." });
  return name;
}

/**
 * The page the invitation opens, for the address it names: a password to choose, or (`via=link`)
 * a name and no password. Nothing is spent; a link that cannot be used gets a page saying why.
 */
export function invitationPage(ctx: AuthContext, req: Request): Promise<Response> {
  const passwordless = new URL(req.url).searchParams.get('via') === 'link';
  return linkPage(ctx, req, 'invitation', (email) => ({
    title: 'Create your account',
    intro: passwordless
      ? `Your account will be for ${email}, without a password: you log in with a link sent to this address.`
      : `Your account will be for ${email}. Choose the password you will log in with.`,
    action: INVITATION_PATH,
    button: 'Create my account',
    ...(passwordless
      ? { textField: { name: 'name', label: 'Your name' } }
      : { passwordField: { name: 'password', label: 'Password', minLength: ctx.config.passwordMinLength } }),
  }));
}
