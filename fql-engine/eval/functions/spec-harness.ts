/**
 * Test support: calls a pure function the way the evaluator would, by matching the call's
 * keys against the specs in `pureFunctions` (so a spec missing from table.ts fails too).
 */

import { FaunaError } from '../../errors.ts';
import { FaunaTime, type Value } from '../../values.ts';
import type { EagerSpec, PureContext } from '../spec.ts';
import { pureFunctions } from '../table.ts';

/** 2023-11-14T22:13:20.123456789Z */
export const NOW = new FaunaTime(1_700_000_000_123_456_789n);

type Apply = PureContext['apply'];

const noLambdas: Apply = () => Promise.reject(new Error('this test passes no lambda'));

function fits(spec: EagerSpec, keys: readonly string[]): boolean {
  const params = spec.params ?? [];
  const optional = spec.optional ?? [];
  return params.every((p) => keys.includes(p)) && keys.every((k) => k === spec.key || params.includes(k) || optional.includes(k));
}

export function specFor(call: Readonly<Record<string, Value>>): EagerSpec {
  const keys = Object.keys(call);
  const spec = pureFunctions.find((s) => keys.includes(s.key) && fits(s, keys));
  if (!spec) throw new Error(`no spec fits ${keys.join(', ')}`);
  return spec;
}

/** Runs a call such as `{ time_add: t, offset: 1, unit: 'hours' }` with already evaluated arguments. */
export async function call(args: Readonly<Record<string, Value>>, apply: Apply = noLambdas): Promise<Value> {
  return specFor(args).run(args, { now: NOW, apply });
}

/** Runs a call that must fail, and returns Fauna's error for the test to inspect. */
export async function callError(args: Readonly<Record<string, Value>>, apply: Apply = noLambdas): Promise<FaunaError> {
  try {
    const v = await call(args, apply);
    throw new Error(`expected an error, got ${JSON.stringify(v)}`);
  } catch (e) {
    if (e instanceof FaunaError) return e;
    throw e;
  }
}
