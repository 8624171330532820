/** POST /api/auth/password/change — needs the current password; ends every other session. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { changePassword } from '../shared/auth/passwords.ts';
import { accessSession } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    await changePassword(ctx.auth, accessSession(req, ctx.config), await readJson(req));
    return json(200, { status: 'password_changed' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/change' };
