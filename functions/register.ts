/** POST /api/auth/register — the same answer whether or not the address already has an account (plus the local mailbox, in development). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { register } from '../shared/auth/register.ts';
import { signupBindingCookie, signupBindingFor, withSignupBindingCookie } from '../shared/auth/signup-binding.ts';
import { localMailbox } from '../shared/email.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req, ctx) => {
    const body = await readJson(req);
    // Verifying from this browser keeps the password (see shared/auth/signup-binding.ts).
    const binding = signupBindingFor(req, ctx.auth);
    try {
      await register(ctx.auth, { email: body.email, password: body.password, ip: ctx.netlify.ip || 'unknown', binding });
    } catch (err) {
      throw withSignupBindingCookie(err, binding, ctx.config);
    }
    // In development, where the email went: the demo links to it.
    const mailbox = localMailbox(ctx.config);
    return json(202, mailbox === null ? { status: 'verification_sent' } : { status: 'verification_sent', mailbox }, {
      headers: signupBindingCookie(binding, ctx.config),
    });
  },
});

export const config: FunctionConfig = { path: '/api/auth/register' };
