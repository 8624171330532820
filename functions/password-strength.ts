/**
 * POST /api/auth/password/strength {password} — how guessable a new password would be, for a
 * strength meter: the rules register, reset and change apply, nothing stored or logged.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { config as appConfig } from '../shared/config.ts';
import { HttpError } from '../shared/errors.ts';
import { endpoint, json, readJson } from '../shared/http.ts';
import { passwordStrength } from '../shared/password-strength.ts';
import { checkPassword } from '../shared/validation.ts';

export default endpoint({
  POST: async (req) => {
    const body = await readJson(req);
    if (typeof body.password !== 'string') throw new HttpError('invalid_body', "'password' must be a string.");
    try {
      checkPassword(body.password, appConfig());
    } catch (err) {
      // Too short or too long: no estimate needed (and a long one would cost the estimator most).
      if (!(err instanceof HttpError)) throw err;
      return json(200, { score: 0, ok: false, warning: err.message, suggestions: [] });
    }
    const strength = await passwordStrength(body.password);
    return json(200, { score: strength.score, ok: strength.ok, warning: strength.warning, suggestions: strength.suggestions });
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/strength' };
