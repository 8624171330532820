/**
 * Unique indexes under real concurrency (issue 2, §3): 20 `Create`s with the same unique term,
 * sent at once through 20 separate driver clients over HTTP (half HTTP/2, half HTTP/1.1), give
 * exactly one success and 19 `instance not unique`, and exactly one document exists afterwards.
 * On PostgreSQL the transactions truly overlap (SERIALIZABLE, a real unique index); on PGlite
 * they queue, which must give the same answer.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendRig,
  createCaseDatabase,
  connectionOf,
  postgresTarget,
  q,
  runAll,
  scopedSecret,
  type BackendName,
  type Connection,
  type Outcome,
} from './harness.ts';

const WRITERS = 20;

const schema = [
  q.CreateCollection({ name: 'users' }),
  q.CreateIndex({ name: 'users_by_email', source: q.Collection('users'), terms: [{ field: ['data', 'email'] }], unique: true }),
];

function createUser(email: string, writer: number) {
  return q.Create(q.Collection('users'), { data: { email, writer } });
}

/** What each of the writers got back: 'ok', or the Fauna error code. */
function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = o.kind === 'value' ? 'ok' : o.code;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function declareBackend(backend: BackendName): void {
  const target = backend === 'postgres' ? postgresTarget() : { url: null };
  if ('missing' in target) {
    describe.skip(`concurrent unique Creates on PostgreSQL did NOT run: ${target.missing}`, () => {
      it('20 concurrent Creates with one unique term', () => undefined);
    });
    return;
  }
  describe(`concurrent unique Creates on ${backend === 'pglite' ? 'PGlite (in memory)' : 'PostgreSQL'}, over HTTP`, () => {
    const rig = new BackendRig(backend, target.url);
    let admin: Connection;
    const writers: Connection[] = [];
    beforeAll(async () => {
      admin = connectionOf(await rig.client('http2'));
      for (let i = 0; i < WRITERS; i++) writers.push(connectionOf(await rig.client(i % 2 === 0 ? 'http2' : 'http1')));
    });
    afterAll(() => rig.close());

    it(`${WRITERS} Creates with the same unique term: one succeeds, ${WRITERS - 1} are not unique`, async () => {
      const db = await createCaseDatabase(admin);
      await runAll(admin, db, schema);
      const secret = scopedSecret(db, 'server');
      const outcomes = await Promise.all(writers.map((w, i) => w.attempt(createUser('same@example.com', i), secret)));
      expect(tally(outcomes)).toEqual({ ok: 1, 'instance not unique': WRITERS - 1 });
      const [count, matched] = await runAll(admin, db, [
        q.Count(q.Documents(q.Collection('users'))),
        q.Paginate(q.Match(q.Index('users_by_email'), 'same@example.com')),
      ]);
      expect(count).toBe(1);
      expect((matched as { data: unknown[] }).data).toHaveLength(1);
    });

    it(`${WRITERS} Creates with different terms all succeed`, async () => {
      const db = await createCaseDatabase(admin);
      await runAll(admin, db, schema);
      const secret = scopedSecret(db, 'server');
      const outcomes = await Promise.all(writers.map((w, i) => w.attempt(createUser(`user${i}@example.com`, i), secret)));
      expect(tally(outcomes)).toEqual({ ok: WRITERS });
      expect(await runAll(admin, db, [q.Count(q.Documents(q.Collection('users')))])).toEqual([WRITERS]);
    });
  });
}

declareBackend('pglite');
declareBackend('postgres');
