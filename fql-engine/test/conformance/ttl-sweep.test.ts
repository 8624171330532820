/**
 * Document TTL and the sweep (issue 3, §4), on an engine whose clock the test moves:
 * a document with a ttl is visible, then invisible to Get, Exists, Match and Paginate as soon as
 * the clock passes its ttl — while its row is still in storage — and physically gone once
 * `storage.sweepExpired` has run. The same for a collection's `ttl_days`, and for the engine's
 * own periodic sweep. Storage is checked directly, with a `now` from before the expiry, so
 * "gone" means deleted, not merely hidden.
 */

import faunadb, { type Client } from 'faunadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../engine.ts';
import { ROOT_DB, type StoredDoc } from '../../storage/types.ts';
import { createInProcessFetch } from '../../transport/in-process.ts';
import { isPlainJsonObject } from '../../wire.ts';
import { TestClock } from './identity-harness.ts';

const q = faunadb.query;
const SECRET = 'secret';
const DAY = 86_400_000;

function clientOf(engine: Engine): Client {
  return new faunadb.Client({ secret: SECRET, domain: 'engine.invalid', scheme: 'http', fetch: createInProcessFetch(engine) });
}

/** The internal key storage files a user collection's documents under. */
async function collectionKey(engine: Engine, name: string, nowMicros: number): Promise<string> {
  const record = await engine.storage.transaction((tx) => tx.getDoc(ROOT_DB, 'collections', name, nowMicros));
  const meta = record !== null && isPlainJsonObject(record.body) ? record.body.meta : undefined;
  const iid = isPlainJsonObject(meta) ? meta.iid : undefined;
  if (typeof iid !== 'string') throw new Error(`collection '${name}' has no internal id in storage`);
  return iid;
}

/** The stored row as seen at `nowMicros` (a time before the document expired). */
function storedRow(engine: Engine, coll: string, id: string, nowMicros: number): Promise<StoredDoc | null> {
  return engine.storage.transaction((tx) => tx.getDoc(ROOT_DB, coll, id, nowMicros));
}

async function notFound(client: Client, ref: faunadb.Expr): Promise<string> {
  try {
    await client.query(q.Get(ref));
    return 'found';
  } catch (err) {
    if (err instanceof faunadb.errors.NotFound) return 'not found';
    throw err;
  }
}

/** What each read sees of a collection's only document, through an index on data.colour. */
function sightings(coll: string, ref: faunadb.Expr): Record<string, faunadb.Expr> {
  return {
    exists: q.Exists(ref),
    matched: q.Count(q.Select('data', q.Paginate(q.Match(q.Index(`${coll}_by_colour`), 'red')))),
    listed: q.Count(q.Select('data', q.Paginate(q.Documents(q.Collection(coll))))),
  };
}

const visible = { exists: true, matched: 1, listed: 1 };
const invisible = { exists: false, matched: 0, listed: 0 };

async function makeCollection(client: Client, params: { name: string; ttl_days?: number }): Promise<void> {
  await client.query(q.CreateCollection(params));
  await client.query(q.CreateIndex({ name: `${params.name}_by_colour`, source: q.Collection(params.name), terms: [{ field: ['data', 'colour'] }] }));
}

describe('document ttl, then the sweep (PGlite, a moving clock)', () => {
  const clock = new TestClock();
  let engine: Engine;
  let client: Client;

  beforeAll(async () => {
    // A sweep interval far beyond the test, so only the test's own sweepExpired calls sweep.
    engine = await openEngine({ adminSecret: SECRET, memory: true, clock: clock.now, sweepIntervalMs: 3_600_000 });
    client = clientOf(engine);
  });
  afterAll(async () => {
    await client.close({ force: true });
    await engine.close();
  });

  it('a document with a ttl: visible, invisible at once past it, gone after the sweep', async () => {
    await makeCollection(client, { name: 'things' });
    const thing = q.Ref(q.Collection('things'), '1');
    const createdAt = clock.now() * 1000;
    await client.query(q.Create(thing, { ttl: q.TimeAdd(q.Now(), 60, 'seconds'), data: { colour: 'red' } }));
    const coll = await collectionKey(engine, 'things', createdAt);

    clock.advance(30_000);
    expect(await client.query(sightings('things', thing))).toEqual(visible);
    expect(await notFound(client, thing)).toBe('found');

    clock.advance(31_000);
    expect(await client.query(sightings('things', thing))).toEqual(invisible);
    expect(await notFound(client, thing)).toBe('not found');
    // Hidden, not yet removed: the row is still there for a reader from before the expiry.
    expect(await storedRow(engine, coll, '1', createdAt)).not.toBeNull();

    expect(await engine.storage.sweepExpired(clock.now() * 1000)).toBeGreaterThanOrEqual(1);
    expect(await storedRow(engine, coll, '1', createdAt)).toBeNull();
    expect(await client.query(sightings('things', thing))).toEqual(invisible);
  });

  it("a collection's ttl_days: gone that many days after the last write, then swept", async () => {
    await makeCollection(client, { name: 'sessions', ttl_days: 1 });
    const session = q.Ref(q.Collection('sessions'), '1');
    const createdAt = clock.now() * 1000;
    await client.query(q.Create(session, { data: { colour: 'red' } }));
    const coll = await collectionKey(engine, 'sessions', createdAt);

    clock.advance(DAY - 60_000);
    expect(await client.query(sightings('sessions', session))).toEqual(visible);

    clock.advance(120_000);
    expect(await client.query(sightings('sessions', session))).toEqual(invisible);
    expect(await storedRow(engine, coll, '1', createdAt)).not.toBeNull();

    await engine.storage.sweepExpired(clock.now() * 1000);
    expect(await storedRow(engine, coll, '1', createdAt)).toBeNull();
  });

  it('the sweep leaves live documents alone', async () => {
    await makeCollection(client, { name: 'keepers' });
    const kept = q.Ref(q.Collection('keepers'), '1');
    const soon = q.Ref(q.Collection('keepers'), '2');
    const createdAt = clock.now() * 1000;
    await client.query(q.Create(kept, { data: { colour: 'red' } }));
    await client.query(q.Create(soon, { ttl: q.TimeAdd(q.Now(), 1, 'minute'), data: { colour: 'blue' } }));
    await client.query(q.Create(q.Ref(q.Collection('keepers'), '3'), { ttl: q.TimeAdd(q.Now(), 1, 'day'), data: { colour: 'green' } }));
    const coll = await collectionKey(engine, 'keepers', createdAt);

    clock.advance(120_000);
    await engine.storage.sweepExpired(clock.now() * 1000);
    expect(await storedRow(engine, coll, '2', createdAt)).toBeNull();
    expect(await storedRow(engine, coll, '1', createdAt)).not.toBeNull();
    expect(await storedRow(engine, coll, '3', createdAt)).not.toBeNull();
    expect(await client.query([q.Exists(kept), q.Exists(soon), q.Count(q.Documents(q.Collection('keepers')))])).toEqual([true, false, 2]);
  });

  it('an expired token is swept like any document', async () => {
    await client.query(q.CreateCollection({ name: 'users' }));
    const alice = q.Ref(q.Collection('users'), '1');
    await client.query(q.Create(alice, { credentials: { password: 'sekret' } }));
    const createdAt = clock.now() * 1000;
    const token = await client.query<{ ref: faunadb.values.Ref }>(q.Login(alice, { password: 'sekret', ttl: q.TimeAdd(q.Now(), 60, 'seconds') }));
    expect(await storedRow(engine, 'tokens', token.ref.id, createdAt)).not.toBeNull();
    clock.advance(61_000);
    expect(await client.query(q.Exists(token.ref))).toBe(false);
    await engine.storage.sweepExpired(clock.now() * 1000);
    expect(await storedRow(engine, 'tokens', token.ref.id, createdAt)).toBeNull();
  });
});

describe("the engine's periodic sweep", () => {
  it('removes an expired document without being asked', async () => {
    const clock = new TestClock();
    const engine = await openEngine({ adminSecret: SECRET, memory: true, clock: clock.now, sweepIntervalMs: 50 });
    const client = clientOf(engine);
    try {
      await client.query(q.CreateCollection({ name: 'things' }));
      const createdAt = clock.now() * 1000;
      await client.query(q.Create(q.Ref(q.Collection('things'), '1'), { ttl: q.TimeAdd(q.Now(), 60, 'seconds'), data: {} }));
      const coll = await collectionKey(engine, 'things', createdAt);
      clock.advance(61_000);
      const deadline = Date.now() + 5_000;
      while ((await storedRow(engine, coll, '1', createdAt)) !== null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(await storedRow(engine, coll, '1', createdAt)).toBeNull();
    } finally {
      await client.close({ force: true });
      await engine.close();
    }
  });
});
