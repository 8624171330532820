/** GET /api/auth/activity — the account's own recent security activity (the audit log), while the session is live. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { ownActivity } from '../shared/audit/read.ts';
import { accessSession } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';

export default endpoint({
  GET: async (req, ctx) => json(200, { activity: await ownActivity(ctx.auth, accessSession(req, ctx.config)) }),
});

export const config: FunctionConfig = { path: '/api/auth/activity' };
