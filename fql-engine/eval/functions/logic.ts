/**
 * Not, Equals and the comparisons. And/Or short-circuit, so the evaluator owns them.
 * Comparisons use the one total order of ordering.ts, so values of different types compare
 * by Fauna's type precedence (any Number < any String...) instead of failing.
 */

import { compareValues } from '../../ordering.ts';
import { valueEquals } from '../../values.ts';
import { eager, type EagerSpec } from '../spec.ts';
import { booleanAt, items, unary } from './common.ts';

/** True when every neighbouring pair satisfies `ok`; so one argument (or none) is always true. */
function chain(key: string, name: string, ok: (order: number) => boolean): EagerSpec {
  return eager({
    key,
    name,
    run: (args) => {
      const list = items(args, key).map((i) => i.value);
      for (let i = 0; i + 1 < list.length; i++) {
        if (!ok(compareValues(list[i], list[i + 1]))) return false;
      }
      return true;
    },
  });
}

const equals = eager({
  key: 'equals',
  name: 'Equals',
  run: (args) => {
    const [first, ...rest] = items(args, 'equals').map((i) => i.value);
    return rest.every((v) => valueEquals(first, v));
  },
});

export const logicFunctions: readonly EagerSpec[] = [
  unary('not', 'Not', (v, k) => !booleanAt({ value: v, position: [k] })),
  equals,
  chain('lt', 'LT', (o) => o < 0),
  chain('lte', 'LTE', (o) => o <= 0),
  chain('gt', 'GT', (o) => o > 0),
  chain('gte', 'GTE', (o) => o >= 0),
];
