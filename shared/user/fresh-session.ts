/**
 * requireFreshSession(req): for a sensitive action, the user as the database has them now. The
 * access token must be valid (requireUser), and its session still live: not logged out, revoked
 * or ended by a password reset. Roles and metadata are read now, so a role just taken away is
 * gone here at once (the token only catches up at its next refresh). One query.
 */

import { freshUser } from '../auth/account.ts';
import type { FreshUser } from '../fql/users.ts';
import { siteContext, type SiteContext } from './db.ts';
import { refusal, requireUser, type SiteUser } from './request-user.ts';

export type FreshSiteUser = SiteUser & FreshUser;

export async function requireFreshSession(req: Request, ctx?: SiteContext): Promise<FreshSiteUser> {
  const site = siteContext(req, ctx);
  const user = requireUser(req, site.config);
  try {
    const fresh = await freshUser(site.auth, { accountId: user.id, sessionId: user.sessionId });
    return { ...user, ...fresh };
  } catch (err) {
    throw refusal(err, req);
  }
}
