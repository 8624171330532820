/**
 * The API's closed set of error codes (docs/API.md, "Errors"), each with its status and its one
 * message, raised through one HttpError. An error that is not an HttpError never reaches a
 * client as anything but `internal_error`.
 */

interface ErrorEntry {
  readonly status: number;
  /** What the client is told; written here only, so one code always says the same thing. */
  readonly message: string;
}

export const API_ERRORS = {
  invalid_json: { status: 400, message: 'The body is not valid JSON.' },
  invalid_body: { status: 400, message: 'The body must be a JSON object (or a form) with the fields this request needs.' },
  invalid_email: { status: 400, message: 'A valid email address is required.' },
  mixed_script_email: { status: 400, message: 'The email address mixes alphabets (for example a Cyrillic letter among Latin ones). Type it again.' },
  duplicate_cookie: { status: 400, message: "The request carries a session cookie twice. Clear this site's cookies and log in again." },
  weak_password: { status: 400, message: 'Choose a longer password.' },
  invalid_token: { status: 400, message: 'This link is not valid.' },
  expired_token: { status: 400, message: 'This link has expired.' },
  used_token: { status: 400, message: 'This link has already been used.' },
  invalid_query: { status: 400, message: 'A query parameter is not valid.' },
  invalid_cursor: { status: 400, message: 'This page cursor is not valid. Start from the first page.' },
  confirmation_mismatch: { status: 400, message: "Type the account's email address exactly to confirm." },
  invalid_credentials: { status: 401, message: 'The email or password is not correct.' },
  unauthenticated: { status: 401, message: 'Log in first.' },
  invalid_session: { status: 401, message: 'The session is not valid. Log in again.' },
  token_reuse: { status: 401, message: 'This session was ended because its refresh token was used twice.' },
  email_not_verified: { status: 403, message: 'Confirm your email address first: check your inbox.' },
  invitation_required: { status: 403, message: 'This site is open by invitation only. Use the link in your invitation email, or ask for an invitation.' },
  account_disabled: { status: 403, message: "This account has been disabled. Contact the site's administrators." },
  forbidden: { status: 403, message: 'You may not do that.' },
  cross_origin: { status: 403, message: 'This request came from another site and was refused.' },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  account_exists: { status: 409, message: 'An account with this email address already exists.' },
  contended: { status: 409, message: 'Another request changed the same data at the same moment. Try again.' },
  own_account: { status: 409, message: 'An admin cannot do this to their own account.' },
  already_verified: { status: 409, message: "This account's address is already confirmed." },
  payload_too_large: { status: 413, message: 'The body is too large.' },
  unsupported_media_type: { status: 415, message: 'Send the body as application/json.' },
  rate_limited: { status: 429, message: 'Too many attempts. Try again later.' },
  internal_error: { status: 500, message: 'Something went wrong on our side. Please try again later.' },
  email_failed: { status: 502, message: 'The email could not be sent.' },
  db_unavailable: { status: 503, message: 'The database is not available right now.' },
} as const satisfies Record<string, ErrorEntry>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export function isApiErrorCode(text: string): text is ApiErrorCode {
  return Object.prototype.hasOwnProperty.call(API_ERRORS, text);
}

export interface HttpErrorOptions {
  /**
   * Replaces the table's message, only where the message carries data of this request (a
   * number of characters or minutes, a field's name, the allowed methods).
   */
  readonly message?: string;
  /** Extra headers for the answer, e.g. Retry-After or cleared cookies. */
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  /** Where docs/API.md gives a code another status on one endpoint (password/change: 400 invalid_credentials). */
  readonly status?: 400;
}

export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;

  constructor(
    readonly code: ApiErrorCode,
    options: HttpErrorOptions = {},
  ) {
    super(options.message ?? API_ERRORS[code].message);
    this.name = 'HttpError';
    this.status = options.status ?? API_ERRORS[code].status;
    this.headers = options.headers ?? {};
  }
}
