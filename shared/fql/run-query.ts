/**
 * Running one FQL query for an operation. Queries end early with `Abort(code)` where the code
 * is one of the API's own (e.g. 'rate_limited'), so a refusal decided inside the transaction
 * leaves nothing written and reaches the client as that code. Anything else the database
 * says becomes 503 db_unavailable (it could not answer) or 500 internal_error (a bug),
 * never a driver message.
 */

import faunadb from 'faunadb';
import { API_ERRORS, HttpError, type ApiErrorCode } from '../errors.ts';

export type Expr = faunadb.Expr;

/** Messages for the codes an FQL operation may abort with. */
const ABORT_MESSAGES: Partial<Record<ApiErrorCode, string>> = {
  rate_limited: 'Too many attempts. Try again later.',
  invalid_token: 'This link is not valid.',
  expired_token: 'This link has expired.',
  used_token: 'This link has already been used.',
  invalid_session: 'The session is not valid. Log in again.',
  account_exists: 'An account with this email address already exists.',
  invalid_credentials: 'The email or password is not correct.',
  unauthenticated: 'Log in first.',
  not_found: 'Not found.',
  forbidden: 'You may not do that.',
};

export interface RunOptions {
  /** What a unique-index violation means for this operation (a concurrent twin won the race). */
  readonly onNotUnique?: ApiErrorCode;
  /**
   * The query runs as a user (shared/user/db.ts), whose roles may refuse it: 'permission denied'
   * is then an answer (403 forbidden), and so is 'instance not found' (404), not a bug.
   */
  readonly asUser?: boolean;
}

export async function runQuery<T>(client: faunadb.Client, expr: Expr, options: RunOptions = {}): Promise<T> {
  try {
    return await client.query<T>(expr);
  } catch (err) {
    throw toHttpError(err, options);
  }
}

function toHttpError(err: unknown, options: RunOptions): HttpError {
  // Already an answer: a user's client found its session over (shared/user/db.ts).
  if (err instanceof HttpError) return err;
  const first = faunaErrorOf(err);
  if (options.asUser && first?.code === 'permission denied') return new HttpError('forbidden', ABORT_MESSAGES.forbidden ?? '');
  if (options.asUser && first?.code === 'instance not found') return new HttpError('not_found', ABORT_MESSAGES.not_found ?? '');
  if (first?.code === 'transaction aborted' && isApiCode(first.description)) {
    return new HttpError(first.description, ABORT_MESSAGES[first.description] ?? 'The request was refused.');
  }
  if (first?.code === 'instance not unique' && options.onNotUnique) {
    return new HttpError(options.onNotUnique, ABORT_MESSAGES[options.onNotUnique] ?? 'The request conflicts with another one.');
  }
  const status = (err as { requestResult?: { statusCode?: number } } | null)?.requestResult?.statusCode;
  console.error('fql: query failed:', err);
  if (status === undefined || status >= 500 || status === 409) return new HttpError('db_unavailable', 'The database is not available right now.');
  return new HttpError('internal_error', 'Something went wrong.');
}

interface FaunaErrorDetail {
  readonly code: string;
  readonly description: string;
}

/** The innermost Fauna error: a UDF's failure arrives as 'call error' with the real one as its cause. */
function faunaErrorOf(err: unknown): FaunaErrorDetail | undefined {
  const errors = (err as { requestResult?: { responseContent?: { errors?: FaunaErrorDetail[] } } } | null)?.requestResult?.responseContent?.errors;
  let detail: (FaunaErrorDetail & { cause?: FaunaErrorDetail[] }) | undefined = errors?.[0];
  while (detail?.code === 'call error' && detail.cause?.[0]) detail = detail.cause[0];
  return detail;
}

function isApiCode(text: string): text is ApiErrorCode {
  return Object.prototype.hasOwnProperty.call(API_ERRORS, text);
}
