/**
 * /api/auth/secure-account — the "this wasn't me" link of every security email. GET shows a page
 * whose button POSTs the token (mail scanners spend nothing); POST ends every session of the
 * account, removes its password, and leads to choosing a new one (a fresh reset link).
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { secureAccount, secureAccountPage, securedResetUrl } from '../shared/auth/notices.ts';
import { answerLinkForm } from '../shared/auth/pages.ts';
import { clearingCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req, ctx) => secureAccountPage(ctx.auth, req),
  POST: (req, ctx) =>
    answerLinkForm(req, async (body) => {
      const resetUrl = securedResetUrl(ctx.config, await secureAccount(ctx.auth, body));
      // Every session ended, this browser's too (if it had one).
      return { redirect: resetUrl, status: 200, json: { status: 'account_secured', resetUrl }, headers: clearingCookies(ctx.config) };
    }),
});

export const config: FunctionConfig = { path: '/api/auth/secure-account' };
