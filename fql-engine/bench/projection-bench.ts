/**
 * The price of evaluation, for `npm run bench:engine`: a page of 50 documents read, filtered,
 * reversed and projected to four fields each (what an app's list of sessions asks: issue 15),
 * next to the same rows read and projected by hand in SQL and JavaScript, and next to the same
 * page answered as whole documents (no Filter, no projection), measured in turns in the same run.
 *
 * The reads are alike in all three; what the projected query adds to the page of whole
 * documents is evaluation (about ten nodes per document: a Filter's Not and Select, an object
 * of four Selects), less the encoding of the fields it leaves out. Its rows print after the
 * pairs; no issue sets a target on them, so they add no verdict.
 */

import faunadb from 'faunadb';
import { formatRounds, formatRow, measureInTurns } from './measure.ts';

const q = faunadb.query;

/** Documents per owner: one page, as the sessions list reads at most 50. */
const PAGE = 50;
/** Owners, so that consecutive queries read different pages. */
const OWNERS = 8;

/** What runs the hand-written SQL: the benchmark's PGlite, `query()` as SQL is usually written. */
export interface SqlQuery {
  query<R>(text: string, params: readonly unknown[]): Promise<{ rows: R[] }>;
  exec(text: string): Promise<unknown>;
}

interface Owned {
  readonly created_at: string;
  readonly last_used_at: string;
  readonly user_agent: string;
  readonly revoked: boolean;
}

function owned(owner: number, n: number): Owned {
  const at = new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
  return { created_at: at, last_used_at: at, user_agent: `agent ${n % 5}`, revoked: n % 10 === 9 };
}

async function seedFql(client: faunadb.Client): Promise<void> {
  await client.query(q.CreateCollection({ name: 'bench_owned' }));
  await client.query(q.CreateIndex({ name: 'bench_owned_by_owner', source: q.Collection('bench_owned'), terms: [{ field: ['data', 'owner'] }] }));
  for (let owner = 0; owner < OWNERS; owner++) {
    const docs = Array.from({ length: PAGE }, (_, n) => {
      const d = owned(owner, n);
      return { owner, created_at: q.Time(d.created_at), last_used_at: q.Time(d.last_used_at), user_agent: d.user_agent, revoked: d.revoked };
    });
    await client.query(q.Foreach(docs, q.Lambda('d', q.Create(q.Collection('bench_owned'), { data: q.Var('d') }))));
  }
}

async function seedSql(sql: SqlQuery): Promise<void> {
  await sql.exec('CREATE TABLE bench_owned_sql (id bigint PRIMARY KEY, owner int NOT NULL, data text NOT NULL, ts bigint NOT NULL)');
  await sql.exec('CREATE INDEX bench_owned_sql_owner ON bench_owned_sql (owner, id)');
  let id = 1;
  for (let owner = 0; owner < OWNERS; owner++) {
    for (let n = 0; n < PAGE; n++) {
      await sql.query('INSERT INTO bench_owned_sql (id, owner, data, ts) VALUES ($1, $2, $3, $4)', [
        id++,
        owner,
        JSON.stringify(owned(owner, n)),
        Date.now() * 1000,
      ]);
    }
  }
}

function page(owner: number): faunadb.Expr {
  return q.Select('data', q.Map(q.Paginate(q.Match(q.Index('bench_owned_by_owner'), owner), { size: PAGE }), q.Lambda('ref', q.Get(q.Var('ref')))));
}

/** The list query's shape (shared/fql/sessions.ts): keep the live ones, newest first, four fields each. */
function projected(owner: number): faunadb.Expr {
  const live = q.Filter(page(owner), q.Lambda('s', q.Not(q.Select(['data', 'revoked'], q.Var('s'), false))));
  return q.Map(
    q.Reverse(live),
    q.Lambda('s', {
      id: q.Select(['ref', 'id'], q.Var('s')),
      created_at: q.Select(['data', 'created_at'], q.Var('s')),
      last_used_at: q.Select(['data', 'last_used_at'], q.Var('s')),
      user_agent: q.Select(['data', 'user_agent'], q.Var('s')),
    }),
  );
}

/** The same by hand, in one transaction as each FQL query is one. */
async function projectedSql(sql: SqlQuery, owner: number): Promise<unknown> {
  await sql.exec('BEGIN');
  const { rows } = await sql.query<{ id: string; data: string }>('SELECT id, data FROM bench_owned_sql WHERE owner = $1 ORDER BY id LIMIT $2', [owner, PAGE]);
  await sql.exec('COMMIT');
  const out = [];
  for (const row of rows.reverse()) {
    const d = JSON.parse(row.data) as Owned;
    if (!d.revoked) out.push({ id: String(row.id), created_at: d.created_at, last_used_at: d.last_used_at, user_agent: d.user_agent });
  }
  return out;
}

/** Measures the rows and prints them. `ops` is scaled down: each query reads 50 documents. */
export async function benchProjection(client: faunadb.Client, sql: SqlQuery, ops: number, rounds: number, warmup: number): Promise<void> {
  await seedFql(client);
  await seedSql(sql);
  const owner = (i: number): number => Math.abs(i) % OWNERS;
  const perRound = Math.max(1, Math.round(ops / 5));
  const [fql, whole, hand] = await measureInTurns(
    [
      { name: 'Page of 50, filtered and projected', op: (i) => client.query(projected(owner(i))) },
      { name: 'Page of 50, whole documents', op: (i) => client.query(page(owner(i))) },
      { name: 'SELECT 50 + projection in JS', op: (i) => projectedSql(sql, owner(i)) },
    ],
    perRound,
    rounds,
    Math.max(1, Math.round(warmup / 5)),
  );
  for (const m of [fql, whole, hand]) console.log(`${formatRow(m)}   (${formatRounds(m)})`);
  const ratio = (other: { opsPerSec: number }): string => (other.opsPerSec / fql.opsPerSec).toFixed(2);
  console.log(`${''.padEnd(34)} projected page time per op: ${ratio(whole)}x the whole page, ${ratio(hand)}x hand SQL (query)\n`);
}
