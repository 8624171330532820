/** /api/admin/invitations — GET lists the invitations, POST invites an address (admin role only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { adminCaller, invite, listInvitations } from '../shared/auth/invitations.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readJson } from '../shared/http.ts';

export default endpoint({
  GET: async (req, ctx) => json(200, { invitations: await listInvitations(ctx.auth, adminCaller(req, ctx.config)) }),
  POST: async (req, ctx) => {
    const caller = adminCaller(req, ctx.config);
    return json(201, { invitation: await invite(ctx.auth, caller, await readJson(req)) });
  },
});

export const config: FunctionConfig = { path: '/api/admin/invitations' };
