/**
 * What the `faunadb` driver's errors say, read in one place. An error the database answered
 * carries a `requestResult` with the HTTP status and Fauna's error list; an error that never
 * got an answer (connection refused, a deadline, an engine that could not open) has none.
 *
 * The requestResult also holds the whole query as sent, passwords included: nothing here
 * returns it, and `describeDriverError` is what may be logged.
 */

export interface FaunaErrorDetail {
  readonly code: string;
  readonly description: string;
  /** Where in the query it happened: keys and indexes from the root of the expression. */
  readonly position: readonly (string | number)[];
}

export interface DriverError {
  /** The HTTP status of the database's answer; null when there was no answer. */
  readonly status: number | null;
  /** The innermost Fauna error: a UDF's failure arrives as 'call error' with the real one as its cause. */
  readonly fauna: FaunaErrorDetail | null;
}

interface RawFaunaError {
  readonly code?: unknown;
  readonly description?: unknown;
  readonly position?: unknown;
  readonly cause?: readonly RawFaunaError[];
}

interface RawRequestResult {
  readonly statusCode?: unknown;
  readonly responseContent?: { readonly errors?: readonly RawFaunaError[] } | null;
}

export function driverError(err: unknown): DriverError {
  const result = (err as { requestResult?: RawRequestResult } | null)?.requestResult;
  const status = typeof result?.statusCode === 'number' ? result.statusCode : null;
  let raw: RawFaunaError | undefined = result?.responseContent?.errors?.[0];
  while (raw?.code === 'call error' && raw.cause?.[0]) raw = raw.cause[0];
  return { status, fauna: raw === undefined ? null : detailOf(raw) };
}

/** The Fauna error code of a driver error, if the database answered one. */
export function faunaCode(err: unknown): string | undefined {
  return driverError(err).fauna?.code;
}

/**
 * A line for the log: the status, Fauna's code and the position in the query, or for an error
 * with no answer its name and message. Never the query, nor Fauna's description (it may quote
 * a value of the query).
 */
export function describeDriverError(err: unknown): string {
  const { status, fauna } = driverError(err);
  if (status !== null) {
    const where = fauna === null ? '' : ` ${fauna.code} at ${JSON.stringify(fauna.position)}`;
    return `the database answered ${status}${where}`;
  }
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `no answer: ${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`;
  }
  return `no answer: ${String(err)}`;
}

function detailOf(raw: RawFaunaError): FaunaErrorDetail {
  const position = Array.isArray(raw.position) ? raw.position.filter((p): p is string | number => typeof p === 'string' || typeof p === 'number') : [];
  return { code: fieldText(raw.code), description: fieldText(raw.description), position };
}

/** A field of an error as Fauna sent it: text (Fauna sends strings), else its JSON, '' if absent. */
function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
