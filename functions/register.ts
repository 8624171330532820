/** POST /api/auth/register — the same answer whether or not the address already has an account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { register } from '../shared/auth/register.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    const body = await readJson(req);
    await register(ctx.auth, { email: body.email, password: body.password });
    return json(202, { status: 'verification_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/auth/register' };
