/**
 * The evaluator: the one place where FQL gets its meaning.
 *
 * Principles:
 * - A query is wire JSON, interpreted directly: a JSON object is a call, matched by its keys
 *   to exactly one spec; `{object: {...}}` is an object literal; `@`-tagged objects are
 *   literals; arrays evaluate element by element.
 * - Storage is reached only through the transaction in the QueryContext, so an error
 *   anywhere rolls the whole query back.
 * - Errors carry the position of the sub-expression that failed, as Fauna reports it.
 */

import { FaunaError, typeError, type Position } from '../errors.ts';
import { decodeTagged, isPlainJsonObject } from '../wire.ts';
import { QueryValue, makeObject, type FaunaTime, type Json, type Value, isArray } from '../values.ts';
import { isLambdaLiteral } from './capture.ts';
import type { QueryContext } from './context.ts';
import { Env } from './env.ts';
import { FQL_NAMES } from './fql-names.ts';
import { lookAhead } from './foresight.ts';
import type { Frame, PathKey, PureContext, RawArgs, Spec } from './spec.ts';

export class SpecTable {
  private readonly byKey = new Map<string, Spec[]>();

  constructor(specs: readonly Spec[]) {
    for (const spec of specs) {
      const list = this.byKey.get(spec.key) ?? [];
      list.push(spec);
      this.byKey.set(spec.key, list);
    }
  }

  /** The one spec whose keys fit the call's keys exactly. */
  find(keys: readonly string[]): Spec | undefined {
    for (const k of keys) {
      for (const spec of this.byKey.get(k) ?? []) {
        if (fits(spec, keys)) return spec;
      }
    }
    return undefined;
  }
}

function fits(spec: Spec, keys: readonly string[]): boolean {
  const params = spec.params ?? [];
  const optional = spec.optional ?? [];
  if (!params.every((p) => keys.includes(p))) return false;
  return keys.every((k) => k === spec.key || params.includes(k) || optional.includes(k));
}

export class Evaluator {
  constructor(private readonly table: SpecTable) {}

  async evaluate(expr: Json, env: Env, ctx: QueryContext, pos: Position): Promise<Value> {
    if (expr === null || typeof expr !== 'object') return expr;
    const foreseen = ctx.foreseen;
    if (foreseen !== undefined && !foreseen.has(expr)) {
      // Reads certain to come, started together now (foresight.ts); never an error of its own.
      const started = lookAhead(this.table, expr, env, ctx, foreseen);
      if (started !== null) await started;
    }
    if (Array.isArray(expr)) return this.evaluateArray(expr, env, ctx, pos);
    const obj = expr as { readonly [k: string]: Json };
    const literal = decodeTaggedAt(obj, pos);
    if (literal !== undefined) return literal;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === 'object') return this.evaluateObject(obj.object, env, ctx, [...pos, 'object']);
    const spec = this.table.find(keys);
    if (!spec) throw unknownCall(keys, pos);
    return this.call(spec, obj, env, ctx, pos);
  }

  private async evaluateArray(expr: readonly Json[], env: Env, ctx: QueryContext, pos: Position): Promise<Value> {
    const out: Value[] = [];
    for (let i = 0; i < expr.length; i++) out.push(await this.evaluate(expr[i], env, ctx, [...pos, i]));
    return out;
  }

  private async evaluateObject(fields: Json, env: Env, ctx: QueryContext, pos: Position): Promise<Value> {
    if (!isPlainJsonObject(fields)) throw FaunaError.at('invalid expression', 'Object expected.', pos);
    const entries: (readonly [string, Value])[] = [];
    for (const k of Object.keys(fields)) entries.push([k, await this.evaluate(fields[k], env, ctx, [...pos, k])]);
    return makeObject(entries);
  }

  private async call(spec: Spec, obj: RawArgs, env: Env, ctx: QueryContext, pos: Position): Promise<Value> {
    ctx.meter.calls++;
    if (++ctx.depth > ctx.settings.maxDepth) {
      throw FaunaError.at('stack overflow', 'Call stack exceeded the maximum depth.', pos);
    }
    try {
      if (spec.kind === 'lazy') return await spec.run(obj, this.frame(ctx, env, pos));
      const args: Record<string, Value> = {};
      for (const k of Object.keys(obj)) args[k] = await this.evaluate(obj[k], env, ctx, [...pos, k]);
      return await spec.run(args, new EagerContext(this, ctx, pos));
    } catch (err) {
      if (err instanceof FaunaError && !err.absolute) throw err.prefixed(pos);
      throw err;
    } finally {
      ctx.depth--;
    }
  }

  frame(ctx: QueryContext, env: Env, pos: Position): Frame {
    return new CallFrame(this, ctx, env, pos);
  }

  /** Applies a lambda value. It closes over nothing: its free variables were captured when it was made. */
  applyValue(lambda: Value, arg: Value, ctx: QueryContext, pos: Position): Promise<Value> {
    if (!(lambda instanceof QueryValue) || !isLambdaLiteral(lambda.lambda)) {
      throw typeError('Lambda', lambda).prefixed(pos);
    }
    return this.run(lambda.lambda, arg, Env.empty, ctx, pos);
  }

  run(lambda: LambdaLiteral, arg: Value, scope: Env, ctx: QueryContext, pos: Position): Promise<Value> {
    const bindings = bindParams(lambda.lambda, arg, pos);
    return this.evaluate(lambda.expr, scope.withAll(bindings), ctx, [...pos, 'expr']);
  }
}

type LambdaLiteral = { readonly lambda: Json; readonly expr: Json };

// Frames and eager contexts are classes, not object literals of arrow functions: one is made for
// every call a query makes, and methods on a prototype cost nothing to make.

class CallFrame implements Frame {
  constructor(
    private readonly evaluator: Evaluator,
    readonly ctx: QueryContext,
    readonly env: Env,
    readonly pos: Position,
  ) {}

  eval(expr: Json, at: PathKey | readonly PathKey[], inEnv?: Env): Promise<Value> {
    return this.evaluator.evaluate(expr, inEnv ?? this.env, this.ctx, [...this.pos, ...(isArray(at) ? at : [at])]);
  }

  evalIn(other: QueryContext, expr: Json, at: PathKey): Promise<Value> {
    return this.evaluator.evaluate(expr, this.env, other, [...this.pos, at]);
  }

  async apply(lambda: Json, arg: Value, key: string): Promise<Value> {
    const at = [...this.pos, key];
    if (isLambdaLiteral(lambda)) return this.evaluator.run(lambda, arg, this.env, this.ctx, at);
    return this.evaluator.applyValue(await this.evaluator.evaluate(lambda, this.env, this.ctx, at), arg, this.ctx, at);
  }

  applyValue(lambda: Value, arg: Value, key: string): Promise<Value> {
    return this.evaluator.applyValue(lambda, arg, this.ctx, [...this.pos, key]);
  }

  applyValueIn(other: QueryContext, lambda: Value, arg: Value, key: string): Promise<Value> {
    return this.evaluator.applyValue(lambda, arg, other, [...this.pos, key]);
  }
}

class EagerContext implements PureContext {
  constructor(
    private readonly evaluator: Evaluator,
    private readonly ctx: QueryContext,
    private readonly pos: Position,
  ) {}

  get now(): FaunaTime {
    return this.ctx.now;
  }

  apply(lambda: Value, list: readonly Value[]): Promise<Value> {
    return this.evaluator.applyValue(lambda, list.length === 1 ? list[0] : list, this.ctx, [...this.pos, 'lambda']);
  }
}

/**
 * Binds a lambda's parameters: one name takes the whole argument; a list destructures an array.
 * A list of one name also takes a value that is not an array whole, as Fauna did (its
 * EvalContext binds a lone pattern to the value): `Map([1, 2], Lambda(['x'], ...))`, a page of
 * refs mapped with `Lambda(['ref'], ...)`, a function of `['email']` called with one string.
 */
export function bindParams(params: Json, arg: Value, pos: Position): Map<string, Value> {
  const bindings = new Map<string, Value>();
  if (typeof params === 'string') {
    if (params !== '_') bindings.set(params, arg);
    return bindings;
  }
  if (!Array.isArray(params) || !params.every((p): p is string => typeof p === 'string')) {
    throw FaunaError.at('invalid expression', 'Lambda parameters must be a string or an array of strings.', pos);
  }
  const args = isArray(arg) ? arg : params.length === 1 ? [arg] : null;
  if (args === null || args.length !== params.length) {
    const got = args === null ? 'Array contains 1.' : `Array contains ${args.length}.`;
    throw FaunaError.at('invalid argument', `Lambda expects an array with ${params.length} elements. ${got}`, pos);
  }
  params.forEach((p, i) => {
    if (p !== '_') bindings.set(p, args[i]);
  });
  return bindings;
}

function decodeTaggedAt(obj: { readonly [k: string]: Json }, pos: Position): Value | undefined {
  try {
    return decodeTagged(obj);
  } catch (err) {
    if (err instanceof FaunaError) throw err.prefixed(pos);
    throw err;
  }
}

function unknownCall(keys: readonly string[], pos: Position): FaunaError {
  const known = keys.map((k) => FQL_NAMES[k]).find((n) => n !== undefined);
  const description = known
    ? `${known} is not supported by this engine (see fql-engine/README.md), or its argument keys are invalid: { ${keys.join(', ')} }.`
    : `No form/function found, or invalid argument keys: { ${keys.join(', ')} }.`;
  return FaunaError.at('invalid expression', description, pos);
}
