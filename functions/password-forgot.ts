/** POST /api/auth/password/forgot — always 202: only an address with an account gets a link. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { forgotPassword } from '../shared/auth/passwords.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    await forgotPassword(ctx.auth, await readJson(req), ctx.netlify.ip || 'unknown');
    return json(202, { status: 'reset_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/forgot' };
