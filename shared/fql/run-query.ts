/**
 * Running one FQL query for an operation. Queries end early with `Abort(code)` where the code
 * is one of the API's own (e.g. 'rate_limited'), so a refusal decided inside the transaction
 * leaves nothing written and reaches the client as that code. A transaction that concurrent
 * ones kept aborting, past the engine's retries, is 409 contended (trying again may work).
 * Anything else the database says becomes 503 db_unavailable (it could not answer) or 500
 * internal_error (a bug), never a driver message.
 *
 * Every query has a deadline, kept here whatever the transport does: the driver's HTTP/2
 * transport can leave a query pending for good when the engine dies mid-query, and a stalled
 * engine would otherwise hold a function past its own time limit. At the deadline the query is
 * aborted (the driver cancels the request) and the operation answers 503 db_unavailable. A
 * write the engine was already committing may still land: the client is told the database did
 * not answer, not that nothing happened.
 */

import faunadb from 'faunadb';
import { HttpError, isApiErrorCode, type ApiErrorCode } from '../errors.ts';
import { describeDriverError, driverError } from './driver-errors.ts';

export type Expr = faunadb.Expr;

/** The database as an operation sees it: a driver client, the deadline of each query, and a name for the log. */
export interface Database {
  readonly client: faunadb.Client;
  /** Each query must be answered within this many milliseconds (QUERY_TIMEOUT_MS). */
  readonly deadlineMs: number;
  /** What the queries are run for, in log lines: the endpoint, e.g. "POST /api/auth/login". */
  readonly operation: string;
}

export interface RunOptions {
  /** What a unique-index violation means for this operation (a concurrent twin won the race). */
  readonly onNotUnique?: ApiErrorCode;
  /**
   * The query runs as a user (shared/user/db.ts), whose roles may refuse it: 'permission denied'
   * is then an answer (403 forbidden), and so is 'instance not found' (404), not a bug.
   */
  readonly asUser?: boolean;
}

/** A query that got no answer in time. */
export class QueryDeadlineError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`no answer within ${deadlineMs} ms (QUERY_TIMEOUT_MS)`);
    this.name = 'QueryDeadlineError';
  }
}

export async function runQuery<T>(db: Database, expr: Expr, options: RunOptions = {}): Promise<T> {
  try {
    return await withDeadline(db.deadlineMs, (signal) => db.client.query<T>(expr, { signal }));
  } catch (err) {
    throw toHttpError(err, db, options);
  }
}

/** Settles by the deadline: rejects with QueryDeadlineError then, and aborts the query. */
export function withDeadline<T>(deadlineMs: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Rejected first, so the deadline and not the driver's reaction to the abort is the answer.
      const error = new QueryDeadlineError(deadlineMs);
      reject(error);
      controller.abort(error);
    }, deadlineMs);
  });
  return Promise.race([run(controller.signal), deadline]).finally(() => clearTimeout(timer));
}

function toHttpError(err: unknown, db: Database, options: RunOptions): HttpError {
  // Already an answer: a user's client found its session over (shared/user/db.ts).
  if (err instanceof HttpError) return err;
  const { status, fauna } = driverError(err);
  if (options.asUser && fauna?.code === 'permission denied') return new HttpError('forbidden');
  if (options.asUser && fauna?.code === 'instance not found') return new HttpError('not_found');
  if (fauna?.code === 'transaction aborted' && isApiErrorCode(fauna.description)) return new HttpError(fauna.description);
  if (fauna?.code === 'instance not unique' && options.onNotUnique) return new HttpError(options.onNotUnique);
  if (fauna?.code === 'contended transaction') return new HttpError('contended');
  // The driver's error holds the query as sent, passwords included: only its description is logged.
  console.error(`fql: ${db.operation}: query failed: ${describeDriverError(err)}`);
  if (status === null || status >= 500) return new HttpError('db_unavailable');
  return new HttpError('internal_error');
}
