/** POST /api/auth/logout {all?} — ends this session (or all of them) and clears both cookies. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { logout } from '../shared/auth/sessions.ts';
import { clearingCookies, sessionToEnd } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    // Logging out always succeeds: a body that cannot be read only means no {all: true}.
    const body = await readJson(req, { allowEmpty: true }).catch(() => ({}) as Readonly<Record<string, unknown>>);
    const session = sessionToEnd(req, ctx.config);
    if (session) await logout(ctx.auth, session, body.all === true);
    return json(200, { status: 'logged_out' }, { headers: clearingCookies(ctx.config) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/logout' };
