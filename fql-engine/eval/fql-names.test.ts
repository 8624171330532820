import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FQL_NAMES_FILE, renderFqlNames } from '../scripts/fql-names.ts';
import { FQL_NAMES } from './fql-names.ts';
import { allSpecs } from './table.ts';

describe('eval/fql-names.ts', () => {
  it('is what scripts/fql-names.ts generates from the installed driver (npm run generate -w fql-engine)', () => {
    expect(readFileSync(FQL_NAMES_FILE, 'utf8')).toBe(renderFqlNames());
  });

  it("gives every spec in the table the driver's name for its key", () => {
    // `{ref: "collections/x/1"}` is the legacy string form of Ref; today's driver sends `@ref`.
    const specs = allSpecs().filter((spec) => spec.key !== 'ref');
    expect(specs.length).toBeGreaterThan(150);
    const wrong = specs.filter((spec) => FQL_NAMES[spec.key] !== spec.name).map((spec) => `${spec.key}: ${spec.name}`);
    expect(wrong).toEqual([]);
  });
});
