/**
 * /api/auth/verify — GET shows a page whose button POSTs the token (mail scanners that follow
 * links spend nothing); POST proves the address, then redirects a form or answers JSON. The
 * link's first use also logs in (both cookies); a second use only confirms again. The first
 * verification from a browser other than the one that registered drops the password (it was
 * never proven to be the owner's) and leads to the page where the owner chooses one.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { answerLinkForm, tokenPage } from '../shared/auth/pages.ts';
import { clearedSignupBindingCookie, signupBindingOf } from '../shared/auth/signup-binding.ts';
import { verifyEmail } from '../shared/auth/verify-email.ts';
import { authContext, cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req) =>
    tokenPage(req, {
      title: 'Confirm your email address',
      intro: 'Press the button to confirm this email address for your account.',
      action: '/api/auth/verify',
      button: 'Confirm my email address',
    }),
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    return answerLinkForm(kind, async () => {
      const binding = signupBindingOf(req, cfg);
      const { user, session, resetToken } = await verifyEmail(authContext(cfg), data, userAgentOf(req), binding);
      const sessionCookies = session === null ? [] : cookiesFor(session, cfg)['Set-Cookie'];
      const headers = { 'Set-Cookie': [...sessionCookies, ...(binding === undefined ? [] : [clearedSignupBindingCookie(cfg)])] };
      if (resetToken !== null) {
        const setPasswordUrl = `${cfg.siteUrl}/api/auth/password/reset?token=${encodeURIComponent(resetToken)}&verified=1`;
        return kind === 'form' ? seeOther(setPasswordUrl, { headers }) : json(200, { user, setPasswordUrl }, { headers });
      }
      return kind === 'form' ? seeOther(`${cfg.siteUrl}/?verified=1`, { headers }) : json(200, { user }, { headers });
    });
  },
});

export const config: FunctionConfig = { path: '/api/auth/verify' };
