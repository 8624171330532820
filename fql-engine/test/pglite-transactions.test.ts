// How a transaction travels into PGlite (storage/pglite-tx.ts): held writes, as few calls as
// possible, the optimistic run and its strict re-run, and a failure that cannot be swallowed.
// What transactions mean is the storage contract's business (storage-contract.test.ts); this
// suite checks the mechanics the contract cannot see.
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { openPglite, type PgliteStorage } from '../storage/pglite.ts';
import { PgliteTx, PreparedStatements } from '../storage/pglite-tx.ts';
import type { StoredDoc } from '../storage/types.ts';

const NOW = 1_700_000_000_000_000;
let dbCounter = 0;

function doc(id: string): StoredDoc {
  return { coll: 'users', id, orderKey: id, ts: NOW, body: { data: { id } }, expiresAt: null };
}

/** The SQL texts the storage sends to PGlite while `fn` runs, one per call. */
async function callsDuring(storage: PgliteStorage, fn: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const original = storage.raw.exec.bind(storage.raw);
  const exec = vi.spyOn(storage.raw, 'exec').mockImplementation((sql, options) => {
    calls.push(sql);
    return original(sql, options);
  });
  const query = vi.spyOn(storage.raw, 'query');
  try {
    await fn();
  } finally {
    exec.mockRestore();
    query.mockRestore();
  }
  expect(query).not.toHaveBeenCalled();
  return calls;
}

describe('PGlite transactions', () => {
  let storage: PgliteStorage;
  beforeAll(async () => {
    storage = await openPglite({});
  });
  afterAll(async () => {
    await storage.close();
  });

  test('creating a document with an index entry and a unique claim is one call of three INSERTs, with no BEGIN or COMMIT', async () => {
    const db = `d${++dbCounter}`;
    const calls = await callsDuring(storage, () =>
      storage.transaction(async (tx) => {
        await tx.insertDoc(db, doc('1'));
        await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, [{
          terms: new Uint8Array([1]),
          sortKey: new Uint8Array([1]),
          values: null,
        }], { fresh: true });
        expect(await tx.claimUnique(db, 'ix', new Uint8Array([1]), { coll: 'users', id: '1' })).toBeNull();
      }));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatch(/fql_docs.*fql_index_entries.*fql_unique_claims/s);
    expect(calls[0]).not.toMatch(/BEGIN|COMMIT/);
    expect(await storage.transaction((tx) => tx.getDoc(db, 'users', '1', NOW))).not.toBeNull();
  });

  test('a call of held writes is all or nothing: a write that fails undoes the ones before it', async () => {
    // Sent without BEGIN, the writes rely on Postgres' implicit transaction for one simple query.
    const db = `d${++dbCounter}`;
    await storage.transaction((tx) => tx.insertDoc(db, doc('1')));
    const taken = new Error('taken');
    const calls = await callsDuring(storage, async () => {
      const attempt = storage.transaction(async (tx) => {
        await tx.putDoc(db, doc('2'));
        if (!(await tx.insertDoc(db, doc('1')))) throw taken;
      });
      await expect(attempt).rejects.toBe(taken);
    });
    // The optimistic run's one call failed on the taken id; the strict run answered it and threw.
    expect(calls[0]).not.toMatch(/BEGIN/);
    expect(calls.length).toBeGreaterThan(1);
    expect(await storage.transaction((tx) => tx.getDoc(db, 'users', '2', NOW))).toBeNull();
  });

  test('a transaction that only reads sends neither BEGIN nor COMMIT', async () => {
    const db = `d${++dbCounter}`;
    const calls = await callsDuring(storage, () => storage.transaction((tx) => tx.getDoc(db, 'users', '1', NOW)));
    expect(calls).toHaveLength(1);
    expect(calls.join(' ')).not.toMatch(/BEGIN|COMMIT/);
  });

  test('held writes ride with the next read, which then sees them', async () => {
    const db = `d${++dbCounter}`;
    let seen: StoredDoc | null = null;
    const calls = await callsDuring(storage, () =>
      storage.transaction(async (tx) => {
        await tx.putDoc(db, doc('1'));
        seen = await tx.getDoc(db, 'users', '1', NOW);
      }));
    expect(seen).not.toBeNull();
    expect(calls).toHaveLength(2);
    // BEGIN, then the held write (its body among the arguments), then the read by the document's key.
    expect(calls[0]).toMatch(/^BEGIN; .*'\{"data":\{"id":"1"\}\}', NULL\); .*EXECUTE fql_s\d+\('d\d+', 'users', '1'\)$/s);
    expect(calls[1]).toBe('COMMIT');
  });

  test('a collision met by an optimistic write runs the transaction again, strictly, where the write answers it', async () => {
    const db = `d${++dbCounter}`;
    await storage.transaction((tx) => tx.insertDoc(db, doc('1')));
    let runs = 0;
    const inserted = await storage.transaction(async (tx) => {
      runs += 1;
      return tx.insertDoc(db, doc('1'));
    });
    expect({ inserted, runs }).toEqual({ inserted: false, runs: 2 });
    runs = 0;
    expect(await storage.transaction(async (tx) => (runs++, tx.insertDoc(db, doc('2'))))).toBe(true);
    expect(runs).toBe(1);
  });
});

describe('PGlite statistics', () => {
  test('after 100 writing transactions the storage analyzes its own tables, and no others', async () => {
    // PGlite has no autovacuum: without ANALYZE the planner may scan a collection to find one id.
    const storage = await openPglite({});
    try {
      await storage.raw.exec('CREATE TABLE not_ours (k int); INSERT INTO not_ours SELECT generate_series(1, 10)');
      const reltuples = async (table: string): Promise<number> =>
        (await storage.raw.query<{ n: number }>('SELECT reltuples::int AS n FROM pg_class WHERE relname = $1', [table])).rows[0].n;
      const before = await reltuples('fql_docs');
      for (let i = 0; i < 100; i++) await storage.transaction((tx) => tx.putDoc('stats', doc(String(i))));
      expect({ before, after: await reltuples('fql_docs') }).toEqual({ before, after: 100 });
      expect(await reltuples('not_ours')).toBe(-1);
    } finally {
      await storage.close();
    }
  });
});

describe('PgliteTx', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec('CREATE TABLE t (k int PRIMARY KEY)');
  });
  afterAll(async () => {
    await db.close();
  });

  test('a failed statement fails the commit even when the caller caught it, and nothing is written', async () => {
    // Postgres answers COMMIT in an aborted transaction by rolling back without an error.
    const tx = new PgliteTx(db, new PreparedStatements(), false);
    await tx.write('INSERT INTO t (k) VALUES ($1)', [1]);
    await expect(tx.query('SELECT no_such_column FROM t', [])).rejects.toThrow(/no_such_column/);
    await expect(tx.commit()).rejects.toThrow(/no_such_column/);
    await tx.rollback();
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 0 }]);
  });

  test('a template new to a batch is prepared once; a batch that failed leaves its names unknown', async () => {
    const prepared = new PreparedStatements();
    const insert = 'INSERT INTO t (k) VALUES ($1)';
    const batch = prepared.render([{ text: insert, args: ['1'] }, { text: insert, args: ['2'] }]);
    expect(batch.sql).toBe(`PREPARE fql_s1 AS ${insert}; EXECUTE fql_s1(1); EXECUTE fql_s1(2)`);
    // Not called succeeded(): the next batch prepares again, under a name never used before.
    expect(prepared.render([{ text: insert, args: ['3'] }]).sql).toBe(`PREPARE fql_s2 AS ${insert}; EXECUTE fql_s2(3)`);
    const ok = prepared.render([{ text: insert, args: ['4'] }]);
    ok.succeeded();
    expect(prepared.render([{ text: insert, args: ['5'] }]).sql).toBe('EXECUTE fql_s3(5)');
  });

  test('past the cap on prepared statements, a template is sent with its arguments filled in', async () => {
    const prepared = new PreparedStatements();
    for (let i = 0; i < 500; i++) prepared.render([{ text: `SELECT ${i}`, args: [] }]).succeeded();
    const insert = 'INSERT INTO t (k, v) VALUES ($1, $2)';
    expect(prepared.render([{ text: insert, args: ['7', "'x'"] }]).sql).toBe("INSERT INTO t (k, v) VALUES (7, 'x')");
    // A template asking for an argument it was not given is a bug: refused, never sent with a hole.
    expect(() => prepared.render([{ text: insert, args: ['7'] }])).toThrow(/no parameter for \$2/);
  });
});
