/**
 * What may be kept as an account's metadata (user_metadata, app_metadata): a JSON object of
 * plain values, small enough to read on every request, with no key the wire format reserves.
 */

import { HttpError } from '../errors.ts';
import type { Metadata } from '../fql/users.ts';

export const METADATA_MAX_BYTES = 4096;
const MAX_DEPTH = 8;

export function checkMetadata(value: unknown, field: string): Metadata {
  if (!isPlainObject(value)) throw new HttpError('invalid_body', { message: `'${field}' must be a JSON object.` });
  const problem = problemIn(value, 0);
  if (problem !== null) throw new HttpError('invalid_body', { message: `'${field}' ${problem}.` });
  if (Buffer.byteLength(JSON.stringify(value)) > METADATA_MAX_BYTES) {
    throw new HttpError('invalid_body', { message: `'${field}' must be at most ${METADATA_MAX_BYTES} bytes of JSON.` });
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function problemIn(value: unknown, depth: number): string | null {
  if (depth > MAX_DEPTH) return `nests deeper than ${MAX_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = problemIn(item, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      // '@'-keys are the FQL wire format's tags (@ref, @ts, @obj…): kept out rather than escaped.
      if (key.startsWith('@')) return `may not have keys starting with '@' ('${key}')`;
      const problem = problemIn(item, depth + 1);
      if (problem !== null) return problem;
    }
    return null;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'holds a number JSON cannot carry';
  return null;
}
