/** /api/auth/magic/signup — GET shows the account form (nothing spent); POST creates the verified account. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicSignup } from '../shared/auth/magic.ts';
import { linkPage } from '../shared/auth/pages.ts';
import { authContext, cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req) =>
    linkPage(authContext(appConfig()), req, 'magic_signup', (email) => ({
      title: 'Finish creating your account',
      intro: `Your account will be for ${email}.`,
      action: '/api/auth/magic/signup',
      button: 'Create my account',
      textField: { name: 'name', label: 'Your name' },
    })),
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    const session = await magicSignup(authContext(cfg), data, userAgentOf(req));
    const headers = cookiesFor(session, cfg);
    return kind === 'form' ? seeOther(`${cfg.siteUrl}/`, { headers }) : json(201, { user: session.user }, { headers });
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic/signup' };
