/** POST /api/auth/verify/resend — always 202, unless the address is over its email limit. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resendVerification } from '../shared/auth/verify-email.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    await resendVerification(ctx.auth, await readJson(req), ctx.netlify.ip || 'unknown');
    return json(202, { status: 'verification_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/verify/resend' };
