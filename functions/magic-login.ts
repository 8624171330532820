/** /api/auth/magic/login — GET shows "Continue as …" (nothing spent); POST spends the link and logs in. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { magicLinkEmail, magicLogin } from '../shared/auth/magic.ts';
import { answerLinkForm, linkProblemPage, tokenPage } from '../shared/auth/pages.ts';
import { authContext, cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: async (req) => {
    try {
      const email = await magicLinkEmail(authContext(appConfig()), new URL(req.url).searchParams.get('token') ?? '', 'magic_login');
      return tokenPage(req, { title: `Continue as ${email}`, intro: `You are logging in as ${email}.`, action: '/api/auth/magic/login', button: 'Continue' });
    } catch (err) {
      return linkProblemPage(err);
    }
  },
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    return answerLinkForm(kind, async () => {
      const session = await magicLogin(authContext(cfg), data, userAgentOf(req));
      const headers = cookiesFor(session, cfg);
      return kind === 'form' ? seeOther(`${cfg.siteUrl}/`, { headers }) : json(200, { user: session.user }, { headers });
    });
  },
});

export const config: FunctionConfig = { path: '/api/auth/magic/login' };
