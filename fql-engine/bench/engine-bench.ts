/**
 * `npm run bench:engine`: what FQL through the real driver costs next to the same work
 * written by hand in SQL, on the same in-process PGlite, in the same run.
 *
 * Each FQL query is one engine transaction (BEGIN … COMMIT), so the hand-written SQL runs
 * each operation in a transaction of its own too: the ratio is the price of the driver, the
 * wire codec, the evaluator and index maintenance, not of transactions.
 *
 *   npm run bench:engine -- --ops 2000
 */

import faunadb from 'faunadb';
import { performance } from 'node:perf_hooks';
import { openEngine } from '../engine.ts';
import { PgliteStorage } from '../storage/pglite.ts';
import { createInProcessFetch } from '../transport/in-process.ts';
import { formatRow, measure, type Measurement } from './measure.ts';

const q = faunadb.query;

interface Pair {
  readonly fql: Measurement;
  readonly sql: Measurement;
}

function opsFromArgs(): number {
  const i = process.argv.indexOf('--ops');
  return i > 0 ? Number(process.argv[i + 1]) : 1000;
}

async function coldStart(): Promise<number> {
  const t0 = performance.now();
  const engine = await openEngine({ adminSecret: 'secret', memory: true });
  const client = new faunadb.Client({ secret: 'secret', fetch: createInProcessFetch(engine) });
  await client.query(q.Add(1, 1));
  const ms = performance.now() - t0;
  await engine.close();
  return ms;
}

async function setupSql(storage: PgliteStorage): Promise<void> {
  await storage.raw.exec(`
    CREATE TABLE bench_sql (id bigint PRIMARY KEY, key text NOT NULL UNIQUE, data text NOT NULL, ts bigint NOT NULL);
  `);
}

async function main(): Promise<void> {
  const ops = opsFromArgs();
  const cold = await coldStart();
  // The engine owns its PGlite (as `npm run db` does); the hand-written SQL uses the same instance.
  const engine = await openEngine({ adminSecret: 'secret', memory: true });
  const storage = engine.storage;
  if (!(storage instanceof PgliteStorage)) throw new Error('the benchmark needs the PGlite backend');
  const client = new faunadb.Client({ secret: 'secret', fetch: createInProcessFetch(engine) });
  await client.query(q.CreateCollection({ name: 'bench' }));
  await client.query(q.CreateIndex({ name: 'bench_by_key', source: q.Collection('bench'), terms: [{ field: ['data', 'key'] }], unique: true }));
  await setupSql(storage);
  const sql = storage.raw;
  const refs: string[] = [];
  const sqlIds: number[] = [];
  let nextSqlId = 1;
  const now = (): number => Date.now() * 1000;
  const inTx = async (fn: () => Promise<unknown>): Promise<void> => {
    await sql.exec('BEGIN');
    await fn();
    await sql.exec('COMMIT');
  };
  const key = (i: number): string => `k${i < 0 ? `w${-i}` : i}`;
  const pick = (list: readonly string[] | readonly number[], i: number): string | number => list[Math.abs(i) % list.length];

  const pairs: Pair[] = [];
  pairs.push({
    fql: await measure('Create', ops, async (i) => {
      const doc = await client.query<{ ref: { id: string } }>(q.Create(q.Collection('bench'), { data: { key: key(i), n: i } }));
      refs.push(doc.ref.id);
    }),
    sql: await measure('INSERT', ops, async (i) => {
      const id = nextSqlId++;
      await inTx(() => sql.query('INSERT INTO bench_sql (id, key, data, ts) VALUES ($1, $2, $3, $4)', [id, key(i), JSON.stringify({ key: key(i), n: i }), now()]));
      sqlIds.push(id);
    }),
  });
  pairs.push({
    fql: await measure('Get by ref', ops, (i) => client.query(q.Get(q.Ref(q.Collection('bench'), String(pick(refs, i)))))),
    sql: await measure('SELECT by id', ops, (i) => inTx(() => sql.query('SELECT * FROM bench_sql WHERE id = $1', [pick(sqlIds, i)]))),
  });
  pairs.push({
    fql: await measure('Match on a unique index', ops, (i) => client.query(q.Get(q.Match(q.Index('bench_by_key'), key(Math.abs(i) % ops))))),
    sql: await measure('SELECT by unique key', ops, (i) => inTx(() => sql.query('SELECT * FROM bench_sql WHERE key = $1', [key(Math.abs(i) % ops)]))),
  });
  pairs.push({
    fql: await measure('Update', ops, (i) => client.query(q.Update(q.Ref(q.Collection('bench'), String(pick(refs, i))), { data: { n: i + 1 } }))),
    sql: await measure('UPDATE', ops, (i) =>
      inTx(async () => {
        const [row] = (await sql.query<{ data: string }>('SELECT data FROM bench_sql WHERE id = $1', [pick(sqlIds, i)])).rows;
        const data = { ...JSON.parse(row.data), n: i + 1 };
        await sql.query('UPDATE bench_sql SET data = $2, ts = $3 WHERE id = $1', [pick(sqlIds, i), JSON.stringify(data), now()]);
      }),
    ),
  });
  pairs.push({
    fql: await measure('Let/If upsert (3 steps)', ops, (i) =>
      client.query(
        q.Let(
          { m: q.Match(q.Index('bench_by_key'), key(i % (ops * 2))), found: q.Exists(q.Var('m')) },
          q.If(q.Var('found'), q.Update(q.Select('ref', q.Get(q.Var('m'))), { data: { n: i } }), q.Create(q.Collection('bench'), { data: { key: key(i % (ops * 2)), n: i } })),
        ),
      ),
    ),
    sql: await measure('SELECT + UPDATE or INSERT', ops, (i) =>
      inTx(async () => {
        const k = key(i % (ops * 2));
        const [row] = (await sql.query<{ id: number; data: string }>('SELECT id, data FROM bench_sql WHERE key = $1', [k])).rows;
        if (row) await sql.query('UPDATE bench_sql SET data = $2, ts = $3 WHERE id = $1', [row.id, JSON.stringify({ ...JSON.parse(row.data), n: i }), now()]);
        else await sql.query('INSERT INTO bench_sql (id, key, data, ts) VALUES ($1, $2, $3, $4)', [nextSqlId++, k, JSON.stringify({ key: k, n: i }), now()]);
      }),
    ),
  });

  console.log(`fql-engine benchmark: ${ops} operations each, in-process PGlite, one run\n`);
  for (const { fql, sql: raw } of pairs) {
    console.log(formatRow(fql));
    console.log(formatRow(raw));
    console.log(`${''.padEnd(34)} ratio FQL/SQL: ${(raw.opsPerSec / fql.opsPerSec).toFixed(2)}x time per op\n`);
  }
  console.log(`cold start (open from snapshot → first answered query): ${cold.toFixed(0)} ms`);
  await engine.close();
}

await main();
