/**
 * `npm run bench:identify`: what `Identify` costs through the real driver, next to a raw
 * bcrypt verify at the same cost, in the same run (issue 3, §6; target ≤ 1.1×).
 *
 * bcrypt at cost 10 takes tens of milliseconds, so everything else on the path (driver, wire,
 * evaluator, one storage read) should be noise beside it. The two are interleaved round by
 * round — one Identify, one verify — so a slow patch of the shared machine lands on both.
 *
 *   npm run bench:identify -- --rounds 200
 */

import { hash, verify } from '@node-rs/bcrypt';
import faunadb from 'faunadb';
import { performance } from 'node:perf_hooks';
import { openEngine } from '../engine.ts';
import { createInProcessFetch } from '../transport/in-process.ts';
import { formatRow, type Measurement } from './measure.ts';

const q = faunadb.query;
const COST = 10;
const PASSWORD = 'correct horse battery staple';
const TARGET_RATIO = 1.1;

function roundsFromArgs(): number {
  const i = process.argv.indexOf('--rounds');
  const rounds = i > 0 ? Number(process.argv[i + 1]) : 100;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds wants a positive integer, not ${process.argv[i + 1]}`);
  return rounds;
}

async function timed(op: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await op();
  return performance.now() - t0;
}

/** measure.ts's figures, from samples taken round by round (measure() times one operation at a time). */
function summary(name: string, samples: number[]): Measurement {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  const total = samples.reduce((a, b) => a + b, 0);
  return { name, ops: samples.length, opsPerSec: (samples.length / total) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function main(): Promise<void> {
  const rounds = roundsFromArgs();
  const engine = await openEngine({ adminSecret: 'secret', memory: true, bcryptCost: COST });
  const client = new faunadb.Client({ secret: 'secret', fetch: createInProcessFetch(engine) });
  try {
    await client.query(q.CreateCollection({ name: 'users' }));
    const user = q.Ref(q.Collection('users'), '1');
    await client.query(q.Create(user, { credentials: { password: PASSWORD } }));
    const rawHash = await hash(PASSWORD, COST);

    const identify = async (): Promise<void> => {
      if ((await client.query<boolean>(q.Identify(user, PASSWORD))) !== true) throw new Error('Identify answered false for the right password');
    };
    const rawVerify = async (): Promise<void> => {
      if (!(await verify(PASSWORD, rawHash))) throw new Error('bcrypt verify answered false for the right password');
    };

    for (let i = 0; i < 5; i++) {
      await identify();
      await rawVerify();
    }
    const fql: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so neither always runs on a warmer cache.
      if (i % 2 === 0) {
        fql.push(await timed(identify));
        raw.push(await timed(rawVerify));
      } else {
        raw.push(await timed(rawVerify));
        fql.push(await timed(identify));
      }
    }
    report(summary('Identify (driver → engine)', fql), summary(`bcrypt verify (cost ${COST})`, raw));
  } finally {
    await client.close({ force: true });
    await engine.close();
  }
}

function report(fql: Measurement, raw: Measurement): void {
  const ratio = fql.p50Ms / raw.p50Ms;
  console.log(`Identify vs raw bcrypt, cost ${COST}, ${fql.ops} interleaved rounds, in-process engine on PGlite`);
  console.log(formatRow(fql));
  console.log(formatRow(raw));
  const verdict = ratio <= TARGET_RATIO ? 'within' : 'OVER';
  console.log(`p50 ratio: ${ratio.toFixed(3)}× (${verdict} the ${TARGET_RATIO}× target)`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
