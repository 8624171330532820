// The storage contract (fql-engine/storage/types.ts), one suite run against every backend:
// PGlite in memory, PGlite in a data directory, and PostgreSQL. Each test works in a
// database id of its own inside one storage per backend, as the engine's tests do.
// After the shared suite come the checks only one backend can make: the PGlite snapshot
// and data-directory lock, and PostgreSQL's SERIALIZABLE retries.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { openStorage } from '../storage/open-storage.ts';
import { measureColdStart, openPglite, templatePath } from '../storage/pglite.ts';
import { isZombie, LOCK_FILE_NAME, lockDataDir } from '../storage/pglite-lock.ts';
import { ReadCachingTx } from '../storage/read-cache.ts';
import { openPostgres } from '../storage/postgres.ts';
import { StorageError } from '../storage/types.ts';
import type { DbId, EntryInput, Storage, StorageTx, StoredDoc } from '../storage/types.ts';
import { postgresMissingReason, postgresUrl } from './support/environment.ts';
import { historyTests } from './support/history-contract.ts';
import { unusedPort } from './support/ports.ts';

/** Transaction time of most tests, in microseconds. */
const NOW = 1_700_000_000_000_000;
const PACKAGE_DIR = fileURLToPath(new URL('../', import.meta.url));
const PGLITE_MODULE = fileURLToPath(new URL('../storage/pglite.ts', import.meta.url));

interface Backend {
  readonly title: string;
  /** Why the backend cannot run here, or null when it can. */
  readonly missing: string | null;
  open(): Promise<Storage>;
  /** Removes what the backend left behind, once its storage is closed. */
  cleanup(): Promise<void>;
}

const databaseUrl = postgresUrl();
const postgresSchema = `contract_${randomBytes(6).toString('hex')}`;
const pgliteDir = mkdtempSync(join(tmpdir(), 'fql-storage-contract-'));

const backends: Backend[] = [
  { title: 'PGlite in memory', missing: null, open: () => openPglite({}), cleanup: async () => {} },
  // What the engine actually hands the evaluator: the backend's transactions behind its read cache.
  { title: 'PGlite in memory, through ReadCachingTx', missing: null, open: async () => readCached(await openPglite({})), cleanup: async () => {} },
  {
    title: 'PGlite file-backed',
    missing: null,
    open: () => openPglite({ dataDir: join(pgliteDir, 'contract') }),
    cleanup: async () => rmSync(pgliteDir, { recursive: true, force: true }),
  },
  {
    title: 'PostgreSQL',
    missing: databaseUrl === null ? postgresMissingReason() : null,
    open: () => openPostgres({ url: databaseUrl ?? '', schema: postgresSchema }),
    cleanup: () => dropSchema(postgresSchema),
  },
];

for (const backend of backends) {
  const title = backend.missing === null ? backend.title : `${backend.title}: NOT RUN (${backend.missing})`;
  (backend.missing === null ? describe : describe.skip)(title, () => contractSuite(backend));
}

// --- helpers ------------------------------------------------------------------------------

function readCached(storage: Storage): Storage {
  return {
    backend: storage.backend,
    transaction: (fn) => storage.transaction((tx) => fn(new ReadCachingTx(tx))),
    sweepExpired: (now) => storage.sweepExpired(now),
    subscribe: (listener) => storage.subscribe(listener),
    close: () => storage.close(),
  };
}

let dbCounter = 0;
/** A database id no other test uses. */
function freshDb(): DbId {
  dbCounter += 1;
  return `db${dbCounter}-${randomBytes(3).toString('hex')}`;
}

function doc(coll: string, id: string, fields: Partial<StoredDoc> = {}): StoredDoc {
  return { coll, id, orderKey: id, ts: NOW, body: { data: { id } }, expiresAt: null, ...fields };
}

function bytes(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

function entry(terms: Uint8Array, sortKey: Uint8Array, values: EntryInput['values'] = null): EntryInput {
  return { terms, sortKey, values };
}

/** Runs `fn` in a transaction of its own (reads need one too). */
function inTx<T>(storage: Storage, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
  return storage.transaction(fn);
}

async function orderKeys(storage: Storage, db: DbId, coll: string, range: Partial<Parameters<StorageTx['scanDocs']>[2]> = {}): Promise<string[]> {
  const docs = await inTx(storage, (tx) => tx.scanDocs(db, coll, { now: NOW, ...range }));
  return docs.map((found) => found.orderKey);
}

async function sortKeys(
  storage: Storage,
  db: DbId,
  indexId: string,
  terms: Uint8Array,
  range: Partial<Parameters<StorageTx['scanIndex']>[3]> = {},
): Promise<number[][]> {
  const entries = await inTx(storage, (tx) => tx.scanIndex(db, indexId, terms, { now: NOW, ...range }));
  return entries.map((found) => [...found.sortKey]);
}

async function dropSchema(schema: string): Promise<void> {
  if (databaseUrl === null) return;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

// --- the shared contract ------------------------------------------------------------------

function contractSuite(backend: Backend): void {
  let storage: Storage;
  beforeAll(async () => {
    storage = await backend.open();
  });
  afterAll(async () => {
    await storage?.close();
    await backend.cleanup();
  });

  documentTests(() => storage);
  scanDocsTests(() => storage);
  indexTests(() => storage);
  uniqueTests(() => storage);
  expiryTests(() => storage);
  dropTests(() => storage);
  schemaVersionTests(() => storage);
  transactionTests(() => storage);
  historyTests(() => storage);
}

function documentTests(get: () => Storage): void {
  test('insert, get, put and delete a document', async () => {
    const storage = get();
    const db = freshDb();
    const original = doc('users', '1', { ts: NOW + 123_456, body: { data: { name: 'Ann', tags: ['a', 'b'] } } });
    expect(await inTx(storage, (tx) => tx.insertDoc(db, original))).toBe(true);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW))).toEqual(original);

    const replaced = doc('users', '1', { ts: NOW + 2, orderKey: 'z', body: { data: { name: 'Bob' } }, expiresAt: NOW + 1_000_000 });
    await inTx(storage, (tx) => tx.putDoc(db, replaced));
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW))).toEqual(replaced);

    expect(await inTx(storage, (tx) => tx.deleteDoc(db, 'users', '1'))).toBe(true);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW))).toBeNull();
    expect(await inTx(storage, (tx) => tx.deleteDoc(db, 'users', '1'))).toBe(false);
  });

  test('putDoc creates a document that does not exist', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, (tx) => tx.putDoc(db, doc('users', '7')));
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '7', NOW))).toEqual(doc('users', '7'));
  });

  test('insertDoc refuses an existing key, expired or not, and writes nothing', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, (tx) => tx.insertDoc(db, doc('users', 'live')));
    await inTx(storage, (tx) => tx.insertDoc(db, doc('users', 'gone', { expiresAt: NOW - 1 })));
    expect(await inTx(storage, (tx) => tx.insertDoc(db, doc('users', 'live', { body: { other: true } })))).toBe(false);
    expect(await inTx(storage, (tx) => tx.insertDoc(db, doc('users', 'gone', { expiresAt: null })))).toBe(false);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', 'live', NOW))).toEqual(doc('users', 'live'));
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', 'gone', NOW))).toBeNull();
  });

  test('bodies keep their field order and exact values; keys are scoped by database and collection', async () => {
    const storage = get();
    const db = freshDb();
    // NUL cannot live in a Postgres text column; inside JSON text it is an escape and survives.
    const body = { zeta: 1, alpha: { y: 'é ✓ \u0000 😀', x: [3, 1.5, -2.5e-7, 1e21, null, true] }, middle: '' };
    await inTx(storage, (tx) => tx.putDoc(db, doc('users', '1', { body, ts: 9_007_199_254_740_991 })));
    const found = await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW));
    expect(found?.body).toEqual(body);
    expect(Object.keys(found?.body as object)).toEqual(['zeta', 'alpha', 'middle']);
    expect(found?.ts).toBe(9_007_199_254_740_991);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'other', '1', NOW))).toBeNull();
    expect(await inTx(storage, (tx) => tx.getDoc(freshDb(), 'users', '1', NOW))).toBeNull();
  });

  test('getDocs answers each key as getDoc would, in the order asked', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, async (tx) => {
      await tx.insertDoc(db, doc('tokens', '5'));
      await tx.insertDoc(db, doc('users', '5', { body: { other: true } }));
      await tx.insertDoc(db, doc('users', '9', { expiresAt: NOW - 1 }));
    });
    const keys = [
      { coll: 'users', id: '5' },
      { coll: 'users', id: '404' },
      { coll: 'tokens', id: '5' },
      { coll: 'users', id: '9' },
    ];
    const found = await inTx(storage, (tx) => tx.getDocs(db, keys, NOW));
    expect(found).toEqual([doc('users', '5', { body: { other: true } }), null, doc('tokens', '5'), null]);
    expect(await inTx(storage, (tx) => tx.getDocs(freshDb(), keys, NOW))).toEqual([null, null, null, null]);
    expect(await inTx(storage, (tx) => tx.getDocs(db, [], NOW))).toEqual([]);
  });
}

function scanDocsTests(get: () => Storage): void {
  // Bytewise ("C") order differs from any locale's: 'B' < '_' < 'a' here, not 'a' < 'B'.
  const keys = ['b', 'A', 'a', 'B', '_', 'aa', 'a b', '10', '9'];
  const sorted = [...keys].sort();

  async function seed(storage: Storage): Promise<DbId> {
    const db = freshDb();
    await inTx(storage, async (tx) => {
      for (const [i, key] of keys.entries()) await tx.insertDoc(db, doc('things', `id${i}`, { orderKey: key }));
      await tx.insertDoc(db, doc('others', 'x', { orderKey: 'a' }));
    });
    return db;
  }

  test('scanDocs orders a collection bytewise by order key', async () => {
    const storage = get();
    const db = await seed(storage);
    expect(await orderKeys(storage, db, 'things')).toEqual(sorted);
    expect(await orderKeys(storage, db, 'others')).toEqual(['a']);
    expect(await orderKeys(storage, freshDb(), 'things')).toEqual([]);
  });

  test('scanDocs bounds: gte inclusive, lt exclusive, with reverse and limit', async () => {
    const storage = get();
    const db = await seed(storage);
    const between = sorted.filter((key) => key >= 'B' && key < 'a b');
    expect(between.length).toBeGreaterThan(2);
    expect(await orderKeys(storage, db, 'things', { gte: 'B', lt: 'a b' })).toEqual(between);
    expect(await orderKeys(storage, db, 'things', { gte: 'B', lt: 'a b', reverse: true })).toEqual([...between].reverse());
    expect(await orderKeys(storage, db, 'things', { gte: 'B', lt: 'a b', reverse: true, limit: 2 })).toEqual([...between].reverse().slice(0, 2));
    expect(await orderKeys(storage, db, 'things', { limit: 3 })).toEqual(sorted.slice(0, 3));
    expect(await orderKeys(storage, db, 'things', { gte: 'aa' })).toEqual(sorted.filter((key) => key >= 'aa'));
    expect(await orderKeys(storage, db, 'things', { lt: 'A' })).toEqual(sorted.filter((key) => key < 'A'));
  });
}

function indexTests(get: () => Storage): void {
  const terms = bytes(7, 0, 1);
  // Bytewise order: a prefix sorts before what extends it, and 0xff after everything.
  const keysInOrder = [[0], [1], [1, 0], [1, 0, 0], [1, 255], [2], [255], [255, 0]];

  async function seed(storage: Storage): Promise<DbId> {
    const db = freshDb();
    await inTx(storage, async (tx) => {
      for (const [i, key] of [...keysInOrder].reverse().entries()) {
        await tx.putIndexEntries(db, 'by_tag', { coll: 'things', id: `d${i}`, expiresAt: null }, [entry(terms, bytes(...key), [`v${i}`, { n: i }])]);
      }
      // Same index, other terms (one a prefix of ours): never matched by an equality on terms.
      await tx.putIndexEntries(db, 'by_tag', { coll: 'things', id: 'other', expiresAt: null }, [
        entry(bytes(7, 0), bytes(1)),
        entry(bytes(7, 0, 1, 0), bytes(1)),
      ]);
    });
    return db;
  }

  test('scanIndex matches terms by equality and orders entries bytewise by sort key', async () => {
    const storage = get();
    const db = await seed(storage);
    expect(await sortKeys(storage, db, 'by_tag', terms)).toEqual(keysInOrder);
    expect(await sortKeys(storage, db, 'by_tag', bytes(7, 0))).toEqual([[1]]);
    expect(await sortKeys(storage, db, 'by_tag', bytes(9))).toEqual([]);
    expect(await sortKeys(storage, db, 'other_index', terms)).toEqual([]);
  });

  test('scanIndexWithDocs answers the entries of scanIndex, each with its document as getDoc answers it', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, async (tx) => {
      await tx.insertDoc(db, doc('things', 'live', { body: { data: { n: 1 } } }));
      await tx.insertDoc(db, doc('things', 'expired', { expiresAt: NOW }));
      for (const [i, id] of ['live', 'expired', 'missing'].entries()) {
        await tx.putIndexEntries(db, 'ix', { coll: 'things', id, expiresAt: null }, [entry(terms, bytes(i), [id])]);
      }
    });
    const found = await inTx(storage, (tx) => tx.scanIndexWithDocs(db, 'ix', terms, { now: NOW }));
    const plain = await inTx(storage, (tx) => tx.scanIndex(db, 'ix', terms, { now: NOW }));
    expect(found.map(({ doc: _doc, ...e }) => e)).toEqual(plain);
    expect(found.map((e) => [e.id, e.doc?.body ?? null])).toEqual([['live', { data: { n: 1 } }], ['expired', null], ['missing', null]]);
    expect(found[0].doc).toEqual(await inTx(storage, (tx) => tx.getDoc(db, 'things', 'live', NOW)));
    const first = await inTx(storage, (tx) => tx.scanIndexWithDocs(db, 'ix', terms, { now: NOW, limit: 1, reverse: true }));
    expect(first.map((e) => e.id)).toEqual(['missing']);
  });

  test('scanIndex returns each entry as it was written', async () => {
    const storage = get();
    const db = freshDb();
    const values = [{ b: 1, a: 'x' }, null, [1, 2]];
    await inTx(storage, (tx) => tx.putIndexEntries(db, 'ix', { coll: 'things', id: '42', expiresAt: NOW + 5 }, [entry(terms, bytes(3, 4), values)]));
    const [found] = await inTx(storage, (tx) => tx.scanIndex(db, 'ix', terms, { now: NOW }));
    expect(found).toEqual({ terms, sortKey: bytes(3, 4), values, coll: 'things', id: '42', expiresAt: NOW + 5 });
    expect(found?.sortKey).toBeInstanceOf(Uint8Array);
    expect(Object.keys((found?.values as object[])[0] ?? {})).toEqual(['b', 'a']);
  });

  test('scanIndex bounds: gte inclusive, lt exclusive, with reverse and limit', async () => {
    const storage = get();
    const db = await seed(storage);
    const expected = keysInOrder.slice(1, 5); // [1] up to, not including, [2]
    expect(await sortKeys(storage, db, 'by_tag', terms, { gte: bytes(1), lt: bytes(2) })).toEqual(expected);
    expect(await sortKeys(storage, db, 'by_tag', terms, { gte: bytes(1), lt: bytes(2), reverse: true })).toEqual([...expected].reverse());
    expect(await sortKeys(storage, db, 'by_tag', terms, { gte: bytes(1), reverse: true, limit: 2 })).toEqual([[255, 0], [255]]);
    expect(await sortKeys(storage, db, 'by_tag', terms, { limit: 1 })).toEqual([[0]]);
    expect(await sortKeys(storage, db, 'by_tag', terms, { lt: bytes(1, 0) })).toEqual([[0], [1]]);
  });

  test('putIndexEntries replaces the entries a document has in that index only', async () => {
    const storage = get();
    const db = freshDb();
    const owner = { coll: 'things', id: '1', expiresAt: null };
    await inTx(storage, async (tx) => {
      await tx.putIndexEntries(db, 'ix', owner, [entry(terms, bytes(1)), entry(terms, bytes(2))]);
      await tx.putIndexEntries(db, 'ix', { ...owner, id: '2' }, [entry(terms, bytes(5))]);
      await tx.putIndexEntries(db, 'other', owner, [entry(terms, bytes(1))]);
    });
    await inTx(storage, (tx) => tx.putIndexEntries(db, 'ix', owner, [entry(terms, bytes(3))]));
    expect(await sortKeys(storage, db, 'ix', terms)).toEqual([[3], [5]]);
    await inTx(storage, (tx) => tx.putIndexEntries(db, 'ix', owner, []));
    expect(await sortKeys(storage, db, 'ix', terms)).toEqual([[5]]);
    expect(await sortKeys(storage, db, 'other', terms)).toEqual([[1]]);
  });

  test('putIndexEntries keeps one copy of an entry given twice', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, (tx) => tx.putIndexEntries(db, 'ix', { coll: 'things', id: '1', expiresAt: null }, [entry(terms, bytes(1)), entry(terms, bytes(1))]));
    expect(await sortKeys(storage, db, 'ix', terms)).toEqual([[1]]);
  });

  test('deleteDoc removes the document with its index entries and unique claims', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, async (tx) => {
      await tx.insertDoc(db, doc('users', '1'));
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, [entry(terms, bytes(1))]);
      await tx.claimUnique(db, 'ix', bytes(9), { coll: 'users', id: '1' });
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '2', expiresAt: null }, [entry(terms, bytes(2))]);
    });
    expect(await inTx(storage, (tx) => tx.deleteDoc(db, 'users', '1'))).toBe(true);
    expect(await sortKeys(storage, db, 'ix', terms)).toEqual([[2]]);
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'ix', bytes(9), { coll: 'users', id: '3' }))).toBeNull();
  });

  test('what one transaction inserts, among reads and deletes, is what it reads and what it commits', async () => {
    // PostgreSQL gathers inserted rows into one INSERT per table (sql-tx.ts's RowBatchingSql):
    // every read and every other write must still come after the inserts issued before it.
    const storage = get();
    const db = freshDb();
    const many = Array.from({ length: 1500 }, (_, i) => entry(terms, bytes(i >> 8, i & 255)));
    const seen = await inTx(storage, async (tx) => {
      await tx.insertDoc(db, doc('users', '1'));
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, many, { fresh: true });
      expect(await tx.claimUnique(db, 'ux', bytes(1), { coll: 'users', id: '1' })).toBeNull();
      const first = { doc: await tx.getDoc(db, 'users', '1', NOW), entries: (await tx.scanIndex(db, 'ix', terms, { now: NOW })).length };
      await tx.insertDoc(db, doc('users', '2'));
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '2', expiresAt: null }, [entry(terms, bytes(255, 255))], { fresh: true });
      await tx.deleteDoc(db, 'users', '1');
      await tx.insertDoc(db, doc('users', '3'));
      return { first, holder: await tx.claimUnique(db, 'ux', bytes(1), { coll: 'users', id: '3' }) };
    });
    expect(seen).toEqual({ first: { doc: doc('users', '1'), entries: 1500 }, holder: null });
    expect(await sortKeys(storage, db, 'ix', terms)).toEqual([[255, 255]]);
    expect(await inTx(storage, (tx) => tx.getDocs(db, [{ coll: 'users', id: '1' }, { coll: 'users', id: '2' }, { coll: 'users', id: '3' }], NOW))).toEqual([
      null,
      doc('users', '2'),
      doc('users', '3'),
    ]);
  });

  test('a write that collides while the transaction waits for something else answers as one that collides at once', async () => {
    // PostgreSQL sends held writes while the transaction waits on something other than storage
    // (RowBatchingSql): a collision there must still send the transaction back to run strictly.
    const storage = get();
    const db = freshDb();
    await inTx(storage, (tx) => tx.insertDoc(db, doc('users', '1')));
    let calls = 0;
    const inserted = await inTx(storage, async (tx) => {
      calls += 1;
      const answer = await tx.insertDoc(db, doc('users', '1', { body: { data: { again: true } } }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      return answer;
    });
    expect(inserted).toBe(false);
    // Run optimistically, then strictly, where the collision is answered.
    expect(calls).toBe(2);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW))).toEqual(doc('users', '1'));
  });

  test('deleteDoc of a document the transaction has read or written answers as any deleteDoc', async () => {
    // The backend may answer from what the transaction saw instead of asking (sql-tx.ts): the
    // answer, and what is removed, must be the same.
    const storage = get();
    const db = freshDb();
    await inTx(storage, async (tx) => {
      await tx.insertDoc(db, doc('users', '1'));
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, [entry(terms, bytes(1))]);
      await tx.claimUnique(db, 'ix', bytes(9), { coll: 'users', id: '1' });
    });
    const answers = await inTx(storage, async (tx) => {
      const found = await tx.getDoc(db, 'users', '1', NOW);
      return [found !== null, await tx.deleteDoc(db, 'users', '1'), await tx.deleteDoc(db, 'users', '1')];
    });
    expect(answers).toEqual([true, true, false]);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW))).toBeNull();
    expect(await sortKeys(storage, db, 'ix', terms)).toEqual([]);
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'ix', bytes(9), { coll: 'users', id: '3' }))).toBeNull();
    // Written in the same transaction, then deleted: gone, and deleted once.
    const written = await inTx(storage, async (tx) => {
      await tx.putDoc(db, doc('users', '2'));
      return [await tx.deleteDoc(db, 'users', '2'), await tx.deleteDoc(db, 'users', '2')];
    });
    expect(written).toEqual([true, false]);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '2', NOW))).toBeNull();
  });

  test('a read that answers after the transaction deleted what it found does not make a second delete answer true', async () => {
    // Reads the evaluator foresees may still be on their way when the query deletes (foresight.ts).
    const storage = get();
    const db = freshDb();
    await inTx(storage, (tx) => tx.insertDoc(db, doc('users', '1')));
    const answers = await inTx(storage, async (tx) => {
      const read = tx.getDoc(db, 'users', '1', NOW);
      const deleted = tx.deleteDoc(db, 'users', '1');
      const found = await read;
      return [found !== null, await deleted, await tx.deleteDoc(db, 'users', '1')];
    });
    expect(answers).toEqual([true, true, false]);
  });
}

function uniqueTests(get: () => Storage): void {
  const key = bytes(1, 2, 3);
  const ann = { coll: 'users', id: 'ann' };
  const bob = { coll: 'users', id: 'bob' };

  test('claimUnique gives a key to one document and names the holder to any other', async () => {
    const storage = get();
    const db = freshDb();
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', key, ann))).toBeNull();
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', key, ann))).toBeNull();
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', key, bob))).toEqual(ann);
    // The same key in another index, another database, or a different key: all free.
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_name', key, bob))).toBeNull();
    expect(await inTx(storage, (tx) => tx.claimUnique(freshDb(), 'by_email', key, bob))).toBeNull();
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', bytes(1, 2), bob))).toBeNull();
  });

  test('releaseUnique frees the claims of one document in one index', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, async (tx) => {
      await tx.claimUnique(db, 'by_email', key, ann);
      await tx.claimUnique(db, 'by_email', bytes(4), ann);
      await tx.claimUnique(db, 'by_name', key, ann);
    });
    await inTx(storage, (tx) => tx.releaseUnique(db, 'by_email', ann));
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', key, bob))).toBeNull();
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', bytes(4), bob))).toBeNull();
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_name', key, bob))).toEqual(ann);
  });

  test('the holder of a claim is named even when its document has expired', async () => {
    const storage = get();
    const db = freshDb();
    await inTx(storage, async (tx) => {
      await tx.insertDoc(db, doc('users', 'ann', { expiresAt: NOW - 1 }));
      await tx.claimUnique(db, 'by_email', key, ann);
    });
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'by_email', key, bob))).toEqual(ann);
  });
}

function expiryTests(get: () => Storage): void {
  const terms = bytes(5);

  async function seed(storage: Storage, db: DbId, expiresAt: number): Promise<void> {
    await inTx(storage, async (tx) => {
      for (const [id, expiry] of [['live', null], ['expiring', expiresAt]] as const) {
        await tx.insertDoc(db, doc('sessions', id, { expiresAt: expiry }));
        await tx.putIndexEntries(db, 'by_user', { coll: 'sessions', id, expiresAt: expiry }, [entry(terms, new TextEncoder().encode(id))]);
        await tx.claimUnique(db, 'by_token', new TextEncoder().encode(id), { coll: 'sessions', id });
      }
    });
  }

  test('a row is invisible to every read from the moment it expires', async () => {
    const storage = get();
    const db = freshDb();
    await seed(storage, db, NOW);
    const visibleAt = async (now: number): Promise<string[][]> =>
      inTx(storage, async (tx) => [
        [(await tx.getDoc(db, 'sessions', 'expiring', now))?.id ?? 'none'],
        (await tx.scanDocs(db, 'sessions', { now })).map((found) => found.id),
        (await tx.scanIndex(db, 'by_user', terms, { now })).map((found) => found.id),
      ]);
    expect(await visibleAt(NOW - 1)).toEqual([['expiring'], ['expiring', 'live'], ['expiring', 'live']]);
    expect(await visibleAt(NOW)).toEqual([['none'], ['live'], ['live']]);
  });

  test('sweepExpired deletes expired documents with their entries and claims, and counts them', async () => {
    const storage = get();
    // Far after every other test's times, so the count is this test's alone.
    const later = NOW + 10 ** 12;
    await storage.sweepExpired(later);
    const [first, second] = [freshDb(), freshDb()];
    await seed(storage, first, later + 5);
    await seed(storage, second, later + 10);
    expect(await storage.sweepExpired(later + 4)).toBe(0);
    expect(await storage.sweepExpired(later + 5)).toBe(1);
    expect(await storage.sweepExpired(later + 10)).toBe(1);
    for (const db of [first, second]) {
      // Read at an earlier time: the rows are gone, not merely hidden.
      expect(await inTx(storage, (tx) => tx.getDoc(db, 'sessions', 'expiring', NOW))).toBeNull();
      expect((await inTx(storage, (tx) => tx.scanIndex(db, 'by_user', terms, { now: NOW }))).map((found) => found.id)).toEqual(['live']);
      const claim = await inTx(storage, (tx) => tx.claimUnique(db, 'by_token', new TextEncoder().encode('expiring'), { coll: 'sessions', id: 'new' }));
      expect(claim).toBeNull();
      expect(await inTx(storage, (tx) => tx.getDoc(db, 'sessions', 'live', later + 100))).not.toBeNull();
    }
  });
}

function dropTests(get: () => Storage): void {
  const terms = bytes(1);

  async function seed(storage: Storage, db: DbId): Promise<void> {
    await inTx(storage, async (tx) => {
      for (const coll of ['users', 'posts']) {
        await tx.insertDoc(db, doc(coll, '1'));
        for (const indexId of ['ix_a', 'ix_b']) {
          await tx.putIndexEntries(db, indexId, { coll, id: '1', expiresAt: null }, [entry(terms, new TextEncoder().encode(coll))]);
          await tx.claimUnique(db, indexId, new TextEncoder().encode(coll), { coll, id: '1' });
        }
      }
    });
  }

  /** What is left in a database: documents, entries and claims, as short strings. */
  async function contents(storage: Storage, db: DbId): Promise<string[]> {
    const stranger = { coll: 'strangers', id: 'x' };
    return inTx(storage, async (tx) => {
      const found: string[] = [];
      for (const coll of ['users', 'posts']) {
        if ((await tx.getDoc(db, coll, '1', NOW)) !== null) found.push(`doc ${coll}`);
        for (const indexId of ['ix_a', 'ix_b']) {
          for (const hit of await tx.scanIndex(db, indexId, terms, { now: NOW })) if (hit.coll === coll) found.push(`entry ${indexId} ${coll}`);
          if ((await tx.claimUnique(db, indexId, new TextEncoder().encode(coll), stranger)) !== null) found.push(`claim ${indexId} ${coll}`);
        }
      }
      throw new ReadOnly(found); // roll the probing claims back
    }).catch((error: unknown) => {
      if (error instanceof ReadOnly) return error.found;
      throw error;
    });
  }

  test('dropping a collection removes its documents with their entries and claims', async () => {
    const storage = get();
    const [db, bystander] = [freshDb(), freshDb()];
    await seed(storage, db);
    await seed(storage, bystander);
    const before = await contents(storage, db);
    await inTx(storage, (tx) => tx.drop(db, { kind: 'collection', coll: 'users' }));
    expect(await contents(storage, db)).toEqual(before.filter((item) => !item.endsWith('users')));
    expect(await contents(storage, bystander)).toEqual(before);
  });

  test('dropping an index removes its entries and claims, not documents', async () => {
    const storage = get();
    const db = freshDb();
    await seed(storage, db);
    const before = await contents(storage, db);
    await inTx(storage, (tx) => tx.drop(db, { kind: 'index', indexId: 'ix_a' }));
    expect(await contents(storage, db)).toEqual(before.filter((item) => !item.includes('ix_a')));
  });

  test('dropping a database removes everything in it and nothing else', async () => {
    const storage = get();
    const [db, bystander] = [freshDb(), freshDb()];
    await seed(storage, db);
    await seed(storage, bystander);
    const before = await contents(storage, bystander);
    expect(before).toHaveLength(2 + 4 + 4);
    await inTx(storage, (tx) => tx.drop(db, { kind: 'database' }));
    expect(await contents(storage, db)).toEqual([]);
    expect(await contents(storage, bystander)).toEqual(before);
  });
}

function schemaVersionTests(get: () => Storage): void {
  test('a schema version starts at 0, moves with each committed bump, and is kept per database', async () => {
    const storage = get();
    const [db, other] = [freshDb(), freshDb()];
    expect(await inTx(storage, (tx) => tx.schemaVersion(db))).toBe(0);
    await inTx(storage, (tx) => tx.bumpSchemaVersion(db));
    const once = await inTx(storage, (tx) => tx.schemaVersion(db));
    await inTx(storage, async (tx) => {
      await tx.bumpSchemaVersion(db);
      await tx.bumpSchemaVersion(db);
    });
    const thrice = await inTx(storage, (tx) => tx.schemaVersion(db));
    expect(once).not.toBe(0);
    expect(new Set([0, once, thrice]).size).toBe(3);
    expect(await inTx(storage, (tx) => tx.schemaVersion(other))).toBe(0);
  });

  test('a bump in a transaction that fails is not kept, and dropping a database forgets its version', async () => {
    const storage = get();
    const db = freshDb();
    await expect(
      storage.transaction(async (tx) => {
        await tx.bumpSchemaVersion(db);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await inTx(storage, (tx) => tx.schemaVersion(db))).toBe(0);
    await inTx(storage, (tx) => tx.bumpSchemaVersion(db));
    await inTx(storage, (tx) => tx.drop(db, { kind: 'database' }));
    expect(await inTx(storage, (tx) => tx.schemaVersion(db))).toBe(0);
  });
}

/** Thrown to end a probing transaction without committing it. */
class ReadOnly extends Error {
  constructor(readonly found: string[]) {
    super('read only');
  }
}

function transactionTests(get: () => Storage): void {
  test('a transaction returns what its callback returns', async () => {
    const storage = get();
    expect(await storage.transaction(async () => ({ answer: 42 }))).toEqual({ answer: 42 });
  });

  test('a throwing callback leaves nothing written and its error is rethrown as is', async () => {
    const storage = get();
    const db = freshDb();
    const boom = new Error('boom');
    const attempt = storage.transaction(async (tx) => {
      await tx.insertDoc(db, doc('users', '1'));
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, [entry(bytes(1), bytes(1))]);
      await tx.claimUnique(db, 'ix', bytes(1), { coll: 'users', id: '1' });
      throw boom;
    });
    await expect(attempt).rejects.toBe(boom);
    expect(await inTx(storage, (tx) => tx.getDoc(db, 'users', '1', NOW))).toBeNull();
    expect(await sortKeys(storage, db, 'ix', bytes(1))).toEqual([]);
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'ix', bytes(1), { coll: 'users', id: '2' }))).toBeNull();
  });

  test("a write's answer holds even when the callback throws before committing", async () => {
    // PGlite may hold writes until COMMIT and learn of a collision only then: what the callback
    // throws must still follow from what its writes answered.
    const storage = get();
    const db = freshDb();
    await inTx(storage, (tx) => tx.insertDoc(db, doc('users', '1')));
    await inTx(storage, (tx) => tx.claimUnique(db, 'ix', bytes(7), { coll: 'users', id: '1' }));
    const taken = new Error('taken');
    const later = new Error('later');
    const createThenFail = (id: string, key: number): Promise<never> =>
      storage.transaction(async (tx) => {
        if (!(await tx.insertDoc(db, doc('users', id)))) throw taken;
        if ((await tx.claimUnique(db, 'ix', bytes(key), { coll: 'users', id })) !== null) throw taken;
        throw later;
      });
    await expect(createThenFail('1', 8)).rejects.toBe(taken);
    await expect(createThenFail('2', 7)).rejects.toBe(taken);
    await expect(createThenFail('3', 9)).rejects.toBe(later);
    expect((await inTx(storage, (tx) => tx.scanDocs(db, 'users', { now: NOW }))).map((found) => found.id)).toEqual(['1']);
  });

  test("concurrent transactions neither commit nor undo each other's writes", async () => {
    const storage = get();
    const db = freshDb();
    const boom = new Error('boom');
    const write = (id: string, fail: boolean): Promise<void> =>
      storage.transaction(async (tx) => {
        await tx.insertDoc(db, doc('users', `${id}-a`));
        await tx.getDoc(db, 'users', `${id}-a`, NOW);
        await tx.insertDoc(db, doc('users', `${id}-b`));
        if (fail) throw boom;
      });
    const runs = Array.from({ length: 10 }, (_, i) => write(`w${i}`, i % 2 === 1));
    const settled = await Promise.allSettled(runs);
    expect(settled.map((result) => result.status)).toEqual(runs.map((_, i) => (i % 2 === 1 ? 'rejected' : 'fulfilled')));
    const ids = (await inTx(storage, (tx) => tx.scanDocs(db, 'users', { now: NOW }))).map((found) => found.id);
    expect(ids).toEqual(['w0', 'w2', 'w4', 'w6', 'w8'].flatMap((id) => [`${id}-a`, `${id}-b`]));
  });

  test('20 concurrent transactions claiming one unique key: exactly one wins', async () => {
    const storage = get();
    const db = freshDb();
    const key = new TextEncoder().encode('same@example.com');
    const signUp = (id: string): Promise<boolean> =>
      storage.transaction(async (tx) => {
        if ((await tx.claimUnique(db, 'users_by_email', key, { coll: 'users', id })) !== null) return false;
        return tx.insertDoc(db, doc('users', id));
      });
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => signUp(`u${i}`)));
    expect(outcomes.filter((won) => won)).toHaveLength(1);
    const winner = `u${outcomes.indexOf(true)}`;
    expect((await inTx(storage, (tx) => tx.scanDocs(db, 'users', { now: NOW }))).map((found) => found.id)).toEqual([winner]);
    expect(await inTx(storage, (tx) => tx.claimUnique(db, 'users_by_email', key, { coll: 'users', id: 'late' }))).toEqual({ coll: 'users', id: winner });
  });
}

// --- PGlite only: the snapshot and the data-directory lock --------------------------------

describe('PGlite: every new database is restored from the template snapshot', () => {
  test('openPglite loads a tarball instead of running initdb, and the database has the tables', async () => {
    await openPglite({}).then((warm) => warm.close()); // the template exists from here on
    const create = vi.spyOn(PGlite, 'create');
    try {
      const storage = await openPglite({});
      expect(create).toHaveBeenCalledTimes(1);
      // PGlite.create's overloads type its first argument as `never` here: name what we look for.
      const options = create.mock.calls[0]?.[0] as { loadDataDir?: unknown } | undefined;
      expect(options?.loadDataDir).toBeInstanceOf(Blob);
      await inTx(storage, (tx) => tx.insertDoc('root', doc('users', '1')));
      expect(await inTx(storage, (tx) => tx.getDoc('root', 'users', '1', NOW))).toEqual(doc('users', '1'));
      await storage.close();
    } finally {
      create.mockRestore();
    }
    expect(statSync(templatePath()).size).toBeGreaterThan(100_000);
  });

  test('measureColdStart reports how long opening from the snapshot takes', async () => {
    const timing = await measureColdStart();
    expect(timing.openMs).toBeGreaterThan(0);
    expect(timing.templateMs).toBeGreaterThanOrEqual(0);
  });
});

describe('PGlite: a data directory belongs to one process', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const newDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'fql-storage-lock-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('data survives close and reopen, and close releases the lock', async () => {
    const dir = newDir();
    const first = await openPglite({ dataDir: dir });
    await inTx(first, (tx) => tx.insertDoc('root', doc('users', 'kept')));
    await first.close();
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
    const second = await openPglite({ dataDir: dir });
    expect(await inTx(second, (tx) => tx.getDoc('root', 'users', 'kept', NOW))).toEqual(doc('users', 'kept'));
    await second.close();
  });

  test('a second opener in the same process is refused', async () => {
    const dir = newDir();
    const first = await openPglite({ dataDir: dir });
    try {
      await expect(openPglite({ dataDir: dir })).rejects.toMatchObject({ code: 'data_dir_locked' });
    } finally {
      await first.close();
    }
  });

  test('a directory held by another live process is refused with a clear error', async () => {
    const dir = newDir();
    const child = await holdInChild(dir, children);
    const refusal = await openPglite({ dataDir: dir }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(StorageError);
    expect((refusal as StorageError).code).toBe('data_dir_locked');
    expect((refusal as StorageError).message).toContain(dir);
    expect((refusal as StorageError).message).toContain(`process ${child.pid}`);
    // The other process exits without closing its storage: its exit hook still frees the directory.
    child.stdin?.end();
    expect(await exitOf(child)).toBe(0);
    expect(existsSync(join(dir, LOCK_FILE_NAME))).toBe(false);
    const storage = await openPglite({ dataDir: dir });
    await inTx(storage, (tx) => tx.putDoc('root', doc('users', 'parent')));
    await storage.close();
  });

  test('a stale lock, left by a process that died, is taken over', async () => {
    const dir = newDir();
    const child = await holdInChild(dir, children);
    child.kill('SIGKILL');
    await exitOf(child);
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(child.pid));
    const storage = await openPglite({ dataDir: dir });
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    await inTx(storage, (tx) => tx.putDoc('root', doc('users', 'after')));
    expect(await inTx(storage, (tx) => tx.getDoc('root', 'users', 'after', NOW))).not.toBeNull();
    await storage.close();
  });

  test('a lock whose holder was killed and is not reaped yet (a zombie) is taken over: issue 19, item 14', async () => {
    const dir = newDir();
    const pid = await zombie(children);
    // As a `kill -9`'d engine leaves it while its parent has not reaped it.
    writeFileSync(join(dir, LOCK_FILE_NAME), `${pid}\n`);
    const lock = await lockDataDir(dir);
    expect(readFileSync(join(dir, LOCK_FILE_NAME), 'utf8').trim()).toBe(String(process.pid));
    lock.release();
    // A live holder still refuses (the control).
    writeFileSync(join(dir, LOCK_FILE_NAME), `${children.at(-1)?.pid}\n`);
    await expect(lockDataDir(dir)).rejects.toMatchObject({ code: 'data_dir_locked' });
  });
});

/**
 * A zombie: a process that has exited and that its parent does not reap. `sh` starts `sleep`
 * in the background, prints its pid, and becomes a longer `sleep` itself, which never waits for
 * children. Resolves once the short one is a zombie; the caller kills the parent (by pid).
 */
async function zombie(children: ChildProcess[]): Promise<number> {
  const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(parent);
  const pid = await new Promise<number>((resolve) => parent.stdout?.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
  for (let i = 0; i < 100 && !isZombie(pid); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(isZombie(pid)).toBe(true);
  return pid;
}

/** Starts a node process that opens `dir`, writes a document, and holds it until its stdin closes; then it exits without closing. */
async function holdInChild(dir: string, children: ChildProcess[]): Promise<ChildProcess> {
  const script = `
    const { openPglite } = await import(${JSON.stringify(PGLITE_MODULE)});
    const storage = await openPglite({ dataDir: process.env.LOCK_DIR });
    await storage.transaction((tx) => tx.putDoc('root', { coll: 'users', id: 'child', orderKey: 'child', ts: 1, body: {}, expiresAt: null }));
    process.stdout.write('ready\\n');
    process.stdin.resume();
    process.stdin.on('end', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, LOCK_DIR: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the child exited with ${code} before holding ${dir}: ${stderr}`)));
  });
  return child;
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

// --- PostgreSQL only: SERIALIZABLE retries, schemas, collation ---------------------------

(databaseUrl === null ? describe.skip : describe)(
  databaseUrl === null ? `PostgreSQL only: NOT RUN (${postgresMissingReason()})` : 'PostgreSQL only: SERIALIZABLE retries, schemas, collation',
  () => {
    const schema = `contract_retry_${randomBytes(6).toString('hex')}`;
    afterAll(() => dropSchema(schema));

    /** Two transactions that read a counter, wait until both have read, then both write it. */
    async function collide(storage: Storage, db: DbId): Promise<{ settled: PromiseSettledResult<void>[]; calls: number }> {
      let calls = 0;
      let arrived = 0;
      let bothRead = (): void => {};
      const barrier = new Promise<void>((resolve) => (bothRead = resolve));
      const increment = (): Promise<void> => {
        let firstTry = true;
        return storage.transaction(async (tx) => {
          calls += 1;
          const counter = await tx.getDoc(db, 'counters', 'c', NOW);
          if (firstTry) {
            firstTry = false;
            arrived += 1;
            if (arrived === 2) bothRead();
            await barrier;
          }
          await tx.putDoc(db, doc('counters', 'c', { body: { n: ((counter?.body as { n?: number } | undefined)?.n ?? 0) + 1 } }));
        });
      };
      const settled = await Promise.allSettled([increment(), increment()]);
      return { settled, calls };
    }

    test('a transaction aborted by a concurrent one is run again, and both take effect', async () => {
      const storage = await openPostgres({ url: databaseUrl ?? '', schema });
      try {
        const db = freshDb();
        await inTx(storage, (tx) => tx.putDoc(db, doc('counters', 'c', { body: { n: 0 } })));
        const { settled, calls } = await collide(storage, db);
        expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
        expect(calls).toBeGreaterThanOrEqual(3);
        expect((await inTx(storage, (tx) => tx.getDoc(db, 'counters', 'c', NOW)))?.body).toEqual({ n: 2 });
      } finally {
        await storage.close();
      }
    });

    test('two transactions that read a document and delete it: one deletes it, the other runs again and finds it gone', async () => {
      const storage = await openPostgres({ url: databaseUrl ?? '', schema });
      try {
        const db = freshDb();
        await inTx(storage, (tx) => tx.putDoc(db, doc('sessions', 's')));
        let calls = 0;
        let arrived = 0;
        let bothRead = (): void => {};
        const barrier = new Promise<void>((resolve) => (bothRead = resolve));
        const end = (): Promise<boolean> => {
          let firstTry = true;
          return storage.transaction(async (tx) => {
            calls += 1;
            if ((await tx.getDoc(db, 'sessions', 's', NOW)) === null) return false;
            if (firstTry) {
              firstTry = false;
              arrived += 1;
              if (arrived === 2) bothRead();
              await barrier;
            }
            return tx.deleteDoc(db, 'sessions', 's');
          });
        };
        const answers = await Promise.all([end(), end()]);
        expect(answers.sort()).toEqual([false, true]);
        expect(calls).toBe(3);
      } finally {
        await storage.close();
      }
    });

    test('deleting one document and creating another does not conflict with a transaction doing the same to others', async () => {
      // A schema of its own, so that its tables are young and have no statistics yet: then a
      // DELETE that let the planner choose scanned the whole collection (fql_docs_order), and
      // under SERIALIZABLE every document created meanwhile was a conflict (two logouts).
      const young = `contract_delete_${randomBytes(6).toString('hex')}`;
      const storage = await openPostgres({ url: databaseUrl ?? '', schema: young });
      try {
        const db = freshDb();
        const ids = Array.from({ length: 2000 }, (_, i) => String(1_000_000 + i));
        await inTx(storage, async (tx) => {
          for (const id of ids) await tx.insertDoc(db, doc('sessions', id));
        });
        let calls = 0;
        let arrived = 0;
        let bothDeleted = (): void => {};
        const barrier = new Promise<void>((resolve) => (bothDeleted = resolve));
        const logout = (session: string, event: string): Promise<void> => {
          let firstTry = true;
          return storage.transaction(async (tx) => {
            calls += 1;
            await tx.deleteDoc(db, 'sessions', session);
            if (firstTry) {
              firstTry = false;
              arrived += 1;
              if (arrived === 2) bothDeleted();
              await barrier;
            }
            await tx.insertDoc(db, doc('audit_events', event));
          });
        };
        const settled = await Promise.allSettled([logout(ids[10], 'e1'), logout(ids[1900], 'e2')]);
        expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
        expect(calls).toBe(2);
      } finally {
        await storage.close();
        await dropSchema(young);
      }
    });

    test('when the tries run out, the answer is serialization_failure and nothing of it is written', async () => {
      const storage = await openPostgres({ url: databaseUrl ?? '', schema, maxRetries: 1 });
      try {
        const db = freshDb();
        await inTx(storage, (tx) => tx.putDoc(db, doc('counters', 'c', { body: { n: 0 } })));
        const { settled, calls } = await collide(storage, db);
        const failures = settled.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
        expect(calls).toBe(2);
        expect(failures).toHaveLength(1);
        expect(failures[0]?.reason).toBeInstanceOf(StorageError);
        expect((failures[0]?.reason as StorageError).code).toBe('serialization_failure');
        expect((await inTx(storage, (tx) => tx.getDoc(db, 'counters', 'c', NOW)))?.body).toEqual({ n: 1 });
      } finally {
        await storage.close();
      }
    });

    test('order stays bytewise in a database whose default collation is not "C"', async (context) => {
      const name = `fql_collation_${randomBytes(6).toString('hex')}`;
      const admin = new pg.Client({ connectionString: databaseUrl ?? '' });
      await admin.connect();
      try {
        try {
          await admin.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US'`);
        } catch (error) {
          if ((error as { code?: string }).code === '42501') context.skip(`the test role may not CREATE DATABASE: ${(error as Error).message}`);
          throw error;
        }
        const url = new URL(databaseUrl ?? '');
        url.pathname = `/${name}`;
        await expectBytewiseOrder(url.toString());
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    });

    test('the tables live in the requested schema', async () => {
      const storage = await openPostgres({ url: databaseUrl ?? '', schema });
      await storage.close();
      const client = new pg.Client({ connectionString: databaseUrl ?? '' });
      await client.connect();
      try {
        const tables = await client.query<{ table_name: string }>(
          'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
          [schema],
        );
        expect(tables.rows.map((row) => row.table_name)).toEqual(['fql_docs', 'fql_index_entries', 'fql_schema_versions', 'fql_unique_claims', 'fql_versions']);
      } finally {
        await client.end();
      }
    });
  },
);

/** In the database at `url`: the server's own order differs from bytewise, the storage's does not. */
async function expectBytewiseOrder(url: string): Promise<void> {
  const keys = ['b', 'B', 'a', 'A', '_'];
  const storage = await openPostgres({ url });
  try {
    const locale = await serverOrder(url, keys);
    expect(locale).not.toEqual([...keys].sort()); // the database really sorts by a locale
    const db = freshDb();
    await inTx(storage, async (tx) => {
      for (const key of keys) await tx.insertDoc(db, doc('things', key, { orderKey: key }));
    });
    expect(await orderKeys(storage, db, 'things')).toEqual([...keys].sort());
  } finally {
    await storage.close();
  }
}

async function serverOrder(url: string, keys: string[]): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ key: string }>('SELECT key FROM unnest($1::text[]) AS key ORDER BY key', [keys]);
    return result.rows.map((row) => row.key);
  } finally {
    await client.end();
  }
}

describe('opening storage', () => {
  test('a server that does not answer is unavailable', async () => {
    const port = await unusedPort();
    const opening = openPostgres({ url: `postgresql://nobody@127.0.0.1:${port}/none` });
    await expect(opening).rejects.toBeInstanceOf(StorageError);
    await expect(opening).rejects.toMatchObject({ code: 'unavailable' });
  });

  test('openStorage chooses the backend: a database URL wins, then memory, then a data directory', async () => {
    const memory = await openStorage({ memory: true, dataDir: join(tmpdir(), 'never-created') });
    expect(memory.backend).toBe('pglite');
    await memory.close();
    expect(existsSync(join(tmpdir(), 'never-created'))).toBe(false);
    const port = await unusedPort();
    // The URL is tried (and found unavailable) although memory is asked for too.
    await expect(openStorage({ databaseUrl: `postgresql://nobody@127.0.0.1:${port}/none`, memory: true })).rejects.toMatchObject({ code: 'unavailable' });
    await expect(openStorage({})).rejects.toMatchObject({ code: 'invalid_config' });
  });

  test('a closed storage refuses transactions as unavailable', async () => {
    const storage = await openPglite({});
    await storage.close();
    await expect(storage.transaction(async () => 1)).rejects.toMatchObject({ code: 'unavailable' });
  });
});
