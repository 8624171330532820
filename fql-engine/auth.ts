/**
 * Who is asking: a secret becomes a database and a role. The engine's admin secret is the
 * root database's admin; a key's secret acts in the database it was made for. Either may be
 * narrowed Fauna's way, `secret:child/grandchild:server`, to act in a child database.
 */

import { FaunaError } from './errors.ts';
import { parseSecret, secretMatches } from './keys.ts';
import type { Caller } from './eval/context.ts';
import { metaString, type SchemaCache } from './eval/schema-cache.ts';
import { ROOT_DB, type DbId, type StorageTx } from './storage/types.ts';
import { decodeValue, isPlainJsonObject } from './wire.ts';
import { Ref, type Json } from './values.ts';

export interface ResolvedCaller {
  readonly db: DbId;
  readonly caller: Caller;
}

function unauthorized(): FaunaError {
  return new FaunaError('unauthorized', 'Unauthorized');
}

export async function resolveCaller(tx: StorageTx, schema: SchemaCache, secret: string, adminSecretHash: string, now: number): Promise<ResolvedCaller> {
  const [base, path, roleOverride, ...extra] = secret.split(':');
  if (extra.length > 0) throw unauthorized();
  const holder = await baseCaller(tx, base, adminSecretHash, now);
  const identity = holder.caller.identity;
  // A token outlives nothing: once its identity is deleted (or expired), its secret is refused.
  if (identity && !(await documentExists(tx, schema, holder.db, identity, now))) throw unauthorized();
  if (path === undefined) return holder;
  if (holder.caller.role !== 'admin') throw unauthorized();
  const db = await descend(schema, holder.db, path, now);
  const role = roleOverride ?? 'admin';
  if (role !== 'admin' && role !== 'server') throw unauthorized();
  return { db, caller: { role } };
}

async function baseCaller(tx: StorageTx, base: string, adminSecretHash: string, now: number): Promise<ResolvedCaller> {
  if (secretMatches(base, adminSecretHash)) return { db: ROOT_DB, caller: { role: 'admin' } };
  const location = parseSecret(base);
  if (!location) throw unauthorized();
  // An expired token (or key) is invisible here, exactly as to Get.
  const doc = await tx.getDoc(location.db, location.kind, location.id, now);
  const body = doc?.body;
  if (!doc || !isPlainJsonObject(body) || !isPlainJsonObject(body.meta) || !isPlainJsonObject(body.public)) throw unauthorized();
  const { secretHash } = body.meta;
  if (typeof secretHash !== 'string' || !secretMatches(base, secretHash)) throw unauthorized();
  const ref = new Ref(location.id, Ref.native(location.kind));
  if (location.kind === 'tokens') return { db: location.db, caller: tokenCaller(body.public, ref) };
  const db = metaString(body.meta, 'targetDb');
  // CurrentToken() names a key only in the database it was made in; a key a parent made for
  // its child (`database: Database("child")`) has no ref there, so it is no current token.
  return { db, caller: keyCaller(body.public, db === location.db ? ref : undefined) };
}

/** A token acts as its identity, with the roles whose membership takes it. */
function tokenCaller(pub: { readonly [k: string]: Json }, token: Ref): Caller {
  const identity = decodeValue(pub.instance ?? null);
  if (!(identity instanceof Ref)) throw unauthorized();
  return { role: 'roles', identity, token };
}

function keyCaller(pub: { readonly [k: string]: Json }, key: Ref | undefined): Caller {
  const role = decodeValue(pub.role ?? null);
  const current = key === undefined ? {} : { key };
  if (role === 'admin' || role === 'server') return { role, ...current };
  if (role instanceof Ref && role.collection?.id === 'roles') return { role: 'roles', roles: [role.id], ...current };
  throw unauthorized();
}

async function documentExists(tx: StorageTx, schema: SchemaCache, db: DbId, ref: Ref, now: number): Promise<boolean> {
  const collection = ref.collection && !ref.collection.isNative() ? await schema.get(db, 'collections', ref.collection.id, now) : null;
  return collection !== null && (await tx.getDoc(db, metaString(collection.meta, 'iid'), ref.id, now)) !== null;
}

/** Walks a `child/grandchild` path of database names down from a database. */
async function descend(schema: SchemaCache, from: DbId, path: string, now: number): Promise<DbId> {
  let db = from;
  for (const name of path.split('/').filter((p) => p.length > 0)) {
    const record = await schema.get(db, 'databases', name, now);
    if (!record) throw unauthorized();
    db = metaString(record.meta, 'iid');
  }
  return db;
}
