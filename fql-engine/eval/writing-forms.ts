/**
 * FQL forms that write (or may: Call runs a function). A query with none of them anywhere runs
 * as a read-only transaction (engine.ts); a read foreseen past one might be forgotten by its
 * write before it is used, so foresight.ts looks past one only on speculation.
 */

import type { Json } from '../values.ts';
import { isArray } from '../values.ts';

export const WRITING_FORMS: ReadonlySet<string> = new Set([
  'create',
  'update',
  'replace',
  'delete',
  'insert',
  'remove',
  'login',
  'logout',
  'call',
  'move_database',
  'create_class',
  'create_collection',
  'create_database',
  'create_index',
  'create_key',
  'create_function',
  'create_role',
  'create_access_provider',
]);

/**
 * Whether a query may write. Looking at every object key errs towards writing (a literal object
 * with a field named `create` counts too), which costs nothing but the read-only transaction's
 * benefits.
 */
export function mayWrite(expr: Json): boolean {
  if (isArray(expr)) return expr.some(mayWrite);
  if (expr === null || typeof expr !== 'object') return false;
  return Object.entries(expr).some(([key, child]) => WRITING_FORMS.has(key) || mayWrite(child));
}
