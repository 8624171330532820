/**
 * The engine's size limits: where a query could otherwise exhaust the process (its stack or its
 * memory) and take every other query down with it, it gets a clear error instead.
 *
 * The evaluator, the codec and comparisons recurse on nesting, and V8's stack is not deep enough
 * for every nesting JSON can carry: a query (and any value) is therefore bounded well below the
 * depth at which a recursion would run out of stack.
 */

import { FaunaError } from './errors.ts';
import { isArray, type Json } from './values.ts';

/** How deeply a query's JSON may nest (each FQL call is two levels: its object and its arguments). */
export const MAX_EXPRESSION_DEPTH = 1000;

/** How deeply a value (an answer, a document) may nest. */
export const MAX_VALUE_DEPTH = 1000;

/** The most characters a string function may build: as much as a whole request may carry (8 MiB). */
export const MAX_BUILT_CHARS = 8 * 1024 * 1024;

/** Refuses a request whose JSON nests deeper than MAX_EXPRESSION_DEPTH; walked without recursion. */
export function assertExpressionDepth(expr: Json): void {
  const stack: [Json, number][] = [[expr, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [value, depth] = next;
    if (value === null || typeof value !== 'object') continue;
    if (depth > MAX_EXPRESSION_DEPTH) throw tooDeep('The query', MAX_EXPRESSION_DEPTH);
    for (const child of isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
}

export function tooDeep(what: string, limit: number): FaunaError {
  return new FaunaError('stack overflow', `${what} is nested more than ${limit} levels deep.`);
}
