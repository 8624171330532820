/**
 * The API's closed set of error codes (../shared/API.md), each raised through one HttpError.
 * An error that is not an HttpError never reaches a client as anything but `internal_error`.
 */

export const API_ERRORS = {
  invalid_json: 400,
  invalid_body: 400,
  invalid_email: 400,
  weak_password: 400,
  invalid_token: 400,
  expired_token: 400,
  used_token: 400,
  invalid_credentials: 401,
  unauthenticated: 401,
  invalid_session: 401,
  token_reuse: 401,
  email_not_verified: 403,
  cross_origin: 403,
  not_found: 404,
  method_not_allowed: 405,
  account_exists: 409,
  contended: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  email_failed: 502,
  db_unavailable: 503,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Extra headers for the answer, e.g. Retry-After or cleared cookies. */
    readonly headers: Readonly<Record<string, string | readonly string[]>> = {},
    /** Where API.md gives a code another status on one endpoint (password/change: 400 invalid_credentials). */
    status?: 400,
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status ?? API_ERRORS[code];
  }
}
