/** /api/auth/magic/login — GET shows "Continue as …" (nothing spent); POST spends the link and logs in. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicLinkPage, magicLogin } from '../shared/auth/magic.ts';
import { answerLinkForm } from '../shared/auth/pages.ts';
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req, ctx) =>
    magicLinkPage(ctx.auth, req, 'magic_login', (email) => ({
      title: `Continue as ${email}`,
      intro: `You are logging in as ${email}.`,
      action: '/api/auth/magic/login',
      button: 'Continue',
    })),
  POST: (req, ctx) =>
    answerLinkForm(req, async (body) => {
      const session = await magicLogin(ctx.auth, body, userAgentOf(req));
      return { redirect: `${ctx.config.siteUrl}/`, status: 200, json: { user: session.user }, headers: cookiesFor(session, ctx.config) };
    }),
});

export const config: FunctionConfig = { path: '/api/auth/magic/login' };
