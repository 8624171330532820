/**
 * A token's query reads the token and its identity in its own transaction, in one statement once
 * the engine knows where the identity is kept (auth.ts, IdentityHints). What the engine learnt
 * is a hint only: a token that was deleted, or whose identity was, is refused by its next query,
 * whichever engine sharing the storage deleted it (other processes on one PostgreSQL, engines
 * handed one storage).
 */

import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.ts';
import { createInProcessFetch } from '../transport/in-process.ts';
import type { Storage, StorageTx } from '../storage/types.ts';
import { postgresMissingReason, postgresUrl } from './support/environment.ts';

const q = faunadb.query;
const SECRET = 'secret';
const users = q.Collection('users');

function clientOf(engine: Engine, secret: string): faunadb.Client {
  return new faunadb.Client({ secret, domain: 'engine.invalid', scheme: 'http', fetch: createInProcessFetch(engine) });
}

/** The driver's error code, or 'ok'. */
async function outcome(query: Promise<unknown>): Promise<string> {
  try {
    await query;
    return 'ok';
  } catch (err) {
    const code = (err as { requestResult?: { responseContent?: { errors?: { code?: string }[] } } }).requestResult?.responseContent?.errors?.[0]?.code;
    return code ?? String(err);
  }
}

/** A database with users who may read themselves, and its admin on each engine. */
async function databaseOn(engines: readonly Engine[], name: string): Promise<faunadb.Client[]> {
  await clientOf(engines[0], SECRET).query(q.CreateDatabase({ name }));
  const admins = engines.map((engine) => clientOf(engine, `${SECRET}:${name}:admin`));
  await admins[0].query(q.CreateCollection({ name: 'users' }));
  await admins[0].query(
    q.CreateRole({
      name: 'self_readers',
      membership: [{ resource: users }],
      privileges: [{ resource: users, actions: { read: q.Query(q.Lambda('ref', q.Equals(q.Var('ref'), q.CurrentIdentity()))) } }],
    }),
  );
  return admins;
}

/** A user and a token of theirs, the token already used once (so the engine has its hint). */
async function userWithToken(admin: faunadb.Client, engine: Engine, id: string): Promise<{ user: faunadb.Expr; token: faunadb.Expr; client: faunadb.Client }> {
  const user = q.Ref(users, id);
  await admin.query(q.Create(user, { data: { name: `user ${id}` } }));
  const made = await admin.query<{ ref: faunadb.Expr; secret: string }>(q.Create(q.Tokens(), { instance: user }));
  const client = clientOf(engine, made.secret);
  expect(await client.query(q.Select(['data', 'name'], q.Get(q.CurrentIdentity())))).toBe(`user ${id}`);
  return { user, token: made.ref, client };
}

function declare(setup: string, open: () => Promise<Engine[]>): void {
  describe(`a token refused at once: ${setup}`, () => {
    let engines: Engine[];
    let usingAdmin: faunadb.Client;
    let deletingAdmin: faunadb.Client;
    beforeAll(async () => {
      engines = await open();
      const admins = await databaseOn(engines, `tokens_${process.pid}_${Date.now()}`);
      usingAdmin = admins[0];
      deletingAdmin = admins[admins.length - 1];
    });
    afterAll(async () => {
      for (const engine of engines ?? []) await engine.close();
    });

    it('when the token is deleted', async () => {
      const { token, client } = await userWithToken(usingAdmin, engines[0], '1');
      await deletingAdmin.query(q.Delete(token));
      expect(await outcome(client.query(q.Add(1, 1)))).toBe('unauthorized');
    });

    it('when its identity is deleted', async () => {
      const { user, client } = await userWithToken(usingAdmin, engines[0], '2');
      await deletingAdmin.query(q.Delete(user));
      expect(await outcome(client.query(q.Add(1, 1)))).toBe('unauthorized');
    });

    it('when it is given another identity: it acts as that one, and ends with it', async () => {
      const { token, client } = await userWithToken(usingAdmin, engines[0], '3');
      const other = q.Ref(users, '4');
      await deletingAdmin.query(q.Create(other, { data: { name: 'user 4' } }));
      await deletingAdmin.query(q.Update(token, { instance: other }));
      expect(await client.query(q.Select(['data', 'name'], q.Get(q.CurrentIdentity())))).toBe('user 4');
      await deletingAdmin.query(q.Delete(other));
      expect(await outcome(client.query(q.Add(1, 1)))).toBe('unauthorized');
    });
  });
}

declare('one engine on PGlite', async () => [await openEngine({ adminSecret: SECRET, memory: true, bcryptCost: 4 })]);

declare('two engines on one PGlite storage', async () => {
  const first = await openEngine({ adminSecret: SECRET, memory: true, bcryptCost: 4 });
  return [first, await openEngine({ adminSecret: SECRET, storage: first.storage, bcryptCost: 4 })];
});

const pgUrl = postgresUrl();
if (pgUrl === null) {
  describe.skip(`a token refused at once: two engines on one PostgreSQL (not run: ${postgresMissingReason()})`, () => {
    it('when the token or its identity is deleted', () => undefined);
  });
} else {
  declare('two engines on one PostgreSQL', async () => [
    await openEngine({ adminSecret: SECRET, databaseUrl: pgUrl, bcryptCost: 4 }),
    await openEngine({ adminSecret: SECRET, databaseUrl: pgUrl, bcryptCost: 4 }),
  ]);
}

/** Counts the document reads that reach a storage: getDoc and getDocs calls, each one statement. */
function countingDocReads(storage: Storage): { storage: Storage; reads: () => { getDoc: number; getDocs: number } } {
  const reads = { getDoc: 0, getDocs: 0 };
  const wrapped: Storage = {
    backend: storage.backend,
    sweepExpired: (now) => storage.sweepExpired(now),
    subscribe: (listener) => storage.subscribe(listener),
    close: () => storage.close(),
    transaction: (fn, options) =>
      storage.transaction((tx) => {
        // Every other method is tx's own, found through the prototype.
        const counted: StorageTx = Object.assign(
          Object.create(tx) as StorageTx,
          {
            getDoc: (db, coll, id, now) => {
              reads.getDoc += 1;
              return tx.getDoc(db, coll, id, now);
            },
            getDocs: (db, keys, now) => {
              reads.getDocs += 1;
              return tx.getDocs(db, keys, now);
            },
          } satisfies Partial<StorageTx>,
        );
        return fn(counted);
      }, options),
  };
  return { storage: wrapped, reads: () => ({ ...reads }) };
}

describe('what a token costs a query', () => {
  it('once used, a token and its identity are one read; its identity document is then read no more', async () => {
    const base = await openEngine({ adminSecret: SECRET, memory: true, bcryptCost: 4 });
    const counting = countingDocReads(base.storage);
    const engine = await openEngine({ adminSecret: SECRET, storage: counting.storage, bcryptCost: 4 });
    try {
      const [admin] = await databaseOn([engine], 'costs');
      const { client } = await userWithToken(admin, engine, '1');
      const before = counting.reads();
      expect(await client.query(q.Add(1, 1))).toBe(2);
      expect(await client.query(q.Select(['data', 'name'], q.Get(q.CurrentIdentity())))).toBe('user 1');
      const after = counting.reads();
      expect({ getDoc: after.getDoc - before.getDoc, getDocs: after.getDocs - before.getDocs }).toEqual({ getDoc: 0, getDocs: 2 });
    } finally {
      await engine.close();
      await base.close();
    }
  });
});
