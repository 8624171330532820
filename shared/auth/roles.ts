/**
 * Roles and app metadata: what an admin or the server decides about an account, never the user.
 * Roles are plain strings kept on the account (`data.roles`); the access token carries them, so
 * a change shows at the session's next refresh, and at once to requireFreshSession.
 *
 * The first admin: an address in ADMIN_EMAILS gets the `admin` role, kept on the account, when it
 * starts or refreshes a session with a verified address (withConfiguredAdmin). Taking the address
 * out of ADMIN_EMAILS later takes nothing away (`npm run admin -- revoke` does).
 */

import { HttpError } from '../errors.ts';
import { runQuery } from '../fql/run-query.ts';
import type { User } from '../fql/sessions.ts';
import { SYSTEM, type Actor } from '../audit/audit.ts';
import { accountQuery, addRole, removeRole, setAppMetadataQuery, setRolesQuery, type AccountKey, type Audited, type FreshUser } from '../fql/users.ts';
import { checkMetadata } from './metadata.ts';
import { auditScope, type AuthContext } from './context.ts';

export const ADMIN_ROLE = 'admin';

/** Letters, digits and `_ . : -`, starting with a letter or digit: safe in a JWT, a URL and a log line. */
const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

export function checkRoleName(role: unknown): string {
  if (typeof role !== 'string' || !ROLE_NAME.test(role)) {
    throw new HttpError('invalid_body', { message: "A role is 1 to 64 letters, digits, '_', '.', ':' or '-', starting with a letter or digit." });
  }
  return role;
}

/** Changes by the server itself (npm run admin, ADMIN_EMAILS) are audited as the system's; the admin API passes its admin. */
function audited(ctx: AuthContext, actor: Actor): Audited {
  return { scope: auditScope(ctx), actor };
}

export async function grantRole(ctx: AuthContext, account: AccountKey, role: string, actor: Actor = SYSTEM): Promise<FreshUser> {
  return runQuery<FreshUser>(ctx.db, setRolesQuery(account, addRole(checkRoleName(role)), audited(ctx, actor)));
}

export async function revokeRole(ctx: AuthContext, account: AccountKey, role: string, actor: Actor = SYSTEM): Promise<FreshUser> {
  return runQuery<FreshUser>(ctx.db, setRolesQuery(account, removeRole(checkRoleName(role)), audited(ctx, actor)));
}

export async function setAppMetadata(ctx: AuthContext, account: AccountKey, metadata: unknown, actor: Actor = SYSTEM): Promise<FreshUser> {
  return runQuery<FreshUser>(ctx.db, setAppMetadataQuery(account, checkMetadata(metadata, 'appMetadata'), audited(ctx, actor)));
}

export async function accountOf(ctx: AuthContext, account: AccountKey): Promise<FreshUser> {
  return runQuery<FreshUser>(ctx.db, accountQuery(account));
}

/** Whether ADMIN_EMAILS names this user (who must have proved the address) and they lack the role. */
function owedAdmin(ctx: AuthContext, user: User): boolean {
  return user.emailVerified && ctx.config.adminEmails.includes(user.email.toLowerCase()) && !user.roles.includes(ADMIN_ROLE);
}

/**
 * A session that is starting or refreshing, with the admin role granted first where ADMIN_EMAILS
 * says so. Costs nothing (no query) for everyone else, and for an admin who already has the role.
 */
export async function withConfiguredAdmin<T extends { readonly user: User }>(ctx: AuthContext, result: T): Promise<T> {
  if (!owedAdmin(ctx, result.user)) return result;
  const fresh = await grantRole(ctx, { id: result.user.id }, ADMIN_ROLE);
  return { ...result, user: { ...result.user, roles: fresh.roles } };
}
