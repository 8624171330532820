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
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req) =>
    tokenPage(req, {
      title: 'Confirm your email address',
      intro: 'Press the button to confirm this email address for your account.',
      action: '/api/auth/verify',
      button: 'Confirm my email address',
    }),
  POST: (req, ctx) =>
    answerLinkForm(req, async (body) => {
      const binding = signupBindingOf(req, ctx.config);
      const { user, session, resetToken } = await verifyEmail(ctx.auth, body, userAgentOf(req), binding);
      const sessionCookies = session === null ? [] : cookiesFor(session, ctx.config)['Set-Cookie'];
      const headers = { 'Set-Cookie': [...sessionCookies, ...(binding === undefined ? [] : [clearedSignupBindingCookie(ctx.config)])] };
      if (resetToken !== null) {
        // Verified from another browser: the password was dropped, and the owner chooses one now.
        const setPasswordUrl = `${ctx.config.siteUrl}/api/auth/password/reset?token=${encodeURIComponent(resetToken)}&verified=1`;
        return { redirect: setPasswordUrl, status: 200, json: { user, setPasswordUrl }, headers };
      }
      return { redirect: `${ctx.config.siteUrl}/?verified=1`, status: 200, json: { user }, headers };
    }),
});

export const config: FunctionConfig = { path: '/api/auth/verify' };
