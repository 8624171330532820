/**
 * Role predicates of the commonest shapes, run without the evaluator.
 *
 * A role's read predicate runs once for every document a query reads (access.ts), and through
 * the evaluator each run costs tens of microseconds: more than the query's own work on the
 * document. The predicates roles are written with are mostly a comparison of a field of the
 * document, or of the argument, with the caller: `Lambda('ref', Equals(Select(['data',
 * 'owner'], Get(Var('ref')), null), CurrentIdentity()))`. Such a lambda is turned once into a
 * function (kept by the role's QueryValue, which the schema cache keeps for as long as the
 * schema does not change) built of nothing but what those FQL functions do.
 *
 * It answers only where the answer is plain: a Get of a document that exists, a Select that
 * finds its value or has a default, a token's identity. Anything else (a missing
 * document, a Set, a time-travelling query, an error of any kind) answers UNKNOWN, and the
 * evaluator runs the predicate as before, with its own answer and its own error. Both read
 * through the transaction's cache, so running it twice changes nothing but the read counts of
 * the metrics headers. A lambda of any other shape is not compiled.
 */

import { FaunaError } from '../errors.ts';
import { isPlainJsonObject } from '../wire.ts';
import { QueryValue, Ref, valueEquals, type Json, type Value } from '../values.ts';
import { isLambdaLiteral } from './capture.ts';
import type { QueryContext } from './context.ts';
import { docTarget, readDoc } from './documents.ts';
import { selectPath } from './functions/objects.ts';

/** The compiled predicate cannot tell: the evaluator must. */
export const UNKNOWN = Symbol('unknown');
type Answer = Value | typeof UNKNOWN;

interface Compiled {
  /** Function calls the evaluator would count (x-compute-ops) and how deep they nest. */
  readonly calls: number;
  readonly depth: number;
  readonly run: (ctx: QueryContext, arg: Value) => Promise<Answer>;
}

const compiled = new WeakMap<QueryValue, Compiled | null>();

/**
 * A predicate's answer for `arg` (the one value its lambda takes), as the server `ctx` would
 * evaluate it; UNKNOWN when the lambda is not of a compiled shape or the answer is not plain.
 */
export async function runCompiled(lambda: Value, ctx: QueryContext, arg: Value): Promise<Answer> {
  if (!(lambda instanceof QueryValue)) return UNKNOWN;
  let predicate = compiled.get(lambda);
  if (predicate === undefined) {
    predicate = compileLambda(lambda.lambda);
    compiled.set(lambda, predicate);
  }
  // The evaluator would refuse a call nested too deeply: it says so itself.
  if (predicate === null || ctx.depth + predicate.depth > ctx.settings.maxDepth) return UNKNOWN;
  let answer: Answer;
  try {
    answer = await predicate.run(ctx, arg);
  } catch (err) {
    // An FQL error (an invalid ref, say) is the evaluator's to report, at its position. Anything
    // else (the storage failing) is the transaction's: it must not be read again after that.
    if (err instanceof FaunaError) return UNKNOWN;
    throw err;
  }
  if (answer !== UNKNOWN) ctx.meter.calls += predicate.calls;
  return answer;
}

function compileLambda(lambda: Json): Compiled | null {
  if (!isLambdaLiteral(lambda) || typeof lambda.lambda !== 'string' || lambda.lambda === '_') return null;
  return compile(lambda.expr, lambda.lambda);
}

const constant = (value: Value): Compiled => ({ calls: 0, depth: 0, run: async () => value });

/** `param` is the lambda's one parameter. */
function compile(expr: Json, param: string): Compiled | null {
  if (expr === null || typeof expr === 'string' || typeof expr === 'boolean' || typeof expr === 'number') return constant(expr);
  if (!isPlainJsonObject(expr)) return null;
  const keys = Object.keys(expr).sort().join(',');
  switch (keys) {
    case 'var':
      return expr.var === param ? { calls: 1, depth: 1, run: async (_ctx, arg) => arg } : null;
    case 'current_identity':
      return expr.current_identity === null ? { calls: 1, depth: 1, run: async (ctx) => currentIdentity(ctx) } : null;
    case 'get':
      return call(compile(expr.get, param), get);
    case 'default,from,select':
      return select(expr.select, compile(expr.from, param), expr.default);
    case 'from,select':
      return select(expr.select, compile(expr.from, param), undefined);
    case 'equals':
      return equals(expr.equals, param);
    default:
      return null;
  }
}

/** A call of one argument. */
function call(inner: Compiled | null, fn: (ctx: QueryContext, value: Value) => Promise<Answer>): Compiled | null {
  if (inner === null) return null;
  return {
    calls: inner.calls + 1,
    depth: inner.depth + 1,
    run: async (ctx, arg) => {
      const value = await inner.run(ctx, arg);
      return value === UNKNOWN ? UNKNOWN : fn(ctx, value);
    },
  };
}

/** CurrentIdentity(): a token's document; a JWT's `sub` is left to the evaluator. */
function currentIdentity(ctx: QueryContext): Answer {
  return ctx.caller.identity ?? UNKNOWN;
}

/** Get of a ref to a document of a user collection, now; anything else is the evaluator's. */
async function get(ctx: QueryContext, value: Value): Promise<Answer> {
  if (!(value instanceof Ref) || value.collection === undefined || value.collection.isNative() || ctx.snapshot !== undefined) return UNKNOWN;
  return (await readDoc(ctx, await docTarget(ctx, value))) ?? UNKNOWN;
}

/** Select with a literal path (names and indexes) and a literal default, if any (without, a missing value is the evaluator's error). */
function select(path: Json, from: Compiled | null, fallback: Json | undefined): Compiled | null {
  const steps = Array.isArray(path) ? path : [path];
  if (!steps.every((s) => typeof s === 'string' || (typeof s === 'number' && Number.isInteger(s)))) return null;
  if (fallback !== undefined && fallback !== null && typeof fallback === 'object') return null;
  const route = steps as readonly (string | number)[];
  return call(from, async (_ctx, value) => {
    const found = selectPath(value, route);
    if (found !== undefined) return found;
    return fallback === undefined ? UNKNOWN : fallback;
  });
}

/** Equals of a list of arguments, each compiled. */
function equals(items: Json, param: string): Compiled | null {
  if (!Array.isArray(items) || items.length === 0) return null;
  const parts = (items as readonly Json[]).map((item) => compile(item, param));
  if (parts.some((p) => p === null)) return null;
  const compiledParts = parts as readonly Compiled[];
  return {
    calls: 1 + compiledParts.reduce((n, p) => n + p.calls, 0),
    depth: 1 + Math.max(...compiledParts.map((p) => p.depth)),
    run: async (ctx, arg) => {
      const values: Value[] = [];
      for (const part of compiledParts) {
        const value = await part.run(ctx, arg);
        if (value === UNKNOWN) return UNKNOWN;
        values.push(value);
      }
      const [first, ...rest] = values;
      return rest.every((v) => valueEquals(first, v));
    },
  };
}
