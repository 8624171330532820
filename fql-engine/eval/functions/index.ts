/** Every FQL function that needs no storage: evaluated arguments in, a value out. */

import type { EagerSpec } from '../registry.ts';
import { convertFunctions } from './convert.ts';
import { logicFunctions } from './logic.ts';
import { numberFunctions } from './numbers.ts';
import { objectFunctions } from './objects.ts';
import { stringFunctions } from './strings.ts';
import { timeFunctions } from './time.ts';
import { typeFunctions } from './types.ts';

export const pureFunctions: readonly EagerSpec[] = [
  ...stringFunctions,
  ...numberFunctions,
  ...timeFunctions,
  ...logicFunctions,
  ...objectFunctions,
  ...typeFunctions,
  ...convertFunctions,
];
