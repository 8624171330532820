/**
 * GET /admin/ — the demo's admin-only page, behind requireRole('admin') (and the edge guard in
 * front of it). A person is answered with pages: to log in when nobody is, "not for your
 * account" (403) when their token lacks the role.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import type { Config } from '../shared/config.ts';
import { CONTINUE_PATH } from '../shared/edge/session-guard.ts';
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
    if (user instanceof Response) return user;
    return sitePage(
      ctx.config,
      'Admin',
      html`<h1>Admin</h1><p id="admin-whoami">Logged in as <strong>${user.email}</strong>, with the roles ${user.roles.join(', ')}.</p>
<p>Only accounts with the admin role see this page. Grant it with <code>npm run admin -- grant someone@example.com admin</code>; it shows at their next refresh.</p>
<p><a href="/app/">Your notes</a> · <a href="/">The site</a></p>`,
    );
  },
});

// Literal paths: Netlify reads this object without running the module.
export const config: FunctionConfig = { path: ['/admin', '/admin/'] };
