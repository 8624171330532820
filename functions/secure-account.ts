/**
 * /api/auth/secure-account — the "this wasn't me" link of every security email. GET shows a page
 * whose button POSTs the token (mail scanners spend nothing); POST ends every session of the
 * account, removes its password, and leads to choosing a new one (a fresh reset link).
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { secureAccount, secureAccountPage, securedResetUrl } from '../shared/auth/notices.ts';
import { clearingCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) => secureAccountPage(ctx.auth, req),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    const resetUrl = securedResetUrl(ctx.config, await secureAccount(ctx.auth, data));
    // Every session ended, this browser's too (if it had one).
    const cleared = { headers: clearingCookies(ctx.config) };
    return kind === 'form' ? seeOther(resetUrl, cleared) : json(200, { status: 'account_secured', resetUrl }, cleared);
  },
});

export const config: FunctionConfig = { path: '/api/auth/secure-account' };
