/**
 * The README's "Known differences from Fauna" is the list in known-differences.ts, whose cases
 * the conformance suite runs: same numbers, same words (the README wraps them as it likes).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownDifferences } from './known-differences.ts';

const README = new URL('../../README.md', import.meta.url);
const SECTION = '## Known differences from Fauna';

/** The numbered items of the README's section, each with its lines joined into one. */
function readmeItems(): { number: number; text: string }[] {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(SECTION);
  expect(start, `fql-engine/README.md has no "${SECTION}" section`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n## ', start + SECTION.length);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return section
    .split(/\n(?=\d+\. )/)
    .slice(1)
    .map((item) => {
      const match = /^(\d+)\. ([\s\S]*)$/.exec(item) as RegExpExecArray;
      return { number: Number(match[1]), text: oneLine(match[2]) };
    });
}

function oneLine(text: string): string {
  return text.split(/\s+/).filter((word) => word !== '').join(' ');
}

describe('the README lists the known differences', () => {
  it('as known-differences.ts has them, number for number and word for word', () => {
    const expected = knownDifferences.map((d) => ({ number: d.number, text: oneLine(d.summary) }));
    expect(readmeItems()).toEqual(expected);
  });
});
