/**
 * Engines keep the schema between queries. Where another writer shares the storage (other
 * processes on one PostgreSQL; engines handed one storage), each must see a schema change the
 * moment it commits, never a stale index, collection or key; and where nobody changes the
 * schema, no query reads the schema documents again.
 */

import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.ts';
import { createInProcessFetch } from '../transport/in-process.ts';
import type { Storage, StorageTx } from '../storage/types.ts';
import { postgresMissingReason, postgresUrl } from './support/environment.ts';

const q = faunadb.query;
const SECRET = 'secret';

interface Pair {
  readonly a: faunadb.Client;
  readonly b: faunadb.Client;
  readonly engines: readonly Engine[];
}

function clientOf(engine: Engine, secret = SECRET): faunadb.Client {
  return new faunadb.Client({ secret, domain: 'engine.invalid', scheme: 'http', fetch: createInProcessFetch(engine) });
}

/** Two engines on one storage, each with its own schema cache, both working in database `name`. */
async function pairOn(open: () => Promise<Engine[]>, name: string): Promise<Pair> {
  const engines = await open();
  const root = clientOf(engines[0]);
  await root.query(q.CreateDatabase({ name }));
  const [a, b] = engines.map((engine) => clientOf(engine, `${SECRET}:${name}:admin`));
  return { a, b, engines };
}

function declare(backend: string, open: () => Promise<Engine[]>): void {
  describe(`two engines on one ${backend} storage`, () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await pairOn(open, `cache_${process.pid}_${Date.now()}`);
    });
    afterAll(async () => {
      for (const engine of pair?.engines ?? []) await engine.close();
    });

    it("sees the other's new collection and index at once, and its unique index holds", async () => {
      const { a, b } = pair;
      await b.query(q.Exists(q.Collection('people'))).then((found) => expect(found).toBe(false));
      await a.query(q.CreateCollection({ name: 'people' }));
      await a.query(q.CreateIndex({ name: 'people_by_email', source: q.Collection('people'), terms: [{ field: ['data', 'email'] }], unique: true }));
      expect(await b.query(q.Exists(q.Collection('people')))).toBe(true);
      await b.query(q.Create(q.Collection('people'), { data: { email: 'ada@example.com' } }));
      // b's write went into the index a created: a finds it, and a duplicate is refused on both.
      expect(await a.query(q.Count(q.Match(q.Index('people_by_email'), 'ada@example.com')))).toBe(1);
      await expect(a.query(q.Create(q.Collection('people'), { data: { email: 'ada@example.com' } }))).rejects.toThrow(/unique/i);
      await expect(b.query(q.Create(q.Collection('people'), { data: { email: 'ada@example.com' } }))).rejects.toThrow(/unique/i);
    });

    it("sees the other's deleted index and renamed collection at once", async () => {
      const { a, b } = pair;
      await a.query(q.CreateCollection({ name: 'pets' }));
      await a.query(q.CreateIndex({ name: 'pets_by_name', source: q.Collection('pets'), terms: [{ field: ['data', 'name'] }] }));
      expect(await b.query(q.Count(q.Match(q.Index('pets_by_name'), 'rex')))).toBe(0);
      await a.query(q.Delete(q.Index('pets_by_name')));
      await expect(b.query(q.Count(q.Match(q.Index('pets_by_name'), 'rex')))).rejects.toThrow(/invalid ref|not found/i);
      await b.query(q.Update(q.Collection('pets'), { name: 'animals' }));
      expect(await a.query(q.Exists(q.Collection('pets')))).toBe(false);
      expect(await a.query(q.Exists(q.Collection('animals')))).toBe(true);
    });
  });
}

/** Counts the schema documents a storage reads, by wrapping its transactions. */
function countingSchemaReads(storage: Storage): { storage: Storage; reads: () => number } {
  let reads = 0;
  const schemaKinds = new Set(['collections', 'indexes', 'functions', 'databases', 'keys', 'roles']);
  const wrapped: Storage = {
    backend: storage.backend,
    sweepExpired: (now) => storage.sweepExpired(now),
    subscribe: (listener) => storage.subscribe(listener),
    close: () => storage.close(),
    transaction: (fn) =>
      storage.transaction((tx) => {
        // Every other method is tx's own, found through the prototype.
        const counted: StorageTx = Object.assign(
          Object.create(tx) as StorageTx,
          {
            getDoc: (db, coll, id, now) => {
              if (schemaKinds.has(coll)) reads += 1;
              return tx.getDoc(db, coll, id, now);
            },
            scanDocs: (db, coll, range) => {
              if (schemaKinds.has(coll)) reads += 1;
              return tx.scanDocs(db, coll, range);
            },
          } satisfies Partial<StorageTx>,
        );
        return fn(counted);
      }),
  };
  return { storage: wrapped, reads: () => reads };
}

const pgUrl = postgresUrl();

declare('PGlite', async () => {
  const first = await openEngine({ adminSecret: SECRET, memory: true, bcryptCost: 4 });
  return [first, await openEngine({ adminSecret: SECRET, storage: first.storage, bcryptCost: 4 })];
});

if (pgUrl === null) {
  describe.skip(`two engines on one PostgreSQL storage (not run: ${postgresMissingReason()})`, () => {
    it('sees schema changes at once', () => undefined);
  });
} else {
  declare('PostgreSQL', async () => [
    await openEngine({ adminSecret: SECRET, databaseUrl: pgUrl, bcryptCost: 4 }),
    await openEngine({ adminSecret: SECRET, databaseUrl: pgUrl, bcryptCost: 4 }),
  ]);
}

describe('a schema that does not change is read once', () => {
  it('repeated queries on a storage with a version to check read no schema document again', async () => {
    const base = await openEngine({ adminSecret: SECRET, memory: true, bcryptCost: 4 });
    const counting = countingSchemaReads(base.storage);
    const engine = await openEngine({ adminSecret: SECRET, storage: counting.storage, bcryptCost: 4 });
    try {
      const client = clientOf(engine);
      await client.query(q.CreateCollection({ name: 'things' }));
      await client.query(q.CreateIndex({ name: 'things_by_n', source: q.Collection('things'), terms: [{ field: ['data', 'n'] }], unique: true }));
      const round = async (n: number): Promise<void> => {
        await client.query(q.Create(q.Collection('things'), { data: { n } }));
        expect(await client.query(q.Count(q.Match(q.Index('things_by_n'), n)))).toBe(1);
      };
      await round(0);
      const warm = counting.reads();
      expect(warm).toBeGreaterThan(0);
      for (let n = 1; n <= 5; n++) await round(n);
      expect(counting.reads()).toBe(warm);
    } finally {
      await engine.close();
      await base.close();
    }
  });
});
