/**
 * /api/auth/invitation — the link of an admin's invitation. GET shows the page (nothing spent):
 * a password to choose, or with `via=link` a name and no password. POST spends the invitation,
 * makes the account verified, and logs in.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { acceptInvitation, invitationPage } from '../shared/auth/invitations.ts';
import { answerLinkForm } from '../shared/auth/pages.ts';
import { cookiesFor, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req, ctx) => invitationPage(ctx.auth, req),
  POST: (req, ctx) =>
    answerLinkForm(req, async (body) => {
      const session = await acceptInvitation(ctx.auth, body, userAgentOf(req));
      return { redirect: `${ctx.config.siteUrl}/`, status: 201, json: { user: session.user }, headers: cookiesFor(session, ctx.config) };
    }),
});

export const config: FunctionConfig = { path: '/api/auth/invitation' };
