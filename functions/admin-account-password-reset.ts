/** POST /api/admin/accounts/:id/password-reset — mails the account a password reset link (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { sendLink } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { json } from '../shared/http.ts';

export default adminEndpoint({
  POST: async (req, ctx, admin) => {
    await sendLink(ctx.auth, admin, pathId(req, 0), 'reset');
    return json(202, { status: 'reset_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/password-reset' };
