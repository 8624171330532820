/** /api/admin/invitations — GET lists the invitations, POST invites an address (admin role only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { adminEndpoint } from '../shared/admin/endpoint.ts';
import { invite, listInvitations } from '../shared/auth/invitations.ts';
import { json, readJson } from '../shared/http.ts';

export default adminEndpoint({
  GET: async (_req, ctx, admin) => json(200, { invitations: await listInvitations(ctx.auth, admin) }),
  POST: async (req, ctx, admin) => json(201, { invitation: await invite(ctx.auth, admin, await readJson(req)) }),
});

export const config: FunctionConfig = { path: '/api/admin/invitations' };
