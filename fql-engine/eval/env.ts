/** Variable scopes: immutable and chained, so a closure can never see a later binding. */

import type { Value } from '../values.ts';

export class Env {
  static readonly empty = new Env(undefined, new Map());

  private constructor(
    private readonly parent: Env | undefined,
    private readonly vars: ReadonlyMap<string, Value>,
  ) {}

  lookup(name: string): Value | undefined {
    return Env.binding(this, name)?.vars.get(name);
  }

  has(name: string): boolean {
    return Env.binding(this, name) !== undefined;
  }

  /** The nearest environment, from `start` outwards, that binds `name`. */
  private static binding(start: Env, name: string): Env | undefined {
    for (let env: Env | undefined = start; env; env = env.parent) {
      if (env.vars.has(name)) return env;
    }
    return undefined;
  }

  with(name: string, value: Value): Env {
    return new Env(this, new Map([[name, value]]));
  }

  withAll(bindings: ReadonlyMap<string, Value>): Env {
    return bindings.size === 0 ? this : new Env(this, bindings);
  }
}
