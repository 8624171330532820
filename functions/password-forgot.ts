/** POST /api/auth/password/forgot — always 202: only an address with an account gets a link. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { forgotPassword } from '../shared/auth/passwords.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, context) => {
    await forgotPassword(authContext(appConfig(), context), await readJson(req), context.ip || 'unknown');
    return json(202, { status: 'reset_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/forgot' };
