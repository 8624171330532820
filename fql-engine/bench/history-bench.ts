/**
 * The price of history, for `npm run bench:engine`: Create and Update in a collection that keeps
 * history (Fauna's default, 30 days: each write also records its version) next to the same
 * writes in one that keeps none (`history_days: 0`), measured in turns in the same run. Issue
 * 14's target: history adds at most 30 % to a write.
 */

import faunadb from 'faunadb';
import { check, formatRounds, formatRow, measureInTurns, type TurnsMeasurement } from './measure.ts';

const q = faunadb.query;
const LIMIT = 1.3;

interface HistoryRow {
  readonly kept: TurnsMeasurement;
  readonly none: TurnsMeasurement;
}

async function collectionWithIndex(client: faunadb.Client, name: string, historyDays: number): Promise<void> {
  await client.query(q.CreateCollection({ name, history_days: historyDays }));
  await client.query(q.CreateIndex({ name: `${name}_by_key`, source: q.Collection(name), terms: [{ field: ['data', 'key'] }], unique: true }));
}

/** Measures the rows and prints them; answers the verdicts. */
export async function benchHistory(client: faunadb.Client, ops: number, rounds: number, warmup: number): Promise<string[]> {
  await collectionWithIndex(client, 'bench_kept', 30);
  await collectionWithIndex(client, 'bench_none', 0);
  const refs: Record<string, string[]> = { bench_kept: [], bench_none: [] };
  const create = (coll: string) => async (i: number): Promise<void> => {
    const doc = await client.query<{ ref: { id: string } }>(q.Create(q.Collection(coll), { data: { key: `k${i < 0 ? `w${-i}` : i}`, n: i } }));
    refs[coll].push(doc.ref.id);
  };
  const update = (coll: string) => (i: number): Promise<unknown> => {
    const ids = refs[coll];
    return client.query(q.Update(q.Ref(q.Collection(coll), ids[Math.abs(i) % ids.length]), { data: { n: i + 1 } }));
  };
  const rows: HistoryRow[] = [];
  for (const [label, op] of [['Create', create], ['Update', update]] as const) {
    const [kept, none] = await measureInTurns(
      [
        { name: `${label}, history kept (30 days)`, op: op('bench_kept') },
        { name: `${label}, history_days 0`, op: op('bench_none') },
      ],
      ops,
      rounds,
      warmup,
    );
    rows.push({ kept, none });
  }
  for (const row of rows) {
    for (const m of [row.kept, row.none]) console.log(`${formatRow(m)}   (${formatRounds(m)})`);
    console.log(`${''.padEnd(34)} time per write with history: ${(row.none.opsPerSec / row.kept.opsPerSec).toFixed(2)}x without\n`);
  }
  return rows.map((row) => {
    const ratio = row.none.opsPerSec / row.kept.opsPerSec;
    return check(`${row.kept.name} ≤ ${LIMIT}× history_days 0`, ratio <= LIMIT, `${ratio.toFixed(2)}×`);
  });
}
