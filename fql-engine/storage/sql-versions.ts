/**
 * History in SQL: the past versions of documents (`fql_versions`), shared by both backends
 * through sql-tx.ts. A document's current version is its row in fql_docs; a version comes here
 * when it is replaced, with the time it was (`valid_until`), and stays visible for keep_for
 * after that, which each read checks as it checks a ttl; the sweep deletes what no read can see.
 */

import type { Json } from '../values.ts';
import type { SqlQueryable } from './sql-tx.ts';
import type { DbId, StoredVersion, VersionRange } from './types.ts';

export const VERSIONS_DDL = `
CREATE TABLE IF NOT EXISTS fql_versions (
  db text COLLATE "C" NOT NULL,
  coll text COLLATE "C" NOT NULL,
  id text COLLATE "C" NOT NULL,
  ts bigint NOT NULL,
  deleted boolean NOT NULL,
  body text,
  valid_until bigint,
  keep_for bigint,
  PRIMARY KEY (db, coll, id, ts)
);
`;

interface VersionRow {
  coll: string;
  id: string;
  ts: number | string;
  deleted: boolean;
  body: string | null;
  valid_until: number | string | null;
  keep_for: number | string | null;
}

const COLUMNS = 'coll, id, ts, deleted, body, valid_until, keep_for';

/** A version is visible at `now` (a placeholder) until it has been replaced (a deletion: made) for keep_for. */
function visible(now: string): string {
  return `(keep_for IS NULL OR COALESCE(valid_until, ts) > ${now} - keep_for)`;
}

export async function putVersion(sql: SqlQueryable, db: DbId, v: StoredVersion): Promise<void> {
  const params = [db, v.coll, v.id, v.ts, v.deleted, v.body === null ? null : JSON.stringify(v.body), v.validUntil, v.keepFor];
  const insert = `INSERT INTO fql_versions (db, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
  // Optimistically a plain INSERT (no read of the key's page, which SERIALIZABLE would lock): a
  // second version at the same ts collides, and the transaction runs again strictly, where it
  // replaces the first.
  if (sql.optimistic) return sql.write(insert, params);
  const replace = 'deleted = EXCLUDED.deleted, body = EXCLUDED.body, valid_until = EXCLUDED.valid_until, keep_for = EXCLUDED.keep_for';
  return sql.write(`${insert} ON CONFLICT (db, coll, id, ts) DO UPDATE SET ${replace}`, params);
}

export async function removeVersion(sql: SqlQueryable, db: DbId, coll: string, id: string, ts: number): Promise<boolean> {
  const rows = await sql.query<{ one: number }>('DELETE FROM fql_versions WHERE db = $1 AND coll = $2 AND id = $3 AND ts = $4 RETURNING 1 AS one', [
    db,
    coll,
    id,
    ts,
  ]);
  return rows.length === 1;
}

export async function scanVersions(sql: SqlQueryable, db: DbId, coll: string, id: string | null, range: VersionRange): Promise<StoredVersion[]> {
  const params: unknown[] = [db, coll];
  const scope = id === null ? 'db = $1 AND coll = $2' : `db = $1 AND coll = $2 AND id = $${params.push(id)}`;
  const conditions = [visible(`$${params.push(range.now)}`)];
  if (range.gte !== undefined) conditions.push(`ts >= $${params.push(range.gte)}`);
  if (range.lt !== undefined) conditions.push(`ts < $${params.push(range.lt)}`);
  const direction = range.reverse === true ? 'DESC' : 'ASC';
  const limit = range.limit === undefined ? '' : ` LIMIT $${params.push(range.limit)}`;
  const rows = await sql.query<VersionRow>(
    `SELECT ${COLUMNS} FROM fql_versions WHERE ${scope} AND ${conditions.join(' AND ')} ORDER BY ts ${direction}, id ${direction}${limit}`,
    params,
  );
  return rows.map(decodeVersion);
}

export async function versionsAt(sql: SqlQueryable, db: DbId, coll: string, ts: number, now: number): Promise<StoredVersion[]> {
  const rows = await sql.query<VersionRow>(
    `SELECT DISTINCT ON (id) ${COLUMNS} FROM fql_versions
     WHERE db = $1 AND coll = $2 AND ts <= $3 AND ${visible('$4')} ORDER BY id, ts DESC`,
    [db, coll, ts, now],
  );
  return rows.map(decodeVersion);
}

/** Deletes every version no read at `now` can see. Returns how many. */
export async function sweepVersionsSql(sql: SqlQueryable, now: number): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `WITH gone AS (DELETE FROM fql_versions WHERE keep_for IS NOT NULL AND NOT ${visible('$1')} RETURNING 1)
     SELECT count(*) AS n FROM gone`,
    [now],
  );
  return Number(rows[0]?.n ?? 0);
}

function decodeVersion(row: VersionRow): StoredVersion {
  return {
    coll: row.coll,
    id: row.id,
    ts: Number(row.ts),
    deleted: row.deleted,
    body: row.body === null ? null : (JSON.parse(row.body) as Json),
    validUntil: row.valid_until === null ? null : Number(row.valid_until),
    keepFor: row.keep_for === null ? null : Number(row.keep_for),
  };
}
