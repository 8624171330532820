/** POST /api/auth/password/change — needs the current password; ends every other session. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { changePassword } from '../shared/auth/passwords.ts';
import { accessSession, authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req) => {
    const cfg = appConfig();
    await changePassword(authContext(cfg), accessSession(req, cfg), await readJson(req));
    return json(200, { status: 'password_changed' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/change' };
