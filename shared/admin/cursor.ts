/**
 * The admin search's page cursor: the `after` tuple the database gave (the next entry's index
 * values and ref), as an opaque base64url string, and back. Only the shapes that index holds are
 * accepted (a time, an account ref, a string, a boolean, null); anything else is invalid_cursor.
 */

import faunadb from 'faunadb';
import { HttpError } from '../errors.ts';
import type { Expr } from '../fql/run-query.ts';

const q = faunadb.query;

export type CursorValue = faunadb.values.FaunaTime | faunadb.values.Ref | string | boolean | null;

type Encoded = { readonly t: string } | { readonly r: string } | string | boolean | null;

export function encodeCursor(after: readonly CursorValue[]): string {
  const encoded: Encoded[] = after.map((v) => {
    // The ISO text with its microseconds (the driver's `date` would drop them, and miss the entry).
    if (v instanceof faunadb.values.FaunaTime) return { t: (JSON.parse(JSON.stringify(v)) as { '@ts': string })['@ts'] };
    if (v instanceof faunadb.values.Ref) return { r: v.id };
    return v;
  });
  return Buffer.from(JSON.stringify(encoded)).toString('base64url');
}

function invalid(): HttpError {
  return new HttpError('invalid_cursor');
}

function decodeOne(v: unknown): Expr | string | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid();
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== 1) throw invalid();
  if (typeof o.t === 'string' && !Number.isNaN(Date.parse(o.t))) return q.Time(o.t);
  if (typeof o.r === 'string' && /^[0-9]{1,30}$/.test(o.r)) return q.Ref(q.Collection('accounts'), o.r);
  throw invalid();
}

export function decodeCursor(text: string): Expr[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > 8) throw invalid();
  return parsed.map(decodeOne) as Expr[];
}
