/**
 * POST /api/auth/password/strength {password} — how guessable a new password would be, for a
 * strength meter: the rules register, reset and change apply, nothing stored or logged.
 */
import type { Config as FunctionConfig } from '@netlify/functions';
import { endpoint } from '../shared/endpoint.ts';
import { HttpError } from '../shared/errors.ts';
import { json, readJson } from '../shared/http.ts';
import { passwordStrength } from '../shared/password-strength.ts';
import { checkPassword } from '../shared/validation.ts';

export default endpoint({
  POST: async (req, ctx) => {
    const body = await readJson(req);
    if (typeof body.password !== 'string') throw new HttpError('invalid_body', { message: "'password' must be a string." });
    try {
      checkPassword(body.password, ctx.config);
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
