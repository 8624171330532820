/**
 * How FQL functions are declared. A call arrives on the wire as a JSON object whose keys
 * name the function and its parameters, e.g. `{"time_add": t, "offset": 1, "unit": "hours"}`.
 * A spec declares its primary key (`time_add`), its other required keys and its optional
 * keys; the evaluator matches a call to the one spec whose keys fit exactly.
 *
 * Two kinds:
 * - `eager`: every argument is evaluated first, then `run` gets plain values.
 * - `lazy`: `run` gets the raw argument expressions and evaluates what it needs itself
 *   (Let, If, And, Or, Lambda, Map...).
 *
 * Errors thrown from an eager `run` carry positions relative to the call (e.g. `['offset']`);
 * the evaluator prefixes the call's own position.
 */

import type { Json, Value, FaunaTime } from '../values.ts';

export type Args = Readonly<Record<string, Value>>;

/** What an eager function may know about the query it runs in. */
export interface PureContext {
  /** The transaction's time: Now() is the same everywhere in one query. */
  readonly now: FaunaTime;
  /** Applies a lambda value (as passed to Merge's `lambda`) to arguments. */
  apply(lambda: Value, args: readonly Value[]): Promise<Value>;
}

export interface EagerSpec {
  readonly kind: 'eager';
  /** The wire key that names the call, e.g. 'time_add'. */
  readonly key: string;
  /** The FQL name, for messages, e.g. 'TimeAdd'. */
  readonly name: string;
  readonly params?: readonly string[];
  readonly optional?: readonly string[];
  readonly run: (args: Args, ctx: PureContext) => Value | Promise<Value>;
}

export type RawArgs = Readonly<Record<string, Json>>;

export interface LazySpec<Ctx> {
  readonly kind: 'lazy';
  readonly key: string;
  readonly name: string;
  readonly params?: readonly string[];
  readonly optional?: readonly string[];
  readonly run: (raw: RawArgs, ctx: Ctx) => Promise<Value>;
}

export function eager(spec: Omit<EagerSpec, 'kind'>): EagerSpec {
  return { kind: 'eager', ...spec };
}
