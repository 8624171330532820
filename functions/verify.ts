/**
 * /api/auth/verify — GET checks the link and shows a page whose button POSTs the token (mail
 * scanners that follow links spend nothing); POST proves the address, then redirects a form or
 * answers JSON. The link's first use also logs in (both cookies); a second use only confirms again.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { linkPage } from '../shared/auth/pages.ts';
import { verifyEmail } from '../shared/auth/verify-email.ts';
import { authContext, cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req) =>
    linkPage(authContext(appConfig()), req, 'verify', () => ({
      title: 'Confirm your email address',
      intro: 'Press the button to confirm this email address for your account.',
      action: '/api/auth/verify',
      button: 'Confirm my email address',
    })),
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    const { user, session } = await verifyEmail(authContext(cfg), data, userAgentOf(req));
    const headers = session === null ? {} : cookiesFor(session, cfg);
    return kind === 'form' ? seeOther(`${cfg.siteUrl}/?verified=1`, { headers }) : json(200, { user }, { headers });
  },
});

export const config: FunctionConfig = { path: '/api/auth/verify' };
