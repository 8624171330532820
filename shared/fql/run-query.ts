/**
 * Running one FQL query for an operation. Queries end early with `Abort(code)` where the code
 * is one of the API's own (e.g. 'rate_limited'), so a refusal decided inside the transaction
 * leaves nothing written and reaches the client as that code. A transaction that concurrent
 * ones kept aborting, past the engine's retries, is 409 contended (trying again may work).
 * Anything else the database says becomes 503 db_unavailable (it could not answer) or 500
 * internal_error (a bug), never a driver message.
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
  contended: 'Too many requests changed the same data at once. Try again.',
};

export interface RunOptions {
  /** What a unique-index violation means for this operation (a concurrent twin won the race). */
  readonly onNotUnique?: ApiErrorCode;
}

export async function runQuery<T>(client: faunadb.Client, expr: Expr, options: RunOptions = {}): Promise<T> {
  try {
    return await client.query<T>(expr);
  } catch (err) {
    throw toHttpError(err, options);
  }
}

function toHttpError(err: unknown, options: RunOptions): HttpError {
  const first = faunaErrorOf(err);
  if (first?.code === 'transaction aborted' && isApiCode(first.description)) {
    return new HttpError(first.description, ABORT_MESSAGES[first.description] ?? 'The request was refused.');
  }
  if (first?.code === 'instance not unique' && options.onNotUnique) {
    return new HttpError(options.onNotUnique, ABORT_MESSAGES[options.onNotUnique] ?? 'The request conflicts with another one.');
  }
  if (first?.code === 'contended transaction') return new HttpError('contended', ABORT_MESSAGES.contended ?? 'Try again.');
  const status = (err as { requestResult?: { statusCode?: number } } | null)?.requestResult?.statusCode;
  console.error('fql: query failed:', err);
  if (status === undefined || status >= 500) return new HttpError('db_unavailable', 'The database is not available right now.');
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
