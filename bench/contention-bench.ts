/**
 * `npm run bench:contention`: the functions as deployed (DATABASE_URL: the engine in-process on
 * PostgreSQL, SERIALIZABLE, retried on serialization failures) under a burst of concurrent
 * logins and registrations, each of which runs bcrypt (cost 10) inside its transaction.
 *
 * Next to it, in the same run, the floor: the same bcrypt work (N verifies + N hashes) started
 * all at once with nothing else. The ratio is what transactions, retries and the rest cost.
 *
 * Needs a PostgreSQL server: BENCH_DATABASE_URL (or TEST_DATABASE_URL), a URL whose user may
 * CREATE DATABASE. It makes a database of its own and drops it afterwards.
 *
 *   BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres npm run bench:contention -- --burst 25
 */

import { hash, verify } from '@node-rs/bcrypt';
import { createDatabase, dropDatabase } from '../test/support/pg-databases.ts';
import { PASSWORD, authFunctionsOn, post, registerVerifiedMembers } from './auth-on-postgres.ts';
import { integerArgument } from './requests.ts';

const IP = '192.0.2.1';

async function rawBcryptFloor(burst: number): Promise<number> {
  const stored = await hash(PASSWORD, 10);
  const started = performance.now();
  await Promise.all([...Array.from({ length: burst }, () => verify(PASSWORD, stored)), ...Array.from({ length: burst }, () => hash(PASSWORD, 10))]);
  return performance.now() - started;
}

interface Burst {
  readonly ms: number;
  readonly statuses: Readonly<Record<string, number>>;
}

async function run(databaseUrl: string, burst: number): Promise<Burst> {
  const fns = await authFunctionsOn(databaseUrl);
  try {
    await registerVerifiedMembers(fns, burst, IP);
    const started = performance.now();
    const answers = await Promise.all([
      ...Array.from({ length: burst }, (_, i) => post(fns.login, '/api/auth/login', { email: `member${i}@example.com`, password: PASSWORD }, IP)),
      ...Array.from({ length: burst }, (_, i) => post(fns.register, '/api/auth/register', { email: `newcomer${i}@example.com`, password: PASSWORD }, IP)),
    ]);
    const ms = performance.now() - started;
    const statuses: Record<string, number> = {};
    for (const answer of answers) {
      const text = await answer.text();
      const code = answer.status >= 400 ? ` ${(JSON.parse(text) as { error?: { code?: string } }).error?.code ?? ''}` : '';
      statuses[`${answer.status}${code}`] = (statuses[`${answer.status}${code}`] ?? 0) + 1;
    }
    return { ms, statuses };
  } finally {
    await fns.close();
  }
}

async function main(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    console.log('bench:contention did NOT run: set BENCH_DATABASE_URL to a PostgreSQL URL whose user may CREATE DATABASE.');
    return;
  }
  const burst = integerArgument('burst', 25);
  const name = `bench_contention_${process.pid}`;
  const databaseUrl = await createDatabase(serverUrl, name);
  try {
    const floor = await rawBcryptFloor(burst);
    const result = await run(databaseUrl, burst);
    console.log(`Contention on PostgreSQL: ${burst} logins + ${burst} registrations at once, functions in-process, bcrypt cost 10, one run`);
    console.log(`raw bcrypt, ${burst} verifies + ${burst} hashes at once   ${floor.toFixed(0).padStart(7)} ms`);
    console.log(`the burst through the functions              ${result.ms.toFixed(0).padStart(7)} ms   ${JSON.stringify(result.statuses)}`);
    console.log(`ratio: ${(result.ms / floor).toFixed(2)}x the raw bcrypt work`);
    const failed = Object.entries(result.statuses).filter(([status]) => !status.startsWith('2'));
    if (failed.length > 0) {
      console.log(`FAIL  some requests failed: ${JSON.stringify(Object.fromEntries(failed))}`);
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
