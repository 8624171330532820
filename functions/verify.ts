/**
 * /api/auth/verify — GET checks the link and shows a page whose button POSTs the token (mail
 * scanners that follow links spend nothing); POST proves the address, then redirects a form or
 * answers JSON. The link's first use also logs in (both cookies); a second use only confirms
 * again. The first verification from a browser other than the one that registered drops the
 * password (it was never proven to be the owner's) and leads to the page where the owner chooses one.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { linkPage } from '../shared/auth/pages.ts';
import { clearedSignupBindingCookie, signupBindingOf } from '../shared/auth/signup-binding.ts';
import { verifyEmail } from '../shared/auth/verify-email.ts';
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) =>
    linkPage(ctx.auth, req, 'verify', () => ({
      title: 'Confirm your email address',
      intro: 'Press the button to confirm this email address for your account.',
      action: '/api/auth/verify',
      button: 'Confirm my email address',
    })),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    const binding = signupBindingOf(req, ctx.config);
    const { user, session, resetToken } = await verifyEmail(ctx.auth, data, userAgentOf(req), binding);
    const sessionCookies = session === null ? [] : cookiesFor(session, ctx.config)['Set-Cookie'];
    const headers = { 'Set-Cookie': [...sessionCookies, ...(binding === undefined ? [] : [clearedSignupBindingCookie(ctx.config)])] };
    if (resetToken !== null) {
      // Verified from another browser: the password was dropped, and the owner chooses one now.
      const setPasswordUrl = `${ctx.config.siteUrl}/api/auth/password/reset?token=${encodeURIComponent(resetToken)}&verified=1`;
      return kind === 'form' ? seeOther(setPasswordUrl, { headers }) : json(200, { user, setPasswordUrl }, { headers });
    }
    return kind === 'form' ? seeOther(`${ctx.config.siteUrl}/?verified=1`, { headers }) : json(200, { user }, { headers });
  },
});

export const config: FunctionConfig = { path: '/api/auth/verify' };
