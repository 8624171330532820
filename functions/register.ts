/** POST /api/auth/register — the same answer whether or not the address already has an account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { register } from '../shared/auth/register.ts';
import { signupBindingCookie, signupBindingFor, withSignupBindingCookie } from '../shared/auth/signup-binding.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, context) => {
    const body = await readJson(req);
    const cfg = appConfig();
    const ctx = authContext(cfg);
    // Verifying from this browser keeps the password (see shared/auth/signup-binding.ts).
    const binding = signupBindingFor(req, ctx);
    try {
      await register(ctx, { email: body.email, password: body.password, ip: context.ip || 'unknown', binding });
    } catch (err) {
      throw withSignupBindingCookie(err, binding, cfg);
    }
    return json(202, { status: 'verification_sent' }, { headers: signupBindingCookie(binding, cfg) });
  },
});

export const config: FunctionConfig = { path: '/api/auth/register' };
