/**
 * The engine's errors: Fauna's own codes, each with the HTTP status Fauna answered with,
 * so the unmodified driver raises the same exception class it raised against Fauna.
 */

import { typeName, type Value } from './values.ts';

export type Position = readonly (string | number)[];

export const FAUNA_CODES = {
  'invalid expression': 400,
  'invalid argument': 400,
  'invalid ref': 400,
  'invalid type': 400,
  'invalid write time': 400,
  'unbound variable': 400,
  'value not found': 404,
  'instance not found': 404,
  'instance already exists': 400,
  'instance not unique': 400,
  'validation failed': 400,
  'transaction aborted': 400,
  'call error': 400,
  'move database error': 400,
  'stack overflow': 400,
  'bad request': 400,
  'invalid token': 400,
  'authentication failed': 400,
  'missing identity': 400,
  'unauthorized': 401,
  'permission denied': 403,
  'method not allowed': 405,
  'contended transaction': 409,
  'request entity too large': 413,
  'internal server error': 500,
  'unavailable': 503,
} as const;

export type FaunaCode = keyof typeof FAUNA_CODES;

export interface FaunaErrorDetail {
  readonly position: Position;
  readonly code: FaunaCode;
  readonly description: string;
  readonly cause?: readonly FaunaErrorDetail[];
}

/**
 * An error Fauna would have reported. Thrown anywhere in evaluation; the whole query rolls back.
 * A function throws it with a position relative to its own call (e.g. `['offset']`); the
 * evaluator prefixes the call's position once and marks it absolute.
 */
export class FaunaError extends Error {
  constructor(
    readonly code: FaunaCode,
    readonly description: string,
    readonly position: Position = [],
    readonly cause_?: readonly FaunaErrorDetail[],
    readonly absolute = false,
  ) {
    super(`${code}: ${description}`);
    this.name = 'FaunaError';
  }

  get status(): number {
    return FAUNA_CODES[this.code];
  }

  /** The same error with its position made absolute by the position of the call it came from. */
  prefixed(prefix: Position): FaunaError {
    if (this.absolute) return this;
    return new FaunaError(this.code, this.description, [...prefix, ...this.position], this.cause_, true);
  }

  /** An error whose position is already absolute. */
  static at(code: FaunaCode, description: string, position: Position): FaunaError {
    return new FaunaError(code, description, position, undefined, true);
  }

  toDetail(): FaunaErrorDetail {
    const detail: FaunaErrorDetail = { position: this.position, code: this.code, description: this.description };
    return this.cause_ ? { ...detail, cause: this.cause_ } : detail;
  }
}

/**
 * An argument of the wrong type, in Fauna's words: "String expected, Number provided." Its
 * position is relative to the call, like any error a function throws.
 */
export function typeError(expected: string, actual: Value, position: Position = []): FaunaError {
  return new FaunaError('invalid argument', `${expected} expected, ${typeName(actual)} provided.`, position);
}
