// PostgreSQL's transaction (storage/pg-tx.ts) under the row batching the storage puts in front of
// it (storage/sql-tx.ts's RowBatchingSql), on a real PostgreSQL connection: the prepared
// statements a connection is left holding, a COMMIT that PostgreSQL answers with ROLLBACK, and
// a pg without the socket PgTx corks.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PgTx, ROLLED_BACK, StatementNames } from '../storage/pg-tx.ts';
import { openPostgres } from '../storage/postgres.ts';
import { RowBatchingSql, sqlStorageTx } from '../storage/sql-tx.ts';
import type { StorageTx } from '../storage/types.ts';
import { postgresMissingReason, postgresUrl } from './support/environment.ts';

const databaseUrl = postgresUrl();
const schema = `pgtx_${randomBytes(6).toString('hex')}`;
const BEGIN = `BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL search_path TO "${schema}"`;

/** The sizes RowBatchingSql may send an INSERT of: every count up to 16, then powers of two up to 512. */
const CHUNK_SIZES = [...Array.from({ length: 16 }, (_, i) => i + 1), 32, 64, 128, 256, 512];

(databaseUrl === null ? describe.skip : describe)(
  databaseUrl === null ? `PgTx: NOT RUN (${postgresMissingReason()})` : 'PgTx on PostgreSQL',
  () => {
    let pool: pg.Pool;
    // One set of names for the connection, as one storage has: a name is prepared once per connection.
    const names = new StatementNames();

    beforeAll(async () => {
      // The storage creates the tables in the schema; the tests then drive PgTx on a connection of their own.
      await (await openPostgres({ url: databaseUrl ?? '', schema })).close();
      pool = new pg.Pool({ connectionString: databaseUrl ?? '', max: 1, pipeline: true });
      await pool.query(`CREATE TABLE "${schema}".marks (id int PRIMARY KEY)`);
    });

    afterAll(async () => {
      await pool?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool?.end();
    });

    test('a connection prepares few INSERT texts, whatever row counts its transactions insert', async () => {
      const client = await pool.connect();
      try {
        const counts = Array.from({ length: 120 }, (_, i) => i + 1);
        for (const count of counts) {
          await inTx(client, names, (tx) =>
            tx.putIndexEntries(
              'pgtx',
              'ix',
              { coll: 'users', id: `u${count}`, expiresAt: null },
              Array.from({ length: count }, (_, i) => ({ terms: new Uint8Array([count]), sortKey: new Uint8Array([i >> 8, i & 255]), values: null })),
              { fresh: true },
            ));
        }
        const prepared = await client.query<{ statement: string }>(
          "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT INTO fql_index_entries%'",
        );
        const sizes = prepared.rows.map(({ statement }) => statement.split('), (').length).sort((a, b) => a - b);
        // One text per count was 120 of them; chunked, the counts 1 to 120 need 1..16, 32 and 64.
        expect(sizes).toEqual(CHUNK_SIZES.filter((size) => size <= 64));
        const stored = await client.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".fql_index_entries WHERE db = 'pgtx'`);
        expect(Number(stored.rows[0]?.n)).toBe((120 * 121) / 2);
      } finally {
        client.release();
      }
    });

    test('a COMMIT answered with ROLLBACK fails the transaction, even when no failure was seen', async () => {
      const client = await pool.connect();
      try {
        const tx = new PgTx(client, BEGIN, names, true);
        await tx.write('INSERT INTO marks (id) VALUES ($1)', [1]);
        await tx.flush();
        // A statement on the connection that PgTx never saw fails, and aborts the transaction;
        // nothing follows it but COMMIT, which PostgreSQL then answers with the tag ROLLBACK.
        await expect(client.query('SELECT 1 / 0')).rejects.toThrow(/division by zero/);
        expect(tx.failure).toBeNull();
        await expect(tx.commit()).rejects.toThrow(ROLLED_BACK);
        await tx.rollback();
        expect((await client.query(`SELECT id FROM "${schema}".marks WHERE id = 1`)).rows).toEqual([]);
      } finally {
        client.release();
      }
    });

    test('a read whose failure nobody awaits fails the commit with its own error', async () => {
      const client = await pool.connect();
      try {
        const tx = new PgTx(client, BEGIN, names, true);
        await tx.write('INSERT INTO marks (id) VALUES ($1)', [2]);
        // A speculative read that the transaction went on without: nothing awaits its answer.
        const read = tx.query('SELECT 1 / $1::int AS x', [0]).then(
          () => 'answered',
          (error: unknown) => error,
        );
        await expect(tx.commit()).rejects.toMatchObject({ code: '22012' });
        expect(await read).toMatchObject({ code: '22012' });
        await tx.rollback();
        expect((await client.query(`SELECT id FROM "${schema}".marks WHERE id = 2`)).rows).toEqual([]);
      } finally {
        client.release();
      }
    });

    test('a transaction that commits says so, and its rows are there', async () => {
      const client = await pool.connect();
      try {
        const tx = new PgTx(client, BEGIN, names, true);
        await tx.write('INSERT INTO marks (id) VALUES ($1)', [3]);
        expect(await tx.commit()).toBe(true);
        expect((await client.query(`SELECT id FROM "${schema}".marks WHERE id = 3`)).rows).toEqual([{ id: 3 }]);
      } finally {
        client.release();
      }
    });

    test("without pg's internal socket to cork, statements still go out and the transaction commits", async () => {
      const client = await pool.connect();
      try {
        // pg's `connection.stream` is an internal PgTx corks when it finds it; a pg without it must still work.
        const withoutSocket = new Proxy(client, {
          get: (target, key) => {
            if (key === 'connection') return undefined;
            const value: unknown = Reflect.get(target, key);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        const tx = new PgTx(withoutSocket, BEGIN, names, true);
        await tx.write('INSERT INTO marks (id) VALUES ($1)', [4]);
        await tx.write('INSERT INTO marks (id) VALUES ($1)', [5]);
        expect(await tx.query('SELECT count(*)::int AS n FROM marks WHERE id IN (4, 5)', [])).toEqual([{ n: 2 }]);
        expect(await tx.commit()).toBe(true);
        expect((await client.query(`SELECT id FROM "${schema}".marks WHERE id IN (4, 5) ORDER BY id`)).rows).toEqual([{ id: 4 }, { id: 5 }]);
      } finally {
        client.release();
      }
    });
  },
);

/** One transaction as the PostgreSQL storage runs it: the storage's calls, rows batched, then COMMIT. */
async function inTx(client: pg.PoolClient, names: StatementNames, fn: (tx: StorageTx) => Promise<unknown>): Promise<void> {
  const pgTx = new PgTx(client, BEGIN, names, true);
  const rows = new RowBatchingSql(pgTx);
  try {
    await fn(sqlStorageTx(rows, { termsIndex: true }));
    await rows.flush();
    await pgTx.commit();
  } catch (error) {
    await pgTx.rollback();
    throw error;
  }
}
