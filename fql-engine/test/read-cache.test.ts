// ReadCachingTx over a real PGlite transaction: a repeated read reaches storage once, every write
// makes the next read go to storage again. (That it keeps the storage contract is checked by the
// contract suite, which runs through it too; the engine makes one per transaction attempt.)
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openPglite } from '../storage/pglite.ts';
import { ReadCachingTx } from '../storage/read-cache.ts';
import type { DbId, Storage, StorageTx, StoredDoc } from '../storage/types.ts';

const NOW = 1_700_000_000_000_000;
const TERMS = new Uint8Array([1]);

/** Counts what reaches the real transaction underneath the cache. */
type Reads = { getDoc: number; getDocs: number; scanIndex: number; scanIndexWithDocs: number };

function counted(tx: StorageTx): { tx: StorageTx; reads: Reads } {
  const reads = { getDoc: 0, getDocs: 0, scanIndex: 0, scanIndexWithDocs: 0 };
  const wrapped: StorageTx = Object.create(tx) as StorageTx;
  wrapped.getDoc = (...args) => {
    reads.getDoc += 1;
    return tx.getDoc(...args);
  };
  wrapped.getDocs = (...args) => {
    reads.getDocs += 1;
    return tx.getDocs(...args);
  };
  wrapped.scanIndex = (...args) => {
    reads.scanIndex += 1;
    return tx.scanIndex(...args);
  };
  wrapped.scanIndexWithDocs = (...args) => {
    reads.scanIndexWithDocs += 1;
    return tx.scanIndexWithDocs(...args);
  };
  return { tx: wrapped, reads };
}

function doc(id: string, n: number, expiresAt: number | null = null): StoredDoc {
  return { coll: 'users', id, orderKey: id, ts: NOW, body: { data: { n } }, expiresAt };
}

let storage: Storage;
let counter = 0;
beforeAll(async () => {
  storage = await openPglite({});
});
afterAll(async () => {
  await storage.close();
});

/** A fresh database holding user 1 with one index entry, and a cached view of a transaction on it. */
async function withCache<T>(fn: (cache: ReadCachingTx, reads: Reads, db: DbId) => Promise<T>): Promise<T> {
  counter += 1;
  const db = `rc${counter}`;
  await storage.transaction(async (tx) => {
    await tx.insertDoc(db, doc('1', 1));
    await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, [{ terms: TERMS, sortKey: new Uint8Array([1]), values: 1 }]);
  });
  return storage.transaction(async (raw) => {
    const { tx, reads } = counted(raw);
    return fn(new ReadCachingTx(tx), reads, db);
  });
}

describe('ReadCachingTx', () => {
  test('the same document read three times reaches storage once', async () => {
    await withCache(async (cache, reads, db) => {
      const found = await Promise.all([cache.getDoc(db, 'users', '1', NOW), cache.getDoc(db, 'users', '1', NOW)]);
      expect(await cache.getDoc(db, 'users', '1', NOW)).toEqual(found[0]);
      expect(found[0]?.body).toEqual({ data: { n: 1 } });
      expect(reads.getDoc).toBe(1);
      // Another time is another read: expiry depends on it.
      await cache.getDoc(db, 'users', '1', NOW + 1);
      expect(reads.getDoc).toBe(2);
    });
  });

  test('the same index scan twice reaches storage once, and each caller gets its own array', async () => {
    await withCache(async (cache, reads, db) => {
      const first = await cache.scanIndex(db, 'ix', TERMS, { now: NOW, limit: 5 });
      first.pop();
      const second = await cache.scanIndex(db, 'ix', TERMS, { now: NOW, limit: 5 });
      expect(second.map((e) => e.id)).toEqual(['1']);
      expect(reads.scanIndex).toBe(1);
      await cache.scanIndex(db, 'ix', TERMS, { now: NOW, limit: 2 });
      expect(reads.scanIndex).toBe(2);
    });
  });

  test('getDocs reads what is not remembered in one statement, and remembers each document', async () => {
    await withCache(async (cache, reads, db) => {
      await cache.getDoc(db, 'users', '1', NOW);
      const found = await cache.getDocs(db, [{ coll: 'users', id: '1' }, { coll: 'users', id: '2' }, { coll: 'users', id: '3' }], NOW);
      expect(found.map((d) => d?.id ?? null)).toEqual(['1', null, null]);
      expect(reads).toEqual({ getDoc: 1, getDocs: 1, scanIndex: 0, scanIndexWithDocs: 0 });
      expect(await cache.getDoc(db, 'users', '2', NOW)).toBeNull();
      expect(await cache.getDocs(db, [{ coll: 'users', id: '3' }, { coll: 'users', id: '1' }], NOW)).toEqual([null, found[0]]);
      expect(reads).toEqual({ getDoc: 1, getDocs: 1, scanIndex: 0, scanIndexWithDocs: 0 });
      await cache.insertDoc(db, doc('2', 2));
      expect((await cache.getDocs(db, [{ coll: 'users', id: '2' }], NOW))[0]?.body).toEqual({ data: { n: 2 } });
      expect(reads.getDocs).toBe(2);
    });
  });

  test('a scan for one entry brings its document along: reading it next reaches storage no more', async () => {
    await withCache(async (cache, reads, db) => {
      expect((await cache.scanIndex(db, 'ix', TERMS, { now: NOW, limit: 1 })).map((e) => e.id)).toEqual(['1']);
      expect((await cache.getDoc(db, 'users', '1', NOW))?.body).toEqual({ data: { n: 1 } });
      expect(reads).toEqual({ getDoc: 0, getDocs: 0, scanIndex: 0, scanIndexWithDocs: 1 });
    });
  });

  test.each(
    [
      ['putDoc', (c: ReadCachingTx, db: DbId): Promise<void> => c.putDoc(db, doc('1', 2)), { data: { n: 2 } }],
      ['deleteDoc', async (c: ReadCachingTx, db: DbId): Promise<void> => void (await c.deleteDoc(db, 'users', '1')), null],
      ['drop', (c: ReadCachingTx, db: DbId): Promise<void> => c.drop(db, { kind: 'collection', coll: 'users' }), null],
    ] as const,
  )('after %s the document is read again and the write is seen', async (_name, write, body) => {
    await withCache(async (cache, reads, db) => {
      await cache.getDoc(db, 'users', '1', NOW);
      await write(cache, db);
      const after = await cache.getDoc(db, 'users', '1', NOW);
      expect(after === null ? null : after.body).toEqual(body);
      expect(reads.getDoc).toBe(2);
    });
  });

  test('insertDoc of a document read as missing makes it found', async () => {
    await withCache(async (cache, _reads, db) => {
      expect(await cache.getDoc(db, 'users', '2', NOW)).toBeNull();
      expect(await cache.insertDoc(db, doc('2', 7))).toBe(true);
      expect((await cache.getDoc(db, 'users', '2', NOW))?.body).toEqual({ data: { n: 7 } });
    });
  });

  test.each(
    [
      ['putIndexEntries', (c: ReadCachingTx, db: DbId): Promise<void> => c.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, []), []],
      ['deleteDoc', async (c: ReadCachingTx, db: DbId): Promise<void> => void (await c.deleteDoc(db, 'users', '1')), []],
      ['putDoc with an expiry', (c: ReadCachingTx, db: DbId): Promise<void> => c.putDoc(db, doc('1', 1, NOW + 5)), ['1']],
    ] as const,
  )('after %s the index is scanned again', async (_name, write, ids) => {
    await withCache(async (cache, reads, db) => {
      expect((await cache.scanIndex(db, 'ix', TERMS, { now: NOW })).map((e) => e.id)).toEqual(['1']);
      await write(cache, db);
      expect((await cache.scanIndex(db, 'ix', TERMS, { now: NOW })).map((e) => e.id)).toEqual(ids);
      expect(reads.scanIndex).toBe(2);
    });
  });

  test('a write to another index leaves a scan cached', async () => {
    await withCache(async (cache, reads, db) => {
      await cache.scanIndex(db, 'ix', TERMS, { now: NOW });
      await cache.putIndexEntries(db, 'other', { coll: 'users', id: '1', expiresAt: null }, []);
      await cache.scanIndex(db, 'ix', TERMS, { now: NOW });
      expect(reads.scanIndex).toBe(1);
    });
  });

  test("a new document's entries leave cached the scans of other terms, and make their own terms' be read again", async () => {
    const other = new Uint8Array([2]);
    await withCache(async (cache, reads, db) => {
      await cache.scanIndex(db, 'ix', TERMS, { now: NOW });
      await cache.scanIndex(db, 'ix', other, { now: NOW });
      expect(await cache.insertDoc(db, doc('2', 2))).toBe(true);
      await cache.putIndexEntries(db, 'ix', { coll: 'users', id: '2', expiresAt: null }, [{ terms: other, sortKey: new Uint8Array([2]), values: 2 }], {
        fresh: true,
      });
      expect((await cache.scanIndex(db, 'ix', TERMS, { now: NOW })).map((e) => e.id)).toEqual(['1']);
      expect((await cache.scanIndex(db, 'ix', other, { now: NOW })).map((e) => e.id)).toEqual(['2']);
      expect(reads.scanIndex).toBe(3);
    });
  });

  test('reads ahead start together, and the calls that follow are answered from them', async () => {
    await withCache(async (cache, reads, db) => {
      cache.readAhead([
        { kind: 'scan', db, indexId: 'ix', terms: TERMS, range: { now: NOW, limit: 5 } },
        { kind: 'doc', db, coll: 'users', id: '1', now: NOW },
        { kind: 'doc', db, coll: 'users', id: '1', now: NOW },
      ]);
      // Started at once, before anything was asked for.
      expect(reads).toEqual({ getDoc: 1, getDocs: 0, scanIndex: 1, scanIndexWithDocs: 0 });
      expect((await cache.scanIndex(db, 'ix', TERMS, { now: NOW, limit: 5 })).map((e) => e.id)).toEqual(['1']);
      expect((await cache.getDoc(db, 'users', '1', NOW))?.body).toEqual({ data: { n: 1 } });
      expect(reads).toEqual({ getDoc: 1, getDocs: 0, scanIndex: 1, scanIndexWithDocs: 0 });
    });
  });

  test('one read ahead alone, or one already held, is not started: the call itself makes it', async () => {
    await withCache(async (cache, reads, db) => {
      await cache.getDoc(db, 'users', '1', NOW);
      cache.readAhead([{ kind: 'scan', db, indexId: 'ix', terms: TERMS, range: { now: NOW } }, { kind: 'doc', db, coll: 'users', id: '1', now: NOW }]);
      expect(reads).toEqual({ getDoc: 1, getDocs: 0, scanIndex: 0, scanIndexWithDocs: 0 });
    });
  });

  test('a read ahead that fails fails nothing until its call, which reports it', async () => {
    let calls = 0;
    const failing = Object.create(null) as StorageTx;
    failing.getDoc = async () => {
      calls += 1;
      throw new Error('connection reset');
    };
    const cache = new ReadCachingTx(failing);
    cache.readAhead([{ kind: 'doc', db: 'db', coll: 'users', id: '1', now: NOW }, { kind: 'doc', db: 'db', coll: 'users', id: '2', now: NOW }]);
    await expect(cache.getDoc('db', 'users', '1', NOW)).rejects.toThrow('connection reset');
    expect(calls).toBeGreaterThanOrEqual(2);
  });

  test('a scan that answers after a write does not bring back the document as it was before it', async () => {
    // A read foreseen past a write (foresight.ts) may be on its way while the write happens.
    counter += 1;
    const db = `rc${counter}`;
    await storage.transaction(async (tx) => {
      await tx.insertDoc(db, doc('1', 1));
      await tx.putIndexEntries(db, 'ix', { coll: 'users', id: '1', expiresAt: null }, [{ terms: TERMS, sortKey: new Uint8Array([1]), values: 1 }]);
    });
    await storage.transaction(async (raw) => {
      let release = (): void => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      const gated: StorageTx = Object.create(raw) as StorageTx;
      gated.scanIndexWithDocs = async (...args) => {
        const found = await raw.scanIndexWithDocs(...args);
        await held;
        return found;
      };
      const cache = new ReadCachingTx(gated);
      const scan = cache.scanIndex(db, 'ix', TERMS, { now: NOW, limit: 1 });
      await cache.putDoc(db, doc('1', 2));
      expect((await cache.getDoc(db, 'users', '1', NOW))?.body).toEqual({ data: { n: 2 } });
      release();
      await scan;
      expect((await cache.getDoc(db, 'users', '1', NOW))?.body).toEqual({ data: { n: 2 } });
    });
  });

  test('a failed read is not remembered', async () => {
    let calls = 0;
    const failingOnce = Object.create(null) as StorageTx;
    failingOnce.getDoc = async () => {
      calls += 1;
      if (calls === 1) throw new Error('connection reset');
      return doc('1', 1);
    };
    const cache = new ReadCachingTx(failingOnce);
    await expect(cache.getDoc('db', 'users', '1', NOW)).rejects.toThrow('connection reset');
    expect((await cache.getDoc('db', 'users', '1', NOW))?.id).toBe('1');
    expect(calls).toBe(2);
  });
});
