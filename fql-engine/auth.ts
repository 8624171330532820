/**
 * Who is asking: a secret becomes a database and a role. The engine's admin secret is the
 * root database's admin; a key's secret acts in the database it was made for. Either may be
 * narrowed Fauna's way, `secret:child/grandchild:server`, to act in a child database. A JWT an
 * access provider signed acts in the provider's database with the provider's roles.
 */

import { FaunaError } from './errors.ts';
import { claimsToCheck, looksLikeJwt, type JwksVerifier } from './jwt.ts';
import { parseSecret, secretMatches, type SecretLocation } from './keys.ts';
import { MOVED_KEYS, movedKeyNote } from './eval/move-database.ts';
import type { Caller } from './eval/context.ts';
import { SchemaCache, metaString, type SchemaRecord, type SharedSchemaCache } from './eval/schema-cache.ts';
import { ROOT_DB, type DbId, type Storage, type StorageTx, type StoredDoc } from './storage/types.ts';
import { decodeValue, isPlainJsonObject } from './wire.ts';
import { Ref, type Json, type ObjectValue, type Value } from './values.ts';

export interface ResolvedCaller {
  readonly db: DbId;
  readonly caller: Caller;
}

function unauthorized(): FaunaError {
  return new FaunaError('unauthorized', 'Unauthorized');
}

/** A JWT secret found valid for a provider: checked again, cheaply, inside the query's transaction. */
export interface VerifiedJwt {
  readonly db: DbId;
  readonly provider: string;
  readonly issuer: string;
  readonly jwksUri: string;
  readonly claims: ObjectValue;
}

/**
 * Checks a JWT secret before its query's transaction: fetching a JWKS may take seconds, and no
 * transaction may wait on the network. `nowMs` is the engine's clock.
 */
export async function verifyJwtSecret(storage: Storage, shared: SharedSchemaCache, verifier: JwksVerifier, token: string, nowMs: number): Promise<VerifiedJwt> {
  const claimed = claimsToCheck(token);
  if (claimed === null) throw unauthorized();
  const now = Math.floor(nowMs * 1000);
  const provider = await storage.transaction(async (tx) => providerByIssuer(new SchemaCache(tx, shared), claimed.db, claimed.issuer, now));
  if (provider === null || provider.public.audience !== claimed.audience) throw unauthorized();
  const jwksUri = provider.public.jwks_uri;
  if (typeof jwksUri !== 'string') throw unauthorized();
  const claims = await verifier.verify(token, { issuer: claimed.issuer, audience: claimed.audience, jwksUri }, new Date(nowMs));
  if (claims === null) throw unauthorized();
  return { db: claimed.db, provider: provider.id, issuer: claimed.issuer, jwksUri, claims };
}

async function providerByIssuer(schema: SchemaCache, db: DbId, issuer: string, now: number): Promise<SchemaRecord | null> {
  return (await schema.list(db, 'access_providers', now)).find((p) => p.public.issuer === issuer) ?? null;
}

/** A verified JWT's caller, if its provider is still the one it was verified against. */
async function jwtCaller(schema: SchemaCache, jwt: VerifiedJwt, now: number): Promise<ResolvedCaller> {
  const record = await schema.get(jwt.db, 'access_providers', jwt.provider, now);
  if (record === null || record.public.issuer !== jwt.issuer || record.public.jwks_uri !== jwt.jwksUri) throw unauthorized();
  return { db: jwt.db, caller: { role: 'roles', provider: jwt.provider, claims: jwt.claims } };
}

export async function resolveCaller(
  tx: StorageTx,
  schema: SchemaCache,
  secret: string,
  adminSecretHash: string,
  now: number,
  jwt?: VerifiedJwt,
): Promise<ResolvedCaller> {
  if (looksLikeJwt(secret)) {
    if (jwt === undefined) throw unauthorized();
    return jwtCaller(schema, jwt, now);
  }
  const [base, path, roleOverride, ...extra] = secret.split(':');
  if (extra.length > 0) throw unauthorized();
  const holder = await baseCaller(tx, base, adminSecretHash, now);
  const identity = holder.caller.identity;
  // A token outlives nothing: once its identity is deleted (or expired), its secret is refused.
  if (identity && !(await documentExists(tx, schema, holder.db, identity, now))) throw unauthorized();
  if (path === undefined) return holder;
  if (holder.caller.role !== 'admin') throw unauthorized();
  const db = await descend(schema, holder.db, path, now);
  const acting = callerOfRole(roleOverride ?? 'admin');
  if (acting === null) throw unauthorized();
  return { db, caller: acting };
}

async function baseCaller(tx: StorageTx, base: string, adminSecretHash: string, now: number): Promise<ResolvedCaller> {
  if (secretMatches(base, adminSecretHash)) return { db: ROOT_DB, caller: { role: 'admin' } };
  const location = parseSecret(base);
  if (!location) throw unauthorized();
  // An expired token (or key) is invisible here, exactly as to Get.
  const found = await secretDoc(tx, location, now);
  const body = found?.doc.body;
  if (!found || !isPlainJsonObject(body) || !isPlainJsonObject(body.meta) || !isPlainJsonObject(body.public)) throw unauthorized();
  const { secretHash } = body.meta;
  if (typeof secretHash !== 'string' || !secretMatches(base, secretHash)) throw unauthorized();
  const ref = new Ref(location.id, Ref.native(location.kind));
  if (location.kind === 'tokens') return { db: found.db, caller: tokenCaller(body.public, ref) };
  const db = metaString(body.meta, 'targetDb');
  // CurrentToken() names a key only in the database it was made in; a key a parent made for
  // its child (`database: Database("child")`) has no ref there, so it is no current token.
  return { db, caller: keyCaller(body.public, db === found.db ? ref : undefined) };
}

/**
 * The document of a key or token secret, and the database it is in now: a key that moved with
 * its database (move-database.ts) is found through the note the move left in the root.
 */
export async function secretDoc(tx: StorageTx, location: SecretLocation, now: number): Promise<{ db: DbId; doc: StoredDoc } | null> {
  const doc = await tx.getDoc(location.db, location.kind, location.id, now);
  if (doc !== null) return { db: location.db, doc };
  if (location.kind !== 'keys') return null;
  const note = await tx.getDoc(ROOT_DB, MOVED_KEYS, movedKeyNote(location.db, location.id), now);
  const db = note !== null && isPlainJsonObject(note.body) ? note.body.db : undefined;
  if (typeof db !== 'string') return null;
  const moved = await tx.getDoc(db, 'keys', location.id, now);
  return moved === null ? null : { db, doc: moved };
}

/** A token acts as its identity, with the roles whose membership takes it. */
function tokenCaller(pub: { readonly [k: string]: Json }, token: Ref): Caller {
  const identity = decodeValue(pub.instance ?? null);
  if (!(identity instanceof Ref)) throw unauthorized();
  return { role: 'roles', identity, token };
}

function keyCaller(pub: { readonly [k: string]: Json }, key: Ref | undefined): Caller {
  const acting = callerOfRole(decodeValue(pub.role ?? null));
  if (acting === null) throw unauthorized();
  return key === undefined ? acting : { ...acting, key };
}

/**
 * How a key's or a function's `role` acts: 'admin' and 'server' as themselves; Fauna's older
 * built-in roles as Fauna's server still read them, 'server-readonly' a server that only
 * reads and 'client' a caller granted nothing (NullPermissions); a Role ref through that role.
 */
export function callerOfRole(role: Value): Pick<Caller, 'role' | 'roles' | 'readOnly'> | null {
  if (role === 'admin' || role === 'server') return { role };
  if (role === 'server-readonly') return { role: 'server', readOnly: true };
  if (role === 'client') return { role: 'roles', roles: [] };
  if (role instanceof Ref && role.collection?.id === 'roles') return { role: 'roles', roles: [role.id] };
  return null;
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
