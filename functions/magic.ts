/** POST /api/auth/magic {email} — a sign-up link for a new address, a login link for an account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { requestMagicLink } from '../shared/auth/magic.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    const status = await requestMagicLink(ctx.auth, await readJson(req), ctx.netlify.ip || 'unknown');
    return json(202, { status });
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic' };
