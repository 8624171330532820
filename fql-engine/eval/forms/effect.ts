/**
 * `effect` declares a function that evaluates all its arguments first (like an eager one)
 * but needs the query itself: its transaction, database, caller. Pure functions never get
 * that access, which keeps them testable without storage.
 */

import type { Value } from '../../values.ts';
import type { Frame, Spec } from '../evaluate.ts';
import type { Args } from '../registry.ts';

export interface EffectSpec {
  readonly key: string;
  readonly name: string;
  readonly params?: readonly string[];
  readonly optional?: readonly string[];
  readonly run: (args: Args, frame: Frame) => Promise<Value>;
}

export function effect(spec: EffectSpec): Spec {
  return {
    kind: 'lazy',
    key: spec.key,
    name: spec.name,
    params: spec.params,
    optional: spec.optional,
    run: async (raw, frame) => {
      const args: Record<string, Value> = {};
      for (const k of Object.keys(raw)) args[k] = await frame.eval(raw[k], k);
      return spec.run(args, frame);
    },
  };
}
