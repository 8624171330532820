/**
 * The whole language: every spec the evaluator knows, in one table. A new FQL function is
 * declared as spec.ts says, in the group file it belongs to, and its group is listed here.
 * Sum, Mean, Any, All, Min and Max are written for arrays; here they also learn to read pages and sets.
 */

import { SetValue, Ref, valueEquals, type Value } from '../values.ts';
import { effect, type EagerSpec, type Spec } from './spec.ts';
import { SpecTable } from './evaluate.ts';
import { aggregateShape, collectionFunctions, listOf } from './forms/collections.ts';
import { controlForms } from './forms/control.ts';
import { dataFunctions } from './forms/data.ts';
import { refFunctions } from './forms/refs.ts';
import { identityFunctions } from './forms/identity.ts';
import { convertFunctions } from './functions/convert.ts';
import { logicFunctions } from './functions/logic.ts';
import { numberFunctions } from './functions/numbers.ts';
import { objectFunctions } from './functions/objects.ts';
import { stringFunctions } from './functions/strings.ts';
import { timeFunctions } from './functions/time.ts';
import { typeFunctions } from './functions/types.ts';

/** The functions that need the query (its storage, variables or unevaluated arguments): forms/. */
const queryFunctions: readonly Spec[] = [...controlForms, ...refFunctions, ...dataFunctions, ...identityFunctions, ...collectionFunctions];

/** The functions that need no storage, evaluated arguments in and a value out: functions/. */
export const pureFunctions: readonly EagerSpec[] = [
  ...stringFunctions,
  ...numberFunctions,
  ...timeFunctions,
  ...logicFunctions,
  ...objectFunctions,
  ...typeFunctions,
  ...convertFunctions,
];

const AGGREGATES = new Set(['sum', 'mean', 'any', 'all', 'min', 'max']);

/** An array aggregate that also accepts a page or a set, by listing it first. */
function readingCollections(spec: EagerSpec): Spec {
  return effect({
    key: spec.key,
    name: spec.name,
    params: spec.params,
    optional: spec.optional,
    run: async (args, f) => {
      const v: Value = args[spec.key];
      const needsListing = v instanceof SetValue || (v instanceof Ref && v.isNative()) || !Array.isArray(v);
      const list = needsListing ? await listOf(f.ctx, v, spec.key) : v;
      const result = await spec.run({ ...args, [spec.key]: list }, { now: f.ctx.now, apply: () => Promise.reject(new Error('no lambda')) });
      return aggregateShape(v, result);
    },
  });
}

/** ContainsValue of a set: is the value one of its elements (Fauna reads the set at the value). */
function containsInSets(spec: EagerSpec): Spec {
  return effect({
    key: spec.key,
    name: spec.name,
    params: spec.params,
    optional: spec.optional,
    run: async (args, f) => {
      if (!(args.in instanceof SetValue)) return spec.run(args, { now: f.ctx.now, apply: () => Promise.reject(new Error('no lambda')) });
      const elements = await listOf(f.ctx, args.in, 'in');
      return elements.some((e) => valueEquals(e, args[spec.key]));
    },
  });
}

/** Every spec the evaluator knows. */
export function allSpecs(): readonly Spec[] {
  const pure = pureFunctions.map((s) => (AGGREGATES.has(s.key) ? readingCollections(s) : s.key === 'contains_value' ? containsInSets(s) : s));
  return [...queryFunctions, ...pure];
}

export function buildSpecTable(): SpecTable {
  return new SpecTable(allSpecs());
}
