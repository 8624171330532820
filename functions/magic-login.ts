/** /api/auth/magic/login — GET shows "Continue as …" (nothing spent); POST spends the link and logs in. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicLogin } from '../shared/auth/magic.ts';
import { linkPage } from '../shared/auth/pages.ts';
import { authContext, cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req) =>
    linkPage(authContext(appConfig()), req, 'magic_login', (email) => ({
      title: `Continue as ${email}`,
      intro: `You are logging in as ${email}.`,
      action: '/api/auth/magic/login',
      button: 'Continue',
    })),
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    const session = await magicLogin(authContext(cfg), data, userAgentOf(req));
    const headers = cookiesFor(session, cfg);
    return kind === 'form' ? seeOther(`${cfg.siteUrl}/`, { headers }) : json(200, { user: session.user }, { headers });
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic/login' };
