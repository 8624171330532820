/**
 * /api/auth/verify — GET shows a page whose button POSTs the token (mail scanners that follow
 * links spend nothing); POST proves the address, then redirects a form or answers JSON. The
 * link's first use also logs in (both cookies); a second use only confirms again.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { answerLinkForm, tokenPage } from '../shared/auth/pages.ts';
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
      const { user, session } = await verifyEmail(ctx.auth, body, userAgentOf(req));
      const headers = session === null ? {} : cookiesFor(session, ctx.config);
      return { redirect: `${ctx.config.siteUrl}/?verified=1`, status: 200, json: { user }, headers };
    }),
});

export const config: FunctionConfig = { path: '/api/auth/verify' };
