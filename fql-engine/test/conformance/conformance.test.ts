/**
 * The FQL conformance suite over the matrix of storage backends × transports.
 *
 * Run time on a 2-core machine decides the shape: the FULL case list runs on in-process ×
 * PGlite, in-process × PostgreSQL and HTTP/2 × PGlite, and once more on in-process × PGlite
 * with the SQL shortcuts off (`pushdown: false`: both paths must give the same answers). The
 * remaining cells (HTTP/1.1 × PGlite, HTTP/2 and HTTP/1.1 × PostgreSQL) run a representative
 * subset of about 30 cases drawn from every topic (documents, pagination, errors, UDFs...).
 * The transports carry bytes and nothing else, so a subset there proves the wiring, while
 * every answer of the language is proven on each backend.
 */

import { describe, expect, it } from 'vitest';
import { caseGroups } from './cases/index.ts';
import { declarationProblem, representative, runMatrix, type MatrixRow } from './harness.ts';

const subset = representative(caseGroups, 30);
const SUBSET_NOTE = 'representative subset (run time)';

const matrix: readonly MatrixRow[] = [
  { backend: 'pglite', transport: 'in-process', groups: caseGroups },
  { backend: 'pglite', transport: 'http2', groups: caseGroups },
  { backend: 'pglite', transport: 'in-process', pushdown: false, groups: caseGroups },
  { backend: 'pglite', transport: 'http1', groups: subset, note: SUBSET_NOTE },
  { backend: 'postgres', transport: 'in-process', groups: caseGroups },
  { backend: 'postgres', transport: 'http2', groups: subset, note: SUBSET_NOTE },
  { backend: 'postgres', transport: 'http1', groups: subset, note: SUBSET_NOTE },
];

describe('the case lists themselves', () => {
  it('every case declares exactly one of expect and expectError', () => {
    const problems = caseGroups.flatMap((g) => g.cases.map(declarationProblem)).filter((p) => p !== null);
    expect(problems).toEqual([]);
  });

  it('case names are unique within each topic', () => {
    const duplicates = caseGroups.flatMap((g) => g.cases.map((c) => c.name).filter((n, i, all) => all.indexOf(n) !== i));
    expect(duplicates).toEqual([]);
  });

  it('the subset draws from every topic', () => {
    expect(subset.map((g) => g.topic)).toEqual(caseGroups.map((g) => g.topic));
    expect(subset.every((g) => g.cases.length >= 2)).toBe(true);
  });
});

runMatrix(matrix);
