/**
 * The admin API's wrapper: `endpoint()` (405, the same-origin check on writes, errors as the
 * envelope), and then, for every method, reads included, the same-origin check (each call writes
 * an audit entry) and requireRole('admin') on the access token (401 nobody, 403 not an admin).
 * The role is checked again in the database by every admin query (shared/fql/admin.ts).
 */

import { ADMIN_ROLE } from '../auth/roles.ts';
import { auditScope } from '../auth/context.ts';
import { endpoint, type Endpoint, type Handler, type Method, type RequestContext } from '../endpoint.ts';
import { HttpError } from '../errors.ts';
import type { AdminCaller } from '../fql/admin.ts';
import { assertSameOriginAnyMethod } from '../origin.ts';
import { requireRole } from '../user/index.ts';

export type AdminHandler = (req: Request, ctx: RequestContext, admin: AdminCaller) => Promise<Response>;

export function adminEndpoint(handlers: Readonly<Partial<Record<Method, AdminHandler>>>): Endpoint {
  const wrapped: Partial<Record<Method, Handler>> = {};
  for (const [method, handler] of Object.entries(handlers) as [Method, AdminHandler][]) {
    wrapped[method] = (req, ctx) => {
      assertSameOriginAnyMethod(req, ctx.config);
      const user = requireRole(req, ADMIN_ROLE, ctx.config);
      return handler(req, ctx, { accountId: user.id, sessionId: user.sessionId, role: ADMIN_ROLE, audit: auditScope(ctx.auth) });
    };
  }
  return endpoint(wrapped);
}

/** Engine document ids are digits; anything else names no account or session. */
const ID = /^[0-9]{1,30}$/;

/**
 * The `index`th id after /api/admin/accounts/ in the path (0: the account, 2: its session), read
 * from the path itself: netlify dev fills in no `context.params` for some functions.
 */
export function pathId(req: Request, index: 0 | 2): string {
  const parts = new URL(req.url).pathname.replace(/^\/api\/admin\/accounts\/?/, '').split('/');
  const id = parts[index] ?? '';
  if (!ID.test(id)) throw new HttpError('not_found');
  return id;
}
