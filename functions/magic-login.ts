/** /api/auth/magic/login — GET shows "Continue as …" (nothing spent); POST spends the link and logs in. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicLogin } from '../shared/auth/magic.ts';
import { linkPage } from '../shared/auth/pages.ts';
import { linkSessionAnswer, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { readBody } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) =>
    linkPage(ctx.auth, req, 'magic_login', (email) => ({
      title: `Continue as ${email}`,
      intro: `You are logging in as ${email}.`,
      action: '/api/auth/magic/login',
      button: 'Continue',
    })),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    const session = await magicLogin(ctx.auth, data, userAgentOf(req));
    return linkSessionAnswer(kind, session, ctx.config, 200);
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic/login' };
