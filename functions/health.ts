/** GET /api/health — 200 when the database answers, 503 when it does not. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { databaseAnswers } from '../shared/auth/health.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';

export default endpoint({
  GET: async (_req, ctx) => {
    const ok = await databaseAnswers(ctx.auth);
    return json(ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', db: ok ? 'ok' : 'unavailable' });
  },
});

export const config: FunctionConfig = { path: '/api/health' };
