/** POST /api/auth/register — the same answer whether or not the address already has an account (plus the local mailbox, in development). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { register } from '../shared/auth/register.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { localMailbox } from '../shared/email.ts';
import { endpoint, json, readJson } from '../shared/http.ts';

export default endpoint({
  POST: async (req) => {
    const body = await readJson(req);
    const cfg = appConfig();
    await register(authContext(cfg), { email: body.email, password: body.password });
    // In development, where the email went: the demo links to it.
    const mailbox = localMailbox(cfg);
    return json(202, mailbox === null ? { status: 'verification_sent' } : { status: 'verification_sent', mailbox });
  },
});

export const config: FunctionConfig = { path: '/api/auth/register' };
