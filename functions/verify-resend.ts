/** POST /api/auth/verify/resend — always 202, unless the address is over its email limit. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resendVerification } from '../shared/auth/verify-email.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, context) => {
    await resendVerification(authContext(appConfig(), context), await readJson(req), context.ip || 'unknown');
    return json(202, { status: 'verification_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/verify/resend' };
