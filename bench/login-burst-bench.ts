/**
 * `npm run bench:login-burst`: the latency of each login in a burst of 60 at once, through the
 * functions as deployed (DATABASE_URL: the engine in-process on PostgreSQL), now that a login
 * reads three failure limits and a failed one writes three events (issue 19, item 8).
 *
 * Two bursts, each measured per request (median and 95th percentile):
 *   - 60 right passwords for 60 accounts, each from its own IP address;
 *   - 60 logins from one IP address (an office behind one NAT), one in five with a wrong
 *     password: those failures all write to that IP's failure key, the worst case for conflicts.
 * Next to them, the floor: 60 bcrypt verifies (cost 10) started at once with nothing else.
 *
 * Needs BENCH_DATABASE_URL (or TEST_DATABASE_URL), a PostgreSQL URL whose user may CREATE DATABASE.
 *
 *   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:login-burst
 */

import { hash, verify } from '@node-rs/bcrypt';
import { createDatabase, dropDatabase } from '../test/support/pg-databases.ts';
import { PASSWORD, authFunctionsOn, post, registerVerifiedMembers } from './auth-on-postgres.ts';

const BURST = 60;
/** The median login of a burst may take this many times the floor's whole burst. */
const TARGET_RATIO = 2;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Latencies {
  readonly median: number;
  readonly p95: number;
  readonly statuses: Readonly<Record<string, number>>;
}

async function timed(requests: readonly (() => Promise<Response>)[]): Promise<Latencies> {
  const statuses: Record<string, number> = {};
  const ms = await Promise.all(
    requests.map(async (send) => {
      const started = performance.now();
      const res = await send();
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      return performance.now() - started;
    }),
  );
  const sorted = [...ms].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), statuses };
}

async function bcryptFloor(): Promise<number> {
  const stored = await hash(PASSWORD, 10);
  const started = performance.now();
  await Promise.all(Array.from({ length: BURST }, () => verify(PASSWORD, stored)));
  return performance.now() - started;
}

async function bursts(databaseUrl: string): Promise<{ spread: Latencies; oneIp: Latencies }> {
  const fns = await authFunctionsOn(databaseUrl);
  try {
    await registerVerifiedMembers(fns, BURST, '192.0.2.1');
    const spread = await timed(
      Array.from(
        { length: BURST },
        (_, i) => () => post(fns.login, '/api/auth/login', { email: `member${i}@example.com`, password: PASSWORD }, `198.51.100.${i + 1}`),
      ),
    );
    const oneIp = await timed(
      Array.from(
        { length: BURST },
        (_, i) => () =>
          post(fns.login, '/api/auth/login', { email: `member${i}@example.com`, password: i % 5 === 0 ? 'a wrong password' : PASSWORD }, '203.0.113.7'),
      ),
    );
    return { spread, oneIp };
  } finally {
    await fns.close();
  }
}

function line(label: string, l: Latencies): string {
  return `${label.padEnd(52)} median ${l.median.toFixed(0).padStart(6)} ms   p95 ${l.p95.toFixed(0).padStart(6)} ms   ${JSON.stringify(l.statuses)}`;
}

async function main(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    console.log('bench:login-burst did NOT run: set BENCH_DATABASE_URL to a PostgreSQL URL whose user may CREATE DATABASE.');
    return;
  }
  const name = `bench_login_burst_${process.pid}`;
  const databaseUrl = await createDatabase(serverUrl, name);
  try {
    const floor = await bcryptFloor();
    const { spread, oneIp } = await bursts(databaseUrl);
    console.log(`${BURST} logins at once on PostgreSQL, functions in-process, bcrypt cost 10, one run`);
    console.log(`${'raw bcrypt, 60 verifies at once (the whole burst)'.padEnd(52)}        ${floor.toFixed(0).padStart(6)} ms`);
    console.log(line('60 right passwords, 60 IP addresses', spread));
    console.log(line('60 logins from one IP address, 12 wrong', oneIp));
    for (const [label, l] of [['60 IP addresses', spread], ['one IP address', oneIp]] as const) {
      const ok = l.median <= TARGET_RATIO * floor;
      console.log(`${ok ? 'PASS' : 'FAIL'}  ${label}: median ${(l.median / floor).toFixed(2)}x the raw bcrypt burst (target <= ${TARGET_RATIO}x)`);
      if (!ok) process.exitCode = 1;
    }
    const expected = { spread: { 200: BURST }, oneIp: { 200: BURST - BURST / 5, 401: BURST / 5 } };
    if (JSON.stringify(spread.statuses) !== JSON.stringify(expected.spread) || JSON.stringify(oneIp.statuses) !== JSON.stringify(expected.oneIp)) {
      console.log(`FAIL  unexpected answers (wanted ${JSON.stringify(expected)})`);
      process.exitCode = 1;
    }
  } finally {
    await dropDatabase(serverUrl, name);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
