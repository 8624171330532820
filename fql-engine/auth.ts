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
import { ROOT_DB, type DbId, type DocRef, type Storage, type StorageTx, type StoredDoc } from './storage/types.ts';
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
  hints: IdentityHints,
  now: number,
  jwt?: VerifiedJwt,
): Promise<ResolvedCaller> {
  if (looksLikeJwt(secret)) {
    if (jwt === undefined) throw unauthorized();
    return jwtCaller(schema, jwt, now);
  }
  const [base, path, roleOverride, ...extra] = secret.split(':');
  if (extra.length > 0) throw unauthorized();
  const holder = await baseCaller(tx, schema, base, adminSecretHash, hints, now);
  if (path === undefined) return holder;
  if (holder.caller.role !== 'admin') throw unauthorized();
  const db = await descend(schema, holder.db, path, now);
  const acting = callerOfRole(roleOverride ?? 'admin');
  if (acting === null) throw unauthorized();
  return { db, caller: acting };
}

async function baseCaller(
  tx: StorageTx,
  schema: SchemaCache,
  base: string,
  adminSecretHash: string,
  hints: IdentityHints,
  now: number,
): Promise<ResolvedCaller> {
  if (secretMatches(base, adminSecretHash)) return { db: ROOT_DB, caller: { role: 'admin' } };
  const location = parseSecret(base);
  if (!location) throw unauthorized();
  if (location.kind === 'tokens') return tokenHolder(tx, schema, base, location, hints, now);
  // An expired key is invisible here, exactly as to Get.
  const found = await secretDoc(tx, location, now);
  const body = secretBody(found?.doc ?? null, base);
  const ref = new Ref(location.id, Ref.native('keys'));
  const db = metaString(body.meta, 'targetDb');
  // CurrentToken() names a key only in the database it was made in; a key a parent made for
  // its child (`database: Database("child")`) has no ref there, so it is no current token.
  return { db, caller: keyCaller(body.public, found !== null && db === found.db ? ref : undefined) };
}

type SecretBody = { readonly public: { readonly [k: string]: Json }; readonly meta: { readonly [k: string]: Json } };

/** The body of the document a secret names, if the secret is its own; anything else is unauthorized. */
function secretBody(doc: StoredDoc | null, secret: string): SecretBody {
  const body = doc?.body;
  if (!isPlainJsonObject(body) || !isPlainJsonObject(body.meta) || !isPlainJsonObject(body.public)) throw unauthorized();
  const { secretHash } = body.meta;
  if (typeof secretHash !== 'string' || !secretMatches(secret, secretHash)) throw unauthorized();
  return { public: body.public, meta: body.meta };
}

/**
 * A token acts as its identity (its `instance`), with the roles whose membership takes it, for
 * as long as both documents exist: an expired or deleted token is invisible here, exactly as to
 * Get, and once its identity is deleted (or expired) its secret is refused too. Both are read in
 * the query's own transaction, in one statement when the hints know where the identity is kept.
 */
async function tokenHolder(
  tx: StorageTx,
  schema: SchemaCache,
  secret: string,
  location: SecretLocation,
  hints: IdentityHints,
  now: number,
): Promise<ResolvedCaller> {
  const token: DocRef = { coll: 'tokens', id: location.id };
  const hint = hints.get(location);
  const [doc, hinted] = hint === undefined
    ? [await tx.getDoc(location.db, token.coll, token.id, now), undefined]
    : await tx.getDocs(location.db, [token, hint], now);
  const body = secretBody(doc, secret);
  const identity = decodeValue(body.public.instance ?? null);
  if (!(identity instanceof Ref)) throw unauthorized();
  const key = await documentKey(schema, location.db, identity, now);
  if (key === null) throw unauthorized();
  // The token's own instance decides: a hint that names another document was only a guess.
  const identityDoc = hint !== undefined && hint.coll === key.coll && hint.id === key.id ? hinted : await tx.getDoc(location.db, key.coll, key.id, now);
  if (!identityDoc) throw unauthorized();
  hints.remember(location, key);
  return { db: location.db, caller: { role: 'roles', identity, token: new Ref(location.id, Ref.native('tokens')) } };
}

/**
 * Where each token's identity document is kept, as the token's last query found it: a hint, not
 * a verdict. With it, a query reads the token and that document in one statement instead of
 * one after the other; the token document read then still decides who the identity is, and
 * whether it exists. So nothing here can let a deleted token or identity through, whoever
 * deleted it (this engine, or another on the same database): at worst a stale hint costs the
 * identity's read a statement of its own.
 */
export class IdentityHints {
  private readonly byToken = new Map<string, DocRef>();

  /** `limit`: tokens remembered; past it the oldest is forgotten. */
  constructor(private readonly limit: number) {}

  get(token: SecretLocation): DocRef | undefined {
    return this.byToken.get(hintKey(token));
  }

  remember(token: SecretLocation, identity: DocRef): void {
    const key = hintKey(token);
    const known = this.byToken.get(key);
    if (known !== undefined && known.coll === identity.coll && known.id === identity.id) return;
    this.byToken.delete(key);
    this.byToken.set(key, { coll: identity.coll, id: identity.id });
    if (this.byToken.size > this.limit) this.byToken.delete(this.byToken.keys().next().value ?? key);
  }
}

function hintKey(token: SecretLocation): string {
  return `${token.db}\u0000${token.id}`;
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

/** Where a document is stored: its collection's internal id and its id; null when its collection does not exist. */
async function documentKey(schema: SchemaCache, db: DbId, ref: Ref, now: number): Promise<DocRef | null> {
  const collection = ref.collection && !ref.collection.isNative() ? await schema.get(db, 'collections', ref.collection.id, now) : null;
  return collection === null ? null : { coll: metaString(collection.meta, 'iid'), id: ref.id };
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
