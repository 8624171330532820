/** POST /api/admin/accounts/:id/verification — mails the account a new verification link; 409 already_verified (admin only). */
import type { Config as FunctionConfig } from '@netlify/functions';
import { sendLink } from '../shared/admin/accounts.ts';
import { adminEndpoint, pathId } from '../shared/admin/endpoint.ts';
import { json } from '../shared/http.ts';

export default adminEndpoint({
  POST: async (req, ctx, admin) => {
    await sendLink(ctx.auth, admin, pathId(req, 0), 'verify');
    return json(202, { status: 'verification_sent' });
  },
});

export const config: FunctionConfig = { path: '/api/admin/accounts/:id/verification' };
