// The history part of the storage contract (putVersion, removeVersion, scanVersions,
// versionsAt and the sweep of versions), run by storage-contract.test.ts on every backend.
import { randomBytes } from 'node:crypto';
import { expect, test } from 'vitest';
import type { DbId, Storage, StorageTx, StoredVersion, VersionRange } from '../../storage/types.ts';

const NOW = 1_700_000_000_000_000;
const DAY = 86_400_000_000;

function freshDb(): DbId {
  return `hist-${randomBytes(4).toString('hex')}`;
}

/** A past version, replaced a microsecond after it was made unless told otherwise. */
function version(id: string, ts: number, fields: Partial<StoredVersion> = {}): StoredVersion {
  return { coll: 'things', id, ts, deleted: false, body: { public: { data: { id, ts } }, meta: {} }, validUntil: ts + 1, keepFor: DAY, ...fields };
}

function deletion(id: string, ts: number, fields: Partial<StoredVersion> = {}): StoredVersion {
  return version(id, ts, { deleted: true, body: null, validUntil: null, ...fields });
}

function inTx<T>(storage: Storage, fn: (tx: StorageTx) => Promise<T>): Promise<T> {
  return storage.transaction(fn);
}

async function put(storage: Storage, db: DbId, versions: readonly StoredVersion[]): Promise<void> {
  await inTx(storage, async (tx) => {
    for (const v of versions) await tx.putVersion(db, v);
  });
}

async function scan(storage: Storage, db: DbId, id: string | null, range: Partial<VersionRange> = {}): Promise<[string, number][]> {
  const found = await inTx(storage, (tx) => tx.scanVersions(db, 'things', id, { now: NOW, ...range }));
  return found.map((v) => [v.id, v.ts]);
}

export function historyTests(get: () => Storage): void {
  test('versions come back as written, in valid-time order, scoped by database and document', async () => {
    const storage = get();
    const db = freshDb();
    const deleted = deletion('1', NOW - 10, { keepFor: null });
    await put(storage, db, [version('1', NOW - 30), deleted, version('1', NOW - 20), version('2', NOW - 25)]);
    const found = await inTx(storage, (tx) => tx.scanVersions(db, 'things', '1', { now: NOW }));
    expect(found).toEqual([version('1', NOW - 30), version('1', NOW - 20), deleted]);
    expect(await scan(storage, freshDb(), '1')).toEqual([]);
  });

  test('a second version at the same ts replaces the first, in one transaction or another', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [version('1', NOW - 5), version('1', NOW - 5, { body: { second: true } })]);
    await put(storage, db, [version('2', NOW - 5)]);
    await put(storage, db, [deletion('2', NOW - 5)]);
    const found = await inTx(storage, (tx) => tx.scanVersions(db, 'things', null, { now: NOW }));
    expect(found.map((v) => [v.id, v.body, v.deleted])).toEqual([['1', { second: true }, false], ['2', null, true]]);
  });

  test('ranges: gte inclusive, lt exclusive, reverse and limit; every document of a collection since a time', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [version('1', NOW - 30), version('2', NOW - 20), version('1', NOW - 10), version('3', NOW - 10)]);
    expect(await scan(storage, db, '1', { gte: NOW - 10 })).toEqual([['1', NOW - 10]]);
    expect(await scan(storage, db, '1', { lt: NOW - 10 })).toEqual([['1', NOW - 30]]);
    expect(await scan(storage, db, '1', { reverse: true, limit: 1 })).toEqual([['1', NOW - 10]]);
    expect(await scan(storage, db, null, { gte: NOW - 20 })).toEqual([['2', NOW - 20], ['1', NOW - 10], ['3', NOW - 10]]);
    expect(await scan(storage, db, null, { reverse: true, limit: 2 })).toEqual([['3', NOW - 10], ['1', NOW - 10]]);
  });

  test('removeVersion removes one version and says whether it was there', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [version('1', NOW - 30), version('1', NOW - 20)]);
    expect(await inTx(storage, (tx) => tx.removeVersion(db, 'things', '1', NOW - 20))).toBe(true);
    expect(await inTx(storage, (tx) => tx.removeVersion(db, 'things', '1', NOW - 20))).toBe(false);
    expect(await scan(storage, db, '1')).toEqual([['1', NOW - 30]]);
  });

  test('a version is visible until it has been replaced (a deletion: made) for longer than keepFor', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [
      version('old', NOW - 3 * DAY, { validUntil: NOW - 2 * DAY }),
      version('old', NOW - 2 * DAY, { validUntil: NOW - DAY / 2 }),
      version('forever', NOW - 3 * DAY, { validUntil: NOW - 2 * DAY, keepFor: null }),
      version('none', NOW - 3, { validUntil: NOW - 2, keepFor: 0 }),
      deletion('gone', NOW - 2 * DAY),
      deletion('gone', NOW - DAY / 2),
    ]);
    expect(await scan(storage, db, 'old')).toEqual([['old', NOW - 2 * DAY]]);
    expect(await scan(storage, db, 'forever')).toEqual([['forever', NOW - 3 * DAY]]);
    expect(await scan(storage, db, 'none')).toEqual([]);
    expect(await scan(storage, db, 'gone')).toEqual([['gone', NOW - DAY / 2]]);
    // Seen from three days ago, everything was still there.
    expect(await scan(storage, db, 'old', { now: NOW - 3 * DAY })).toEqual([['old', NOW - 3 * DAY], ['old', NOW - 2 * DAY]]);
    expect(await scan(storage, db, 'gone', { now: NOW - 2 * DAY })).toEqual([['gone', NOW - 2 * DAY], ['gone', NOW - DAY / 2]]);
  });

  test('versionsAt: each document as it was at a time, deletions included', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [
      version('1', NOW - 30),
      version('1', NOW - 10),
      version('2', NOW - 25),
      deletion('2', NOW - 15),
      version('3', NOW - 5),
    ]);
    const at = await inTx(storage, (tx) => tx.versionsAt(db, 'things', NOW - 15, NOW));
    expect(at.map((v) => [v.id, v.ts, v.deleted])).toEqual([['1', NOW - 30, false], ['2', NOW - 15, true]]);
  });

  test('sweepExpired deletes the versions no read can see, and keeps the rest', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [
      version('1', NOW - 3 * DAY, { validUntil: NOW - 2 * DAY }),
      version('1', NOW - 2 * DAY, { validUntil: NOW - 1 }),
      deletion('1', NOW - 1),
      version('2', NOW - 3 * DAY, { validUntil: NOW - 2 * DAY, keepFor: null }),
      deletion('3', NOW - 2 * DAY),
    ]);
    await storage.sweepExpired(NOW);
    // Read as of long ago, where the swept versions would still be visible: they are gone.
    expect(await scan(storage, db, null, { now: NOW - 3 * DAY })).toEqual([['2', NOW - 3 * DAY], ['1', NOW - 2 * DAY], ['1', NOW - 1]]);
  });

  test('drop of a collection or a database takes its versions', async () => {
    const storage = get();
    const db = freshDb();
    await put(storage, db, [version('1', NOW - 3), version('1', NOW - 2, { coll: 'others' })]);
    await inTx(storage, (tx) => tx.drop(db, { kind: 'collection', coll: 'things' }));
    expect(await scan(storage, db, '1')).toEqual([]);
    expect(await inTx(storage, (tx) => tx.scanVersions(db, 'others', '1', { now: NOW }))).toHaveLength(1);
    await inTx(storage, (tx) => tx.drop(db, { kind: 'database' }));
    expect(await inTx(storage, (tx) => tx.scanVersions(db, 'others', '1', { now: NOW }))).toEqual([]);
  });
}
