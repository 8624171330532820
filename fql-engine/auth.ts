/**
 * Who is asking: a secret becomes a database and a role. The engine's admin secret is the
 * root database's admin; a key's secret acts in the database it was made for. Either may be
 * narrowed Fauna's way, `secret:child/grandchild:server`, to act in a child database.
 */

import { FaunaError } from './errors.ts';
import { constantTimeEquals, parseSecret, secretMatches } from './keys.ts';
import type { Caller, Role } from './eval/context.ts';
import type { SchemaCache } from './eval/schema-cache.ts';
import { ROOT_DB, type DbId, type StorageTx } from './storage/types.ts';
import { isPlainJsonObject } from './wire.ts';
import { Ref } from './values.ts';

export interface ResolvedCaller {
  readonly db: DbId;
  readonly caller: Caller;
}

function unauthorized(): FaunaError {
  return new FaunaError('unauthorized', 'Unauthorized');
}

export async function resolveCaller(tx: StorageTx, schema: SchemaCache, secret: string, adminSecret: string, now: number): Promise<ResolvedCaller> {
  const [base, path, roleOverride, ...extra] = secret.split(':');
  if (extra.length > 0) throw unauthorized();
  const holder = await baseCaller(tx, base, adminSecret, now);
  if (path === undefined) return holder;
  if (holder.caller.role !== 'admin') throw unauthorized();
  const db = await descend(schema, holder.db, path, now);
  const role = roleOverride ?? 'admin';
  if (role !== 'admin' && role !== 'server') throw unauthorized();
  return { db, caller: { role: role as Role } };
}

async function baseCaller(tx: StorageTx, base: string, adminSecret: string, now: number): Promise<ResolvedCaller> {
  if (constantTimeEquals(base, adminSecret)) return { db: ROOT_DB, caller: { role: 'admin' } };
  const location = parseSecret(base);
  if (!location) throw unauthorized();
  const doc = await tx.getDoc(location.db, 'keys', location.keyId, now);
  const body = doc?.body;
  if (!doc || !isPlainJsonObject(body) || !isPlainJsonObject(body.meta) || !isPlainJsonObject(body.public)) throw unauthorized();
  const { secretHash, targetDb } = body.meta;
  const role = body.public.role;
  if (typeof secretHash !== 'string' || !secretMatches(base, secretHash)) throw unauthorized();
  if (role !== 'admin' && role !== 'server') throw unauthorized();
  return { db: String(targetDb), caller: { role, key: new Ref(location.keyId, Ref.native('keys')) } };
}

/** Walks a `child/grandchild` path of database names down from a database. */
async function descend(schema: SchemaCache, from: DbId, path: string, now: number): Promise<DbId> {
  let db = from;
  for (const name of path.split('/').filter((p) => p.length > 0)) {
    const record = await schema.get(db, 'databases', name, now);
    if (!record) throw unauthorized();
    db = String(record.meta.iid);
  }
  return db;
}
