/** POST /api/auth/logout {all?} — ends this session (or, from a live one, all of them) and clears both cookies. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { logout } from '../shared/auth/sessions.ts';
import { clearingCookies, sessionToEnd, withClearedCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    // A body that cannot be read only means no {all: true}: logging out of this session always succeeds.
    const body = await readJson(req, { allowEmpty: true }).catch((): Readonly<Record<string, unknown>> => ({}));
    const session = sessionToEnd(req, ctx.config);
    try {
      if (session) await logout(ctx.auth, session, body.all === true);
    } catch (err) {
      // Ending every session needs a live one (401 invalid_session); the cookies go all the same.
      throw withClearedCookies(err, ctx.config);
    }
    return json(200, { status: 'logged_out' }, { headers: clearingCookies(ctx.config) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/logout' };
