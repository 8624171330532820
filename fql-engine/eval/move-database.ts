/**
 * MoveDatabase(from, to): a child database, with everything in it, becomes a child of another
 * database. Its contents stay where they are stored (under the database's internal id, which
 * does not change, nor does its global id, so its access providers' audience stays true); only
 * its schema document moves, and with it the keys its old parent made for it.
 */

import { FaunaError } from '../errors.ts';
import { ROOT_DB, type DbId, type StoredDoc } from '../storage/types.ts';
import { Ref, type ObjectValue, type Value } from '../values.ts';
import type { QueryContext } from './context.ts';
import { requireAdmin, schemaInstance } from './schema-objects.ts';
import { metaString } from './schema-cache.ts';

/**
 * Where moved keys are now, one note per key in the root database (which is never deleted)
 * under this built-in name, by `<database it was made in>.<key id>`: a key's secret names the
 * database the key was made in (keys.ts), and must keep working after any number of moves.
 */
export const MOVED_KEYS = 'moved_keys';

export function movedKeyNote(madeIn: DbId, keyId: string): string {
  return `${madeIn}.${keyId}`;
}

/** Moves `from` under `to`; answers the database as it now is, its ref scoped under `to`. */
export async function moveDatabase(ctx: QueryContext, from: Value, to: Value): Promise<ObjectValue> {
  const source = databaseRef(from, 'move_database');
  const target = databaseRef(to, 'to');
  // Moving a database deletes it from its parent: only an admin may (Fauna checked delete permission).
  requireAdmin(ctx);
  const parentChain = await chainOf(ctx, scopeOf(source), 'move_database');
  const parent = parentChain[parentChain.length - 1];
  const record = await ctx.schema.get(parent, 'databases', source.id, ctx.nowMicros);
  if (record === null) throw new FaunaError('invalid ref', `Database '${source.id}' does not exist.`, ['move_database']);
  const moving = metaString(record.meta, 'iid');
  const targetChain = await chainOf(ctx, target, 'to');
  if (targetChain.includes(moving)) {
    throw new FaunaError(
      'move database error',
      `Cannot move database '${source.id}' into parent '${target.id}': Cannot move database from ancestor to descendant.`,
    );
  }
  const destination = targetChain[targetChain.length - 1];
  const moved = { ...record, ts: ctx.nowMicros };
  // A database of that name in the destination answers `instance already exists`.
  await ctx.schema.put(destination, moved, { insert: true });
  await moveKeys(ctx, parent, destination, moving);
  await ctx.schema.remove(parent, 'databases', record.id);
  return schemaInstance(ctx, destination, new Ref(record.id, Ref.native('databases'), target), moved);
}

function databaseRef(v: Value, key: string): Ref {
  if (v instanceof Ref && v.collection?.id === 'databases' && v.collection.isNative()) return v;
  throw new FaunaError('invalid argument', 'Database Ref expected.', [key]);
}

/** The database a database ref's parent scope names (undefined: the caller's). */
function scopeOf(ref: Ref): Ref | undefined {
  return ref.collection?.database ?? ref.database;
}

/** The internal ids from the caller's database down to the one `ref` names (the caller's alone for undefined). */
async function chainOf(ctx: QueryContext, ref: Ref | undefined, key: string): Promise<DbId[]> {
  if (ref === undefined) return [ctx.db];
  const above = await chainOf(ctx, scopeOf(ref), key);
  const record = await ctx.schema.get(above[above.length - 1], 'databases', ref.id, ctx.nowMicros);
  if (record === null) throw new FaunaError('invalid ref', `Database '${ref.id}' does not exist.`, [key]);
  return [...above, metaString(record.meta, 'iid')];
}

/** The keys the old parent made for the moved database go with it, and their secrets keep working. */
async function moveKeys(ctx: QueryContext, from: DbId, to: DbId, moving: DbId): Promise<void> {
  for (const key of await ctx.schema.list(from, 'keys', ctx.nowMicros)) {
    if (key.meta.targetDb !== moving) continue;
    const madeIn = typeof key.meta.madeIn === 'string' ? key.meta.madeIn : from;
    await ctx.schema.put(to, { ...key, meta: { ...key.meta, madeIn } }, { insert: true });
    await ctx.schema.remove(from, 'keys', key.id);
    const id = movedKeyNote(madeIn, key.id);
    const note: StoredDoc = { coll: MOVED_KEYS, id, orderKey: id, ts: ctx.nowMicros, body: { db: to }, expiresAt: key.expiresAt ?? null };
    await ctx.tx.putDoc(ROOT_DB, note);
  }
}
