/** /api/auth/magic/signup — GET shows the account form (nothing spent); POST creates the verified account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicSignup } from '../shared/auth/magic.ts';
import { linkPage } from '../shared/auth/pages.ts';
import { linkSessionAnswer, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { readBody } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) =>
    linkPage(ctx.auth, req, 'magic_signup', (email) => ({
      title: 'Finish creating your account',
      intro: `Your account will be for ${email}.`,
      action: '/api/auth/magic/signup',
      button: 'Create my account',
      textField: { name: 'name', label: 'Your name' },
    })),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    const session = await magicSignup(ctx.auth, data, userAgentOf(req));
    return linkSessionAnswer(kind, session, ctx.config, 201);
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic/signup' };
