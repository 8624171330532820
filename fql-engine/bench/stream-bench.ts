/**
 * `npm run bench:streams`: how long a committed write takes to reach a stream, through the real
 * driver over HTTP/2 on in-process PGlite (optionally PostgreSQL, `DATABASE_URL`), next to how
 * long the same write's own answer takes to come back.
 *
 * One writer updates a document, one at a time; a second client streams it. Per write, both
 * delays are counted from the moment the Update is sent: to its answer, and to its version
 * event. The event leaves when the transaction commits, so it may come before the answer.
 *
 *   npm run bench:streams -- --ops 500
 */

import faunadb from 'faunadb';
import { performance } from 'node:perf_hooks';
import { openEngine } from '../engine.ts';
import { startHttpServer } from '../transport/http-server.ts';

const q = faunadb.query;

function opsFromArgs(): number {
  const i = process.argv.indexOf('--ops');
  return i > 0 ? Number(process.argv[i + 1]) : 500;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

function row(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${name.padEnd(28)} p50 ${percentile(sorted, 0.5).toFixed(3).padStart(7)} ms   p95 ${percentile(sorted, 0.95).toFixed(3).padStart(7)} ms   p99 ${
    percentile(sorted, 0.99).toFixed(3).padStart(7)
  } ms`;
}

async function main(): Promise<void> {
  const ops = opsFromArgs();
  const databaseUrl = process.env.DATABASE_URL;
  const engine = await openEngine({ adminSecret: 'secret', ...(databaseUrl ? { databaseUrl } : { memory: true }) });
  const server = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
  const client = (): faunadb.Client => new faunadb.Client({ secret: 'secret', domain: '127.0.0.1', port: server.port, scheme: 'http' });
  const writer = client();
  const reader = client();
  const coll = `bench_streams_${Date.now()}`;
  await writer.query(q.CreateCollection({ name: coll }));
  const ref = q.Ref(q.Collection(coll), '1');
  await writer.query(q.Create(ref, { data: { i: 0 } }));

  let awaited: ((at: number) => void) | null = null;
  const stream = reader.stream(ref, { fields: ['document'] });
  const started = new Promise<void>((resolve) => stream.on('start', () => resolve()));
  stream.on('version', () => awaited?.(performance.now()));
  stream.on('error', (error: unknown) => console.error('stream error:', error));
  stream.start();
  await started;

  const toAnswer: number[] = [];
  const toEvent: number[] = [];
  const warmup = Math.min(200, ops);
  for (let i = 1; i <= warmup + ops; i++) {
    const event = new Promise<number>((resolve) => (awaited = resolve));
    const t0 = performance.now();
    await writer.query(q.Update(ref, { data: { i } }));
    const answered = performance.now();
    const arrived = await event;
    if (i > warmup) {
      toAnswer.push(answered - t0);
      toEvent.push(arrived - t0);
    }
  }
  console.log(`streams on ${databaseUrl ? 'PostgreSQL' : 'in-process PGlite'}, over HTTP/2, ${ops} writes after ${warmup} of warm-up`);
  console.log(row('Update: its answer', toAnswer));
  console.log(row('Update: its version event', toEvent));
  stream.close();
  await writer.close();
  await reader.close();
  await server.close();
  await engine.close();
}

await main();
