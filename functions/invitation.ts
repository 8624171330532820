/**
 * /api/auth/invitation — the link of an admin's invitation. GET shows the page (nothing spent):
 * a password to choose, or with `via=link` a name and no password. POST spends the invitation,
 * makes the account verified, and logs in.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { acceptInvitation, invitationPage } from '../shared/auth/invitations.ts';
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) => invitationPage(ctx.auth, req),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    const session = await acceptInvitation(ctx.auth, data, userAgentOf(req));
    const headers = cookiesFor(session, ctx.config);
    return kind === 'form' ? seeOther(`${ctx.config.siteUrl}/`, { headers }) : json(201, { user: session.user }, { headers });
  },
});

export const config: FunctionConfig = { path: '/api/auth/invitation' };
