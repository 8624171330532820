/**
 * Identity, roles and document TTL sessions (issue 3): cases where a token's or a key's secret
 * is a second caller, or where the engine's clock moves past a ttl between queries.
 *
 * Same shape as conformance.test.ts, smaller: every session runs on in-process × PGlite,
 * HTTP/2 × PGlite, in-process × PGlite with the SQL shortcuts off, and in-process ×
 * PostgreSQL. The transports carry bytes only; the remaining cells would prove nothing new.
 */

import { describe, expect, it } from 'vitest';
import { identitySessionCases } from './cases/identity.ts';
import { moveSessionCases } from './cases/move-database.ts';
import { roleSessionCases } from './cases/roles.ts';
import { ttlSessionCases } from './cases/ttl.ts';
import { runSessionMatrix, sessionProblem, type SessionGroup, type SessionRow } from './identity-harness.ts';

const groups: readonly SessionGroup[] = [
  { topic: 'identity and tokens', cases: identitySessionCases },
  { topic: 'roles', cases: roleSessionCases },
  { topic: 'document ttl', cases: ttlSessionCases },
  { topic: 'MoveDatabase', cases: moveSessionCases },
];

const matrix: readonly SessionRow[] = [
  { backend: 'pglite', transport: 'in-process', groups },
  { backend: 'pglite', transport: 'http2', groups },
  { backend: 'pglite', transport: 'in-process', pushdown: false, groups },
  { backend: 'postgres', transport: 'in-process', groups },
];

describe('the session lists themselves', () => {
  it('every session asserts at least one step, each with one expectation', () => {
    const problems = groups.flatMap((g) => g.cases.map(sessionProblem)).filter((p) => p !== null);
    expect(problems).toEqual([]);
  });

  it('session names are unique within each topic', () => {
    const duplicates = groups.flatMap((g) => g.cases.map((c) => c.name).filter((n, i, all) => all.indexOf(n) !== i));
    expect(duplicates).toEqual([]);
  });

  it('a session that asserts nothing is refused', () => {
    expect(sessionProblem({ name: 'empty', steps: [{ query: 1 }] })).toMatch(/asserts nothing/);
    expect(sessionProblem({ name: 'both', steps: [{ query: 1, expect: 1, expectError: 'invalid argument' }] })).toMatch(/not both/);
  });
});

runSessionMatrix(matrix);
