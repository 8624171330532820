/** GET /api/health — 200 when the database answers, 503 when it does not. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { databaseAnswers } from '../shared/auth/health.ts';
import { authContext } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json } from '../shared/http.ts';

export default endpoint({
  GET: async () => {
    const ok = await databaseAnswers(authContext(appConfig()));
    return json(ok ? 200 : 503, { status: ok ? 'ok' : 'degraded', db: ok ? 'ok' : 'unavailable' });
  },
});

export const config: FunctionConfig = { path: '/api/health' };
