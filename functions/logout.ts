/** POST /api/auth/logout {all?} — ends this session (or all of them) and clears both cookies. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { logout } from '../shared/auth/sessions.ts';
import { authContext, clearingCookies, sessionToEnd } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req) => {
    const cfg = appConfig();
    // Logging out always succeeds: a body that cannot be read only means no {all: true}.
    const body = await readJson(req, { allowEmpty: true }).catch((): Readonly<Record<string, unknown>> => ({}));
    const session = sessionToEnd(req, cfg);
    if (session) await logout(authContext(cfg), session, body.all === true);
    return json(200, { status: 'logged_out' }, { headers: clearingCookies(cfg) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/logout' };
