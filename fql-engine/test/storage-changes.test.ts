// Storage.subscribe and StorageTx.publish on both backends: a committed transaction's
// announcements reach every subscriber once, together and in commit order; a failed one's never
// do; and on PostgreSQL they reach a second storage (another process's pool) sharing the database.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openPglite } from '../storage/pglite.ts';
import { openPostgres } from '../storage/postgres.ts';
import type { ChangeBatch, ChangeListener, Storage } from '../storage/types.ts';
import type { Json } from '../values.ts';
import { postgresMissingReason, postgresUrl } from './support/environment.ts';

const databaseUrl = postgresUrl();
const schema = `changes_${randomBytes(6).toString('hex')}`;

/** Collects batches, and resolves `until(n)` once n have come. */
function collector(): ChangeListener & { batches: ChangeBatch[]; until(n: number): Promise<void>; failures: string[] } {
  const batches: ChangeBatch[] = [];
  const failures: string[] = [];
  let waiter: { n: number; resolve: () => void } | null = null;
  return {
    batches,
    failures,
    changes(batch) {
      batches.push(batch);
      if (waiter !== null && batches.length >= waiter.n) waiter.resolve();
    },
    failed(error) {
      failures.push(error.code);
    },
    until(n) {
      if (batches.length >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${batches.length} of ${n} batches came`)), 5000);
        waiter = { n, resolve: () => (clearTimeout(timer), resolve()) };
      });
    },
  };
}

async function announce(storage: Storage, changes: readonly Json[]): Promise<void> {
  await storage.transaction(async (tx) => {
    for (const change of changes) tx.publish(() => change);
  });
}

function suite(open: () => Promise<Storage>, openSecond: (() => Promise<Storage>) | null): void {
  let storage: Storage;
  afterAll(async () => storage?.close());

  test('a committed transaction is heard once, whole, in commit order; a failed one never', async () => {
    storage = await open();
    const heard = collector();
    const stop = await storage.subscribe(heard);
    await announce(storage, ['a1', 'a2']);
    await expect(
      storage.transaction(async (tx) => {
        tx.publish(() => 'rolled back');
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    await announce(storage, [{ b: 'ü' }]);
    await heard.until(2);
    expect(heard.batches).toEqual([['a1', 'a2'], [{ b: 'ü' }]]);
    await stop();
    await announce(storage, ['after stop']);
    await announce(storage, []);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard.batches).toHaveLength(2);
  });

  test('a large announcement with non-ASCII text arrives intact', async () => {
    const heard = collector();
    const stop = await storage.subscribe(heard);
    const big = { text: 'é€😀'.repeat(6000), quote: "it's \\ here" };
    await announce(storage, [big, 'tail']);
    await heard.until(1);
    expect(heard.batches[0]).toEqual([big, 'tail']);
    await stop();
  });

  // Only PostgreSQL is shared by processes: PGlite's directory belongs to one.
  if (openSecond !== null)
    test('another storage on the same database hears it', async () => {
      const other = await openSecond();
      try {
        const heard = collector();
        const stop = await other.subscribe(heard);
        await Promise.all(Array.from({ length: 10 }, (_, i) => announce(storage, [i])));
        await heard.until(10);
        expect(heard.batches.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        await stop();
      } finally {
        await other.close();
      }
    });

  test('closing the storage tells its listeners', async () => {
    const closing = await open();
    const heard = collector();
    await closing.subscribe(heard);
    await closing.close();
    expect(heard.failures).toEqual(['unavailable']);
  });
}

describe('PGlite', () => suite(() => openPglite({}), null));

const pgTitle = databaseUrl === null ? `PostgreSQL: NOT RUN (${postgresMissingReason()})` : 'PostgreSQL';
(databaseUrl === null ? describe.skip : describe)(pgTitle, () => {
  const open = (): Promise<Storage> => openPostgres({ url: databaseUrl ?? '', schema });
  suite(open, open);
  afterAll(async () => {
    const client = new pg.Client({ connectionString: databaseUrl ?? '' });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
});
