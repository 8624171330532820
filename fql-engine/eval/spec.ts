/**
 * How an FQL function is declared. Adding one means writing a spec with one of the three
 * builders below and listing it in the table (table.ts); nothing else needs to know.
 *
 * A call arrives on the wire as a JSON object whose keys name the function and its parameters,
 * e.g. `{"time_add": t, "offset": 1, "unit": "hours"}`. A spec declares its primary key
 * (`time_add`), its other required keys (`params`) and its optional keys; the evaluator matches
 * a call to the one spec whose keys fit exactly.
 *
 * Three kinds, from the least access to the most (the evaluator evaluates the arguments of the
 * first two itself):
 * - `eager`: every argument is evaluated first; `run` gets plain values and a PureContext (the
 *   query's time, a way to apply a lambda value). It never sees storage, so it is tested
 *   without any (functions/).
 * - `effect`: every argument is evaluated first too, but `run` gets the Frame: the query's
 *   transaction, database and caller (Get, Create, Paginate...).
 * - `lazy`: `run` gets the raw argument expressions and evaluates what it needs itself through
 *   the Frame (Let, If, And, Or, Lambda, Map...).
 *
 * Errors thrown from `run` carry positions relative to the call (e.g. `['offset']`); the
 * evaluator prefixes the call's own position.
 */

import type { Position } from '../errors.ts';
import type { FaunaTime, Json, Value } from '../values.ts';
import type { QueryContext } from './context.ts';
import type { Env } from './env.ts';
import type { MaybeAsync } from './maybe-async.ts';

/** A call's arguments, evaluated. */
export type Args = Readonly<Record<string, Value>>;

/** A call's arguments as written: expressions not evaluated yet. */
export type RawArgs = Readonly<Record<string, Json>>;

/** What an eager function may know about the query it runs in. */
export interface PureContext {
  /** The transaction's time: Now() is the same everywhere in one query. */
  readonly now: FaunaTime;
  /** Applies a lambda value (as passed to Merge's `lambda`) to arguments. */
  apply(lambda: Value, args: readonly Value[]): Promise<Value>;
}

export type PathKey = string | number;

/**
 * What an effect or a lazy form gets: its place in the query, and ways to evaluate sub-expressions
 * there. Each answers a value at once when nothing under it waited (maybe-async.ts).
 */
export interface Frame {
  readonly ctx: QueryContext;
  readonly env: Env;
  readonly pos: Position;
  /** Evaluates `expr`, found at `at` (a key or a path) under this call, in `env` (default: this frame's). */
  eval(expr: Json, at: PathKey | readonly PathKey[], env?: Env): MaybeAsync<Value>;
  /** The same, in another context of the query (At's snapshot). */
  evalIn(ctx: QueryContext, expr: Json, at: PathKey): MaybeAsync<Value>;
  /**
   * Applies the lambda written under `key` to one argument: a Lambda literal closes over this
   * frame's variables; any other expression is evaluated and must give a lambda value.
   */
  apply(lambda: Json, arg: Value, key: string): MaybeAsync<Value>;
  /** Applies a lambda value (from Query, a stored function, or a Lambda held in a variable). */
  applyValue(lambda: Value, arg: Value, key: string): MaybeAsync<Value>;
  /** The same, in another context (a function running with its own role). */
  applyValueIn(ctx: QueryContext, lambda: Value, arg: Value, key: string): MaybeAsync<Value>;
}

/** The keys a spec answers to, and its name. */
interface Signature {
  /** The wire key that names the call, e.g. 'time_add'. */
  readonly key: string;
  /** The FQL name, for messages, e.g. 'TimeAdd'. */
  readonly name: string;
  readonly params?: readonly string[];
  readonly optional?: readonly string[];
}

export interface EagerSpec extends Signature {
  readonly kind: 'eager';
  readonly run: (args: Args, ctx: PureContext) => Value | Promise<Value>;
}

export interface LazySpec extends Signature {
  readonly kind: 'lazy';
  /** May answer at once (Var, Lambda): the evaluator then goes on without a promise. */
  readonly run: (raw: RawArgs, frame: Frame) => MaybeAsync<Value>;
  /** A lazy form evaluates what it chooses: foresight.ts looks into each one its own way. */
  readonly evaluatesAll?: false;
}

export interface EffectSpec extends Signature {
  readonly kind: 'effect';
  readonly run: (args: Args, frame: Frame) => Promise<Value>;
  /** Every argument is evaluated, first thing, so reads in them can be foreseen (foresight.ts). */
  readonly evaluatesAll: true;
}

export type Spec = EagerSpec | LazySpec | EffectSpec;

export function eager(spec: Signature & { readonly run: EagerSpec['run'] }): EagerSpec {
  return { kind: 'eager', ...spec };
}

export function lazy(spec: Signature & { readonly run: LazySpec['run'] }): LazySpec {
  return { kind: 'lazy', ...spec };
}

export function effect(spec: Signature & { readonly run: EffectSpec['run'] }): EffectSpec {
  return { kind: 'effect', evaluatesAll: true, ...spec };
}
