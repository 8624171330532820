/**
 * The server API for the site's own functions: one import, typed.
 *
 *   import { requireUser, requireRole, requireFreshSession, db, userQuery } from '../shared/user/index.ts';
 *
 * See docs/SITE-FUNCTIONS.md. getUser/requireUser/requireRole read the access cookie or an
 * `Authorization: Bearer` header and touch no database; requireFreshSession asks the database
 * whether the session is still live; db(req) acts as the user, under the engine's roles.
 * The require* functions throw a Response (401 or 403, the API's error envelope): return it from
 * the function, or let `endpoint()` (shared/endpoint.ts) do so. Inside an endpoint, pass its
 * context: `requireUser(req, ctx.config)`, `requireFreshSession(req, ctx)`, `db(req, ctx)`.
 */

export { getUser, requireRole, requireUser, type SiteUser } from './request-user.ts';
export { requireFreshSession, type FreshSiteUser } from './fresh-session.ts';
export { db, userQuery, ENGINE_TOKEN_TTL_SECONDS, type SiteContext } from './db.ts';
export type { Metadata } from '../fql/users.ts';
