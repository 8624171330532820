/**
 * The edge guard: protects whole paths of the static site (netlify.toml mounts it on /app/* and
 * /admin/*). A request with a valid access cookie goes on (for /admin/, only with the admin
 * role); one without is sent to /api/auth/refresh/continue, which refreshes the session and comes
 * back, or goes on to the login page. The logic is shared/edge/session-guard.ts (Web APIs only).
 */

import { accessCookieName, secureCookiesFor } from '../../shared/cookie-names.ts';
import {
  decide,
  forbiddenResponse,
  GuardConfigError,
  guardSettings,
  misconfiguredResponse,
  privatePage,
  redirectResponse,
  type GuardSettings,
} from '../../shared/edge/session-guard.ts';

/** What this function reads of Netlify's edge Context. */
interface EdgeContext {
  next(): Promise<Response>;
  readonly cookies: { get(name: string): string | undefined };
  readonly site: { readonly url?: string };
}

/** Netlify's global in the edge runtime: the site's environment variables. */
function env(name: string): string | undefined {
  const netlify = (globalThis as { Netlify?: { env: { get(name: string): string | undefined } } }).Netlify;
  return netlify?.env.get(name);
}

export default async function authGuard(req: Request, context: EdgeContext): Promise<Response> {
  let settings: GuardSettings;
  try {
    settings = guardSettings(env, context.site.url ?? new URL(req.url).origin);
  } catch (err) {
    if (!(err instanceof GuardConfigError)) throw err;
    console.error(`auth-guard: ${err.message}`);
    return misconfiguredResponse();
  }
  const token = context.cookies.get(accessCookieName({ secureCookies: secureCookiesFor(settings.issuer) })) || undefined;
  const decision = await decide(new URL(req.url), token, settings);
  if (decision.kind === 'redirect') return redirectResponse(decision.location);
  if (decision.kind === 'forbidden') return forbiddenResponse(decision.role);
  return decision.user === null ? context.next() : privatePage(await context.next());
}
