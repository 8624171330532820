/** /api/auth/magic/signup — GET shows the account form (nothing spent); POST creates the verified account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicLinkPage, magicSignup } from '../shared/auth/magic.ts';
import { answerLinkForm } from '../shared/auth/pages.ts';
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req, ctx) =>
    magicLinkPage(ctx.auth, req, 'magic_signup', (email) => ({
      title: 'Finish creating your account',
      intro: `Your account will be for ${email}.`,
      action: '/api/auth/magic/signup',
      button: 'Create my account',
      textField: { name: 'name', label: 'Your name' },
    })),
  POST: (req, ctx) =>
    answerLinkForm(req, async (body) => {
      const session = await magicSignup(ctx.auth, body, userAgentOf(req));
      return { redirect: `${ctx.config.siteUrl}/`, status: 201, json: { user: session.user }, headers: cookiesFor(session, ctx.config) };
    }),
});

export const config: FunctionConfig = { path: '/api/auth/magic/signup' };
