import faunadb from 'faunadb';
import { afterAll, describe, expect, test } from 'vitest';
import { faunaCode } from '../../shared/fql/driver-errors.ts';
import { closeAuthEngine, freshAuthDatabase } from './auth-db.ts';

const q = faunadb.query;

afterAll(() => closeAuthEngine());

describe('freshAuthDatabase', () => {
  test('gives a database with the auth schema, reached with a server key', async () => {
    const db = await freshAuthDatabase();
    try {
      const indexes = await db.client.query<{ data: faunadb.values.Ref[] }>(q.Paginate(q.Indexes()));
      expect(indexes.data.map((r) => r.id)).toContain('accounts_by_email');
      const account = q.Create(q.Collection('accounts'), { data: { email: 'a@example.com' } });
      await db.client.query(account);
      await expect(db.client.query(account)).rejects.toSatisfy((err: unknown) => faunaCode(err) === 'instance not unique');
      // A server key may not make keys; the database's admin may.
      await expect(db.client.query(q.CreateKey({ role: 'server' }))).rejects.toSatisfy((err: unknown) => faunaCode(err) === 'permission denied');
      await expect(db.adminClient.query(q.CreateKey({ role: 'server' }))).resolves.toHaveProperty('secret');
    } finally {
      await db.close();
    }
  });

  test('databases are isolated from each other, and close() deletes one', async () => {
    const [a, b] = await Promise.all([freshAuthDatabase(), freshAuthDatabase()]);
    expect(a.name).not.toBe(b.name);
    await a.client.query(q.Create(q.Collection('accounts'), { data: { email: 'same@example.com' } }));
    // Same email in the other database: no clash, and neither sees the other's documents.
    await b.client.query(q.Create(q.Collection('accounts'), { data: { email: 'same@example.com' } }));
    expect(await a.client.query(q.Count(q.Match(q.Index('accounts_by_email'), 'same@example.com')))).toBe(1);
    await a.close();
    await expect(a.client.query(q.Add(1, 1))).rejects.toSatisfy((err: unknown) => faunaCode(err) === 'unauthorized');
    expect(await b.client.query(q.Count(q.Match(q.Index('accounts_by_email'), 'same@example.com')))).toBe(1);
    await b.close();
  });
});
