/**
 * History in SQL: the versions of documents (`fql_versions`), shared by both backends through
 * sql-tx.ts. A version is visible until it has been replaced for longer than its keep_for, which
 * a window over the document's versions (`lead(ts)`) tells at read time; the sweep deletes what
 * no read can see any more.
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
  keep_for: number | string | null;
}

const COLUMNS = 'coll, id, ts, deleted, body, keep_for';

/** The versions of the rows `where` selects, each with the ts of the version after it. */
function withNext(where: string): string {
  return `SELECT ${COLUMNS}, lead(ts) OVER (PARTITION BY coll, id ORDER BY ts) AS next_ts FROM fql_versions WHERE ${where}`;
}

/**
 * A version is visible at `now` (a placeholder) while it is current, or was replaced (or, a
 * deletion, happened) less than keep_for ago. The current version of a live document always is.
 */
function visible(now: string): string {
  return `(keep_for IS NULL OR (next_ts IS NULL AND NOT deleted) OR COALESCE(next_ts, ts) > ${now} - keep_for)`;
}

export async function putVersion(sql: SqlQueryable, db: DbId, v: StoredVersion): Promise<void> {
  const params = [db, v.coll, v.id, v.ts, v.deleted, v.body === null ? null : JSON.stringify(v.body), v.keepFor];
  const insert = `INSERT INTO fql_versions (db, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
  // Optimistically a plain INSERT (no read of the key's page, which SERIALIZABLE would lock): a
  // second version at the same ts collides, and the transaction runs again strictly, where it
  // replaces the first.
  if (sql.optimistic) return sql.write(insert, params);
  return sql.write(`${insert} ON CONFLICT (db, coll, id, ts) DO UPDATE SET deleted = EXCLUDED.deleted, body = EXCLUDED.body, keep_for = EXCLUDED.keep_for`, params);
}

export async function removeVersion(sql: SqlQueryable, db: DbId, coll: string, id: string, ts: number): Promise<boolean> {
  const rows = await sql.query<{ one: number }>('DELETE FROM fql_versions WHERE db = $1 AND coll = $2 AND id = $3 AND ts = $4 RETURNING 1 AS one', [db, coll, id, ts]);
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
    `SELECT ${COLUMNS} FROM (${withNext(scope)}) v WHERE ${conditions.join(' AND ')} ORDER BY ts ${direction}, id ${direction}${limit}`,
    params,
  );
  return rows.map(decodeVersion);
}

export async function versionsAt(sql: SqlQueryable, db: DbId, coll: string, ts: number, now: number): Promise<StoredVersion[]> {
  const rows = await sql.query<VersionRow>(
    `SELECT DISTINCT ON (id) ${COLUMNS} FROM (${withNext('db = $1 AND coll = $2')}) v
     WHERE ${visible('$4')} AND ts <= $3 ORDER BY id, ts DESC`,
    [db, coll, ts, now],
  );
  return rows.map(decodeVersion);
}

/** Deletes every version no read at `now` can see. Returns how many. */
export async function sweepVersionsSql(sql: SqlQueryable, now: number): Promise<number> {
  const rows = await sql.query<{ n: number | string }>(
    `WITH gone AS (
       DELETE FROM fql_versions f USING (
         SELECT db, coll, id, ts FROM (
           SELECT db, ${COLUMNS}, lead(ts) OVER (PARTITION BY db, coll, id ORDER BY ts) AS next_ts FROM fql_versions
         ) w WHERE NOT ${visible('$1')}
       ) g
       WHERE f.db = g.db AND f.coll = g.coll AND f.id = g.id AND f.ts = g.ts RETURNING 1
     )
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
    keepFor: row.keep_for === null ? null : Number(row.keep_for),
  };
}
