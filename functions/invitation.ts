/**
 * /api/auth/invitation — the link of an admin's invitation. GET shows the page (nothing spent):
 * a password to choose, or with `via=link` a name and no password. POST spends the invitation,
 * makes the account verified, and logs in.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { acceptInvitation, invitationPage } from '../shared/auth/invitations.ts';
import { linkSessionAnswer, userAgentOf } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { readBody } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) => invitationPage(ctx.auth, req),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    const session = await acceptInvitation(ctx.auth, data, userAgentOf(req));
    return linkSessionAnswer(kind, session, ctx.config, 201);
  },
});

export const config: FunctionConfig = { path: '/api/auth/invitation' };
