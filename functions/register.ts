/** POST /api/auth/register — the same answer whether or not the address already has an account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { register } from '../shared/auth/register.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, context) => {
    const body = await readJson(req);
    await register(authContext(appConfig()), { email: body.email, password: body.password, ip: context.ip || 'unknown' });
    return json(202, { status: 'verification_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/register' };
