/** POST /api/auth/magic {email} — a sign-up link for a new address, a login link for an account. */
import type { Config as FunctionConfig, Context } from '@netlify/functions';
import { requestMagicLink } from '../shared/auth/magic.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, context: Context) => {
    const status = await requestMagicLink(authContext(appConfig()), await readJson(req), context.ip || 'unknown');
    return json(202, { status });
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic' };
