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
 * - A node answers at once when nothing under it waits for storage, and with a promise only
 *   when something does (maybe-async.ts); its position is a chain (path.ts) made into an array
 *   only for an error. Both keep the cost of a node that reads nothing (a Var, a Select, an
 *   object literal) to the work it does: issue 15's list evaluates hundreds of them per query.
 */

import { FaunaError, typeError, type Position } from '../errors.ts';
import { decodeTagged, isPlainJsonObject } from '../wire.ts';
import { QueryValue, setOwnField, type FaunaTime, type Json, type ObjectValue, type Value, isArray } from '../values.ts';
import { isLambdaLiteral } from './capture.ts';
import type { QueryContext } from './context.ts';
import { Env } from './env.ts';
import { FQL_NAMES } from './fql-names.ts';
import { lookAhead } from './foresight.ts';
import { andThen, settled, type MaybeAsync } from './maybe-async.ts';
import { Path } from './path.ts';
import type { Args, EagerSpec, EffectSpec, Frame, PathKey, PureContext, RawArgs, Spec } from './spec.ts';

/** A spec with its keys as sets, so that matching a call's keys is a few lookups. */
interface Candidate {
  readonly spec: Spec;
  readonly required: readonly string[];
  readonly allowed: ReadonlySet<string>;
}

export class SpecTable {
  private readonly byKey = new Map<string, Candidate[]>();

  constructor(specs: readonly Spec[]) {
    for (const spec of specs) {
      const required = spec.params ?? [];
      const candidate: Candidate = { spec, required, allowed: new Set([spec.key, ...required, ...(spec.optional ?? [])]) };
      const list = this.byKey.get(spec.key) ?? [];
      list.push(candidate);
      this.byKey.set(spec.key, list);
    }
  }

  /** The one spec whose keys fit the call's keys exactly. */
  find(keys: readonly string[]): Spec | undefined {
    for (const k of keys) {
      const candidates = this.byKey.get(k);
      if (candidates === undefined) continue;
      for (const candidate of candidates) {
        if (fits(candidate, keys)) return candidate.spec;
      }
    }
    return undefined;
  }
}

/** Every required key is there, and every key is the spec's own, a parameter or an optional one. */
function fits(candidate: Candidate, keys: readonly string[]): boolean {
  for (const p of candidate.required) {
    if (!keys.includes(p)) return false;
  }
  for (const k of keys) {
    if (!candidate.allowed.has(k)) return false;
  }
  return true;
}

type CallExpr = { readonly [k: string]: Json };

export class Evaluator {
  constructor(private readonly table: SpecTable) {}

  /** Evaluates `expr` for a caller outside the evaluator (a query, at `[]`), always answering a promise. */
  evaluate(expr: Json, env: Env, ctx: QueryContext, pos: Position): Promise<Value> {
    return settled(() => this.eval(expr, env, ctx, Path.of(pos)));
  }

  /**
   * Evaluates `expr`, found at `at`: its value at once when nothing in it waits, else a promise of
   * it. `ahead`: the expressions looked ahead of already (foresight.ts), or null once this one has
   * been (or when the query looks ahead of nothing). A query may nest as deep as limits.ts lets
   * it, and each level of nesting costs this recursion a few stack frames (here, call and
   * evalFields): they are written as loops that call back here, not through inOrder's callbacks,
   * so that it stays as few as when every level was an async function.
   */
  eval(expr: Json, env: Env, ctx: QueryContext, at: Path, ahead: WeakSet<object> | null = ctx.foreseen ?? null): MaybeAsync<Value> {
    if (expr === null || typeof expr !== 'object') return expr;
    if (ahead !== null && !ahead.has(expr)) {
      // Reads certain to come, started together now (foresight.ts); never an error of its own.
      const started = lookAhead(this.table, expr, env, ctx, ahead);
      if (started !== null) return started.then(() => this.eval(expr, env, ctx, at, null));
    }
    if (isArray(expr)) return this.evalItems(expr, env, ctx, at);
    const keys = Object.keys(expr);
    if (keys.length === 1) {
      if (keys[0] === 'object') return this.evalObject(expr.object, env, ctx, at.child('object'));
      if (keys[0].startsWith('@')) {
        const literal = decodeTaggedAt(expr, at);
        if (literal !== undefined) return literal;
      }
    }
    const spec = this.table.find(keys);
    if (!spec) throw unknownCall(keys, at.toPosition());
    return this.call(spec, expr, keys, env, ctx, at);
  }

  /** An array's items, in order, each at its index. */
  private evalItems(items: readonly Json[], env: Env, ctx: QueryContext, at: Path): MaybeAsync<Value[]> {
    const out: Value[] = [];
    for (let i = 0; i < items.length; i++) {
      const v = this.eval(items[i], env, ctx, at.child(i));
      if (v instanceof Promise) return this.finishItems(items, env, ctx, at, out, v);
      out.push(v);
    }
    return out;
  }

  private async finishItems(items: readonly Json[], env: Env, ctx: QueryContext, at: Path, out: Value[], pending: Promise<Value>): Promise<Value[]> {
    out.push(await pending);
    for (let i = out.length; i < items.length; i++) out.push(await this.eval(items[i], env, ctx, at.child(i)));
    return out;
  }

  /** The fields of an object literal, or the arguments of a call, named by `keys`: in order, each at its key. */
  private evalFields(fields: RawArgs, keys: readonly string[], env: Env, ctx: QueryContext, at: Path): MaybeAsync<Value[]> {
    const out: Value[] = [];
    for (let i = 0; i < keys.length; i++) {
      const v = this.eval(fields[keys[i]], env, ctx, at.child(keys[i]));
      if (v instanceof Promise) return this.finishFields(fields, keys, env, ctx, at, out, v);
      out.push(v);
    }
    return out;
  }

  private async finishFields(
    fields: RawArgs,
    keys: readonly string[],
    env: Env,
    ctx: QueryContext,
    at: Path,
    out: Value[],
    pending: Promise<Value>,
  ): Promise<Value[]> {
    out.push(await pending);
    for (let i = out.length; i < keys.length; i++) out.push(await this.eval(fields[keys[i]], env, ctx, at.child(keys[i])));
    return out;
  }

  private evalObject(fields: Json, env: Env, ctx: QueryContext, at: Path): MaybeAsync<Value> {
    if (!isPlainJsonObject(fields)) throw FaunaError.at('invalid expression', 'Object expected.', at.toPosition());
    const keys = Object.keys(fields);
    return andThen(this.evalFields(fields, keys, env, ctx, at), (values) => objectOf(keys, values));
  }

  private call(spec: Spec, obj: RawArgs, keys: readonly string[], env: Env, ctx: QueryContext, at: Path): MaybeAsync<Value> {
    ctx.meter.calls++;
    if (++ctx.depth > ctx.settings.maxDepth) {
      throw FaunaError.at('stack overflow', 'Call stack exceeded the maximum depth.', at.toPosition());
    }
    let result: MaybeAsync<Value>;
    try {
      if (spec.kind === 'lazy') {
        result = spec.run(obj, new CallFrame(this, ctx, env, at));
      } else {
        const values = this.evalFields(obj, keys, env, ctx, at);
        result = andThen(values, (vs) => this.runWith(spec, argsOf(keys, vs), env, ctx, at));
      }
    } catch (err) {
      ctx.depth--;
      throw located(err, at);
    }
    if (result instanceof Promise) return this.finishCall(result, ctx, at);
    ctx.depth--;
    return result;
  }

  /** Runs an eager function or an effect on its evaluated arguments. */
  private runWith(spec: EagerSpec | EffectSpec, args: Args, env: Env, ctx: QueryContext, at: Path): MaybeAsync<Value> {
    if (spec.kind === 'eager') return spec.run(args, new EagerContext(this, ctx, at));
    return spec.run(args, new CallFrame(this, ctx, env, at));
  }

  /** The end of a call that waits: the depth is given back, and an error placed, when it answers. */
  private async finishCall(pending: Promise<Value>, ctx: QueryContext, at: Path): Promise<Value> {
    try {
      return await pending;
    } catch (err) {
      throw located(err, at);
    } finally {
      ctx.depth--;
    }
  }

  /** Applies a lambda value. It closes over nothing: its free variables were captured when it was made. */
  applyValue(lambda: Value, arg: Value, ctx: QueryContext, pos: Position): Promise<Value> {
    return settled(() => this.applyAt(lambda, arg, ctx, Path.of(pos)));
  }

  applyAt(lambda: Value, arg: Value, ctx: QueryContext, at: Path): MaybeAsync<Value> {
    if (!(lambda instanceof QueryValue) || !isLambdaLiteral(lambda.lambda)) {
      throw typeError('Lambda', lambda).prefixed(at.toPosition());
    }
    return this.run(lambda.lambda, arg, Env.empty, ctx, at);
  }

  run(lambda: LambdaLiteral, arg: Value, scope: Env, ctx: QueryContext, at: Path): MaybeAsync<Value> {
    const bindings = bindParams(lambda.lambda, arg, at);
    return this.eval(lambda.expr, scope.withAll(bindings), ctx, at.child('expr'));
  }
}

type LambdaLiteral = { readonly lambda: Json; readonly expr: Json };

/** A call's evaluated arguments, by key (assigned as the evaluator always has: `__proto__` is no argument key). */
function argsOf(keys: readonly string[], values: readonly Value[]): Args {
  const args: Record<string, Value> = {};
  for (let i = 0; i < keys.length; i++) args[keys[i]] = values[i];
  return args;
}

function objectOf(keys: readonly string[], values: readonly Value[]): ObjectValue {
  const out: Record<string, Value> = {};
  for (let i = 0; i < keys.length; i++) setOwnField(out, keys[i], values[i]);
  return out;
}

/** An error from a call, its position made absolute by the call's (once: an absolute one stays). */
function located(err: unknown, at: Path): unknown {
  return err instanceof FaunaError && !err.absolute ? err.prefixed(at.toPosition()) : err;
}

// Frames and eager contexts are classes, not object literals of arrow functions: one is made for
// every call a query makes, and methods on a prototype cost nothing to make.

class CallFrame implements Frame {
  constructor(
    private readonly evaluator: Evaluator,
    readonly ctx: QueryContext,
    readonly env: Env,
    private readonly at: Path,
  ) {}

  get pos(): Position {
    return this.at.toPosition();
  }

  eval(expr: Json, at: PathKey | readonly PathKey[], inEnv?: Env): MaybeAsync<Value> {
    return this.evaluator.eval(expr, inEnv ?? this.env, this.ctx, this.at.append(at));
  }

  evalIn(other: QueryContext, expr: Json, at: PathKey): MaybeAsync<Value> {
    return this.evaluator.eval(expr, this.env, other, this.at.child(at));
  }

  apply(lambda: Json, arg: Value, key: string): MaybeAsync<Value> {
    const at = this.at.child(key);
    if (isLambdaLiteral(lambda)) return this.evaluator.run(lambda, arg, this.env, this.ctx, at);
    return andThen(this.evaluator.eval(lambda, this.env, this.ctx, at), (fn) => this.evaluator.applyAt(fn, arg, this.ctx, at));
  }

  applyValue(lambda: Value, arg: Value, key: string): MaybeAsync<Value> {
    return this.evaluator.applyAt(lambda, arg, this.ctx, this.at.child(key));
  }

  applyValueIn(other: QueryContext, lambda: Value, arg: Value, key: string): MaybeAsync<Value> {
    return this.evaluator.applyAt(lambda, arg, other, this.at.child(key));
  }
}

class EagerContext implements PureContext {
  constructor(
    private readonly evaluator: Evaluator,
    private readonly ctx: QueryContext,
    private readonly at: Path,
  ) {}

  get now(): FaunaTime {
    return this.ctx.now;
  }

  apply(lambda: Value, list: readonly Value[]): Promise<Value> {
    return settled(() => this.evaluator.applyAt(lambda, list.length === 1 ? list[0] : list, this.ctx, this.at.child('lambda')));
  }
}

/**
 * Binds a lambda's parameters: one name takes the whole argument; a list destructures an array.
 * A list of one name also takes a value that is not an array whole, as Fauna did (its
 * EvalContext binds a lone pattern to the value): `Map([1, 2], Lambda(['x'], ...))`, a page of
 * refs mapped with `Lambda(['ref'], ...)`, a function of `['email']` called with one string.
 */
export function bindParams(params: Json, arg: Value, at: Path): Map<string, Value> {
  const bindings = new Map<string, Value>();
  if (typeof params === 'string') {
    if (params !== '_') bindings.set(params, arg);
    return bindings;
  }
  if (!Array.isArray(params) || !params.every((p): p is string => typeof p === 'string')) {
    throw FaunaError.at('invalid expression', 'Lambda parameters must be a string or an array of strings.', at.toPosition());
  }
  const args = isArray(arg) ? arg : params.length === 1 ? [arg] : null;
  if (args === null || args.length !== params.length) {
    const got = args === null ? 'Array contains 1.' : `Array contains ${args.length}.`;
    throw FaunaError.at('invalid argument', `Lambda expects an array with ${params.length} elements. ${got}`, at.toPosition());
  }
  params.forEach((p, i) => {
    if (p !== '_') bindings.set(p, args[i]);
  });
  return bindings;
}

function decodeTaggedAt(obj: CallExpr, at: Path): Value | undefined {
  try {
    return decodeTagged(obj);
  } catch (err) {
    if (err instanceof FaunaError) throw err.prefixed(at.toPosition());
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
