/**
 * GET /admin/ — the admin console (shared/admin/page.ts, driving /api/admin/*), behind
 * requireRole('admin') (and the edge guard in front of it). A person is answered with pages: to
 * log in when nobody is, "not for your account" (403) when their token lacks the role.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import type { Config } from '../shared/config.ts';
import { CONTINUE_PATH } from '../shared/edge/session-guard.ts';
import { adminConsolePage } from '../shared/admin/page.ts';
import { endpoint } from '../shared/endpoint.ts';
import { seeOther } from '../shared/http.ts';
import { html } from '../shared/pages/html.ts';
import { sitePage } from '../shared/pages/layout.ts';
import { requireRole, type SiteUser } from '../shared/user/index.ts';

const ADMIN_PATH = '/admin/';

/** The admin, or the page to answer instead: requireRole's refusals are JSON, and a person is here. */
function adminOrPage(req: Request, config: Config): SiteUser | Response {
  try {
    return requireRole(req, 'admin', config);
  } catch (refused) {
    if (!(refused instanceof Response)) throw refused;
    if (refused.status === 401) return seeOther(`${config.siteUrl}${CONTINUE_PATH}?next=${encodeURIComponent(ADMIN_PATH)}`);
    return sitePage(config, 'Not for your account', html`<h1>Not for your account</h1><p>This page needs the admin role.</p>`, { status: 403 });
  }
}

export default endpoint({
  GET: (req, ctx) => {
    const user = adminOrPage(req, ctx.config);
    return user instanceof Response ? user : adminConsolePage(user);
  },
});

// Literal paths: Netlify reads this object without running the module.
export const config: FunctionConfig = { path: ['/admin', '/admin/'] };
