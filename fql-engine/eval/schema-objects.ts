/**
 * Creating, reading, changing and deleting schema objects: collections, indexes, functions,
 * databases, keys and roles (access providers: access-providers.ts). Each is one document of a
 * native collection (see schema-cache.ts).
 */

import { FaunaError, typeError } from '../errors.ts';
import { hashSecret, makeSecret } from '../keys.ts';
import type { DbId } from '../storage/types.ts';
import { decodeValue } from '../wire.ts';
import { FaunaTime, QueryValue, Ref, isObject, makeObject, type Json, type ObjectValue, type Value } from '../values.ts';
import { HISTORY_DAYS_DEFAULT, collectionOf, collectionRefFor, resolveDb, schemaRecord } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { writeEntries } from './documents.ts';
import { refuseWriteInSnapshot } from './history.ts';
import { newId } from './ids.ts';
import { entriesFor, indexDefOf, parseTerms, parseValues, type IndexDef } from './indexes.ts';
import { validateProvider } from './access-providers.ts';
import { describeKind, metaString, type SchemaKind, type SchemaRecord } from './schema-cache.ts';

const RESERVED_NAMES = new Set(['events', 'set', 'self', 'documents', '_']);

/** The kinds only an admin caller may read, list or change: they hold or grant access. */
export const ADMIN_KINDS: ReadonlySet<string> = new Set(['keys', 'databases', 'access_providers']);

export function requireAdmin(ctx: QueryContext): void {
  if (ctx.caller.role !== 'admin') throw new FaunaError('permission denied', 'Insufficient privileges to perform the action.');
}

/** Schema changes belong to admin and server callers; roles do not grant them in this engine. */
export function requireServer(ctx: QueryContext): void {
  if (ctx.caller.role === 'roles' || ctx.caller.readOnly === true) throw new FaunaError('permission denied', 'Insufficient privileges to perform the action.');
}

export function paramsObject(v: Value): ObjectValue {
  if (!isObject(v)) throw typeError('Object', v);
  return v;
}

export function validName(v: Value | undefined): string {
  if (typeof v !== 'string' || v.length === 0 || v.includes('/') || RESERVED_NAMES.has(v)) {
    throw new FaunaError('validation failed', `Invalid name${typeof v === 'string' ? ` '${v}'` : ''}.`, ['name']);
  }
  return v;
}

/** The allowed fields of a params object. A null means "not given" when creating, and "remove" when updating. */
export function pick(params: ObjectValue, allowed: readonly string[], what: string, options: { readonly keepNulls?: boolean } = {}): ObjectValue {
  for (const k of Object.keys(params)) {
    if (!allowed.includes(k)) throw new FaunaError('validation failed', `${what}: unknown field '${k}'.`, [k]);
  }
  return options.keepNulls ? params : makeObject(Object.entries(params).filter(([, v]) => v !== null));
}

/** The document Get shows for a schema object. */
export async function schemaInstance(ctx: QueryContext, db: DbId, ref: Ref, record: SchemaRecord): Promise<ObjectValue> {
  let pub = record.public;
  if (record.kind === 'indexes') {
    const scope = ref.database ?? ref.collection?.database;
    const sources: Ref[] = [];
    for (const iid of indexDefOf(record).sources) sources.push(await collectionRefFor(ctx, db, scope, iid));
    pub = makeObject([...Object.entries(pub), ['source', sources.length === 1 ? sources[0] : sources]]);
  }
  return makeObject([['ref', ref], ['ts', record.ts], ...Object.entries(pub)]);
}

function refFor(kind: SchemaKind, id: string): Ref {
  return new Ref(id, Ref.native(kind));
}

/**
 * `ttl` is a field of every schema object, as of every document. Functions, roles and keys
 * disappear at their ttl (a key's secret stops working); collections, indexes and databases
 * keep it and show it but stay (known difference 11: removing them at a time would have to take
 * their documents, entries and child databases along, which the sweeper does not do).
 */
const EXPIRING_KINDS: ReadonlySet<SchemaKind> = new Set<SchemaKind>(['functions', 'roles', 'keys', 'access_providers']);

function checkTtl(p: ObjectValue): void {
  if (p.ttl !== undefined && p.ttl !== null && !(p.ttl instanceof FaunaTime)) {
    throw new FaunaError('validation failed', 'ttl must be a time.', ['ttl']);
  }
}

function expiresAtOf(kind: SchemaKind, pub: ObjectValue): number | null {
  return EXPIRING_KINDS.has(kind) && pub.ttl instanceof FaunaTime ? pub.ttl.epochMicros : null;
}

export async function insertRecord(ctx: QueryContext, kind: SchemaKind, id: string, pub: ObjectValue, meta: Record<string, Json>): Promise<ObjectValue> {
  refuseWriteInSnapshot(ctx);
  checkTtl(pub);
  const record: SchemaRecord = { kind, id, ts: ctx.nowMicros, public: pub, meta, expiresAt: expiresAtOf(kind, pub) };
  await ctx.schema.put(ctx.db, record, { insert: true });
  return schemaInstance(ctx, ctx.db, refFor(kind, id), record);
}

/**
 * CreateCollection's options: `history_days` is how long a replaced version is kept (30 when
 * not given; null, which Fauna stores as no field, keeps every version); `permissions`, Fauna's pre-ABAC access field, is kept and shown and grants
 * nothing (roles do); `ttl_days` expires the collection's documents.
 */
export async function createCollection(ctx: QueryContext, params: Value): Promise<ObjectValue> {
  requireServer(ctx);
  const given = paramsObject(params);
  const p = pick(given, ['name', 'data', 'ttl_days', 'history_days', 'permissions', 'ttl'], 'CreateCollection');
  const name = validName(p.name);
  const ttl = p.ttl_days;
  if (ttl !== undefined && (typeof ttl !== 'number' || ttl < 0)) throw new FaunaError('validation failed', 'ttl_days must be a positive number.', ['ttl_days']);
  checkDays(p.history_days, 'history_days');
  const history: [string, Value][] = given.history_days === null ? [] : [['history_days', p.history_days ?? HISTORY_DAYS_DEFAULT]];
  const pub = makeObject([['name', name], ...history, ...Object.entries(p).filter(([k]) => !['name', 'history_days'].includes(k))]);
  return insertRecord(ctx, 'collections', name, pub, { iid: `u${newId()}` });
}

/** A number of days, or nothing: null and a missing field are the same. */
function checkDays(v: Value | undefined, field: string): void {
  if (v !== undefined && v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) {
    throw new FaunaError('validation failed', `${field} must be a non-negative integer.`, [field]);
  }
}

/**
 * CreateIndex's options. An index is built in the transaction that creates it and is active
 * from the next query on, so `active` is accepted and always shown as true (Fauna's `active:
 * false` asked for a build in the background). `partitions` is kept and shown (a unique index
 * has one, as in Fauna) and changes nothing: one Postgres index holds every entry. `serialized`
 * is kept and shown: every transaction here is serializable. `permissions` grants nothing (roles do).
 */
export async function createIndex(ctx: QueryContext, params: Value): Promise<ObjectValue> {
  requireServer(ctx);
  const p = pick(
    paramsObject(params),
    ['name', 'source', 'terms', 'values', 'unique', 'serialized', 'data', 'partitions', 'permissions', 'active', 'ttl'],
    'CreateIndex',
  );
  const name = validName(p.name);
  const sourceRefs = Array.isArray(p.source) ? p.source : [p.source];
  const sources: string[] = [];
  for (const s of sourceRefs) {
    if (!(s instanceof Ref)) throw new FaunaError('validation failed', 'source must be a collection ref or an array of them.', ['source']);
    if (s.isNative() && s.id !== 'tokens') {
      throw new FaunaError('validation failed', `An index reads user collections and Tokens() only, not ${s.id} (fql-engine known difference 12).`, ['source']);
    }
    sources.push((await collectionOf(ctx, s)).info.iid);
  }
  for (const flag of ['unique', 'serialized', 'active'] as const) {
    if (p[flag] !== undefined && typeof p[flag] !== 'boolean') throw new FaunaError('validation failed', `${flag} must be a boolean.`, [flag]);
  }
  const partitions = p.partitions ?? 1;
  if (typeof partitions !== 'number' || !Number.isInteger(partitions) || partitions < 1) {
    throw new FaunaError('validation failed', 'partitions must be a positive integer.', ['partitions']);
  }
  const def: IndexDef = { name, iid: `i${newId()}`, sources, terms: parseTerms(p.terms), values: parseValues(p.values), unique: p.unique === true };
  const pub = makeObject([
    ['name', name],
    ['active', true],
    ['serialized', p.serialized ?? true],
    ['unique', def.unique],
    ...(['terms', 'values', 'data', 'permissions', 'ttl'] as const).filter((k) => p[k] !== undefined).map((k) => [k, p[k]] as const),
    ['partitions', def.unique ? 1 : partitions],
  ]);
  const meta = { iid: def.iid, sources, terms: def.terms as Json, values: def.values as unknown as Json, unique: def.unique };
  const instance = await insertRecord(ctx, 'indexes', name, pub, meta);
  await buildIndex(ctx, ctx.db, def);
  return instance;
}

/** Fills a new index from the documents already in its sources: usable in the next query. */
async function buildIndex(ctx: QueryContext, db: DbId, def: IndexDef): Promise<void> {
  const collections = await ctx.schema.list(db, 'collections', ctx.nowMicros);
  for (const iid of def.sources) {
    const record = collections.find((r) => r.meta.iid === iid);
    if (!record && iid !== 'tokens') continue;
    const collRef = record ? refFor('collections', record.id) : Ref.native('tokens');
    for (const doc of await ctx.tx.scanDocs(db, iid, { now: ctx.nowMicros })) {
      const ref = new Ref(doc.id, collRef);
      const body = doc.body as { public?: Json };
      const pub = decodeValue(body.public ?? {});
      const instance = makeObject([['ref', ref], ['ts', doc.ts], ...Object.entries(isObject(pub) ? pub : {})]);
      await writeEntries(ctx, db, def, { coll: iid, id: doc.id, expiresAt: doc.expiresAt }, entriesFor(def, instance, ref), false);
    }
  }
}

export async function createFunction(ctx: QueryContext, params: Value): Promise<ObjectValue> {
  requireServer(ctx);
  const p = pick(paramsObject(params), ['name', 'body', 'data', 'role', 'ttl'], 'CreateFunction');
  const name = validName(p.name);
  if (!(p.body instanceof QueryValue)) throw new FaunaError('validation failed', 'body must be a Query(Lambda(...)).', ['body']);
  if (p.role !== undefined) await validRole(ctx, p.role, 'CreateFunction');
  return insertRecord(ctx, 'functions', name, p, {});
}

export async function createRole(ctx: QueryContext, params: Value): Promise<ObjectValue> {
  requireAdmin(ctx);
  const p = pick(paramsObject(params), ['name', 'privileges', 'membership', 'data', 'ttl'], 'CreateRole');
  const name = validName(p.name);
  validatePrivileges(p.privileges);
  validateMembership(p.membership);
  return insertRecord(ctx, 'roles', name, p, {});
}

const ACTIONS = new Set(['read', 'write', 'create', 'create_with_id', 'delete', 'history_read', 'history_write', 'unrestricted_read', 'call']);

function validatePrivileges(v: Value | undefined): void {
  for (const [i, p] of (v === undefined ? [] : Array.isArray(v) ? v : [v]).entries()) {
    if (!isObject(p) || !(p.resource instanceof Ref) || !isObject(p.actions)) {
      throw new FaunaError('validation failed', 'A privilege needs a resource ref and an actions object.', ['privileges', i]);
    }
    for (const [action, rule] of Object.entries(p.actions)) {
      if (!ACTIONS.has(action)) throw new FaunaError('validation failed', `Unknown action '${action}'.`, ['privileges', i, 'actions', action]);
      if (typeof rule !== 'boolean' && !(rule instanceof QueryValue)) {
        throw new FaunaError('validation failed', 'An action is a boolean or a Query(Lambda(...)).', ['privileges', i, 'actions', action]);
      }
    }
  }
}

function validateMembership(v: Value | undefined): void {
  for (const [i, m] of (v === undefined ? [] : Array.isArray(v) ? v : [v]).entries()) {
    const predicate = isObject(m) ? m.predicate : undefined;
    if (!isObject(m) || !(m.resource instanceof Ref) || (predicate !== undefined && predicate !== null && !(predicate instanceof QueryValue))) {
      throw new FaunaError('validation failed', 'A membership needs a resource ref and, optionally, a Query(Lambda(...)) predicate.', ['membership', i]);
    }
  }
}

export async function createDatabase(ctx: QueryContext, params: Value): Promise<ObjectValue> {
  requireAdmin(ctx);
  const p = pick(paramsObject(params), ['name', 'data', 'api_version', 'priority', 'ttl'], 'CreateDatabase');
  const name = validName(p.name);
  const iid = newId();
  const pub = makeObject([['name', name], ['global_id', `g${iid}`], ...Object.entries(p).filter(([k]) => k !== 'name')]);
  return insertRecord(ctx, 'databases', name, pub, { iid });
}

/**
 * A role as keys and functions name it: 'admin', 'server', Fauna's older 'server-readonly' and
 * 'client' (see callerOfRole in auth.ts), or a Role ref that exists.
 */
async function validRole(ctx: QueryContext, role: Value | undefined, what: string): Promise<void> {
  if (role === 'admin' || role === 'server' || role === 'server-readonly' || role === 'client') return;
  if (role instanceof Ref && role.collection?.id === 'roles' && role.collection.isNative()) {
    if (await ctx.schema.get(ctx.db, 'roles', role.id, ctx.nowMicros)) return;
    throw new FaunaError('validation failed', `${what}: role '${role.id}' does not exist.`, ['role']);
  }
  throw new FaunaError('validation failed', `${what}: role must be 'admin', 'server', 'server-readonly', 'client' or a Role ref.`, ['role']);
}

/** A key; `chosenId` is the id of `Create(Ref("keys/123"), …)`, which must be free. */
export async function createKey(ctx: QueryContext, params: Value, chosenId?: string): Promise<ObjectValue> {
  requireAdmin(ctx);
  const p = pick(paramsObject(params), ['role', 'database', 'data', 'priority', 'ttl'], 'CreateKey');
  await validRole(ctx, p.role, 'CreateKey');
  if (p.database !== undefined && !(p.database instanceof Ref)) throw new FaunaError('validation failed', 'database must be a database ref.', ['database']);
  const target = await resolveDb(ctx, p.database);
  if (chosenId !== undefined && !/^\d+$/.test(chosenId)) throw new FaunaError('invalid argument', 'A key id is a number.', ['create']);
  const id = chosenId ?? newId();
  const secret = makeSecret({ db: ctx.db, kind: 'keys', id });
  const hash = hashSecret(secret);
  const pub = makeObject([...Object.entries(p), ['hashed_secret', hash]]);
  const instance = await insertRecord(ctx, 'keys', id, pub, { secretHash: hash, targetDb: target });
  return makeObject([...Object.entries(instance), ['secret', secret]]);
}

/** Get on a schema ref: the object, or null. */
export async function readSchema(ctx: QueryContext, ref: Ref): Promise<ObjectValue | null> {
  const { db, record, kind } = await schemaRecord(ctx, ref);
  if (ADMIN_KINDS.has(kind)) requireAdmin(ctx);
  await ctx.access.check(ctx, 'read', Ref.native(kind), [ref]);
  return record ? schemaInstance(ctx, db, ref, record) : null;
}

const UPDATABLE: Record<SchemaKind, readonly string[]> = {
  collections: ['name', 'data', 'ttl_days', 'history_days', 'permissions', 'ttl'],
  indexes: ['name', 'data', 'serialized', 'permissions', 'active', 'partitions', 'ttl'],
  functions: ['name', 'data', 'body', 'role', 'ttl'],
  databases: ['name', 'data', 'priority', 'api_version', 'ttl'],
  keys: ['data', 'priority', 'ttl'],
  roles: ['name', 'privileges', 'membership', 'data', 'ttl'],
  access_providers: ['name', 'issuer', 'jwks_uri', 'roles', 'data', 'ttl'],
};

export async function updateSchema(ctx: QueryContext, ref: Ref, params: Value, mode: 'update' | 'replace'): Promise<ObjectValue> {
  refuseWriteInSnapshot(ctx);
  const { db, record, kind } = await schemaRecord(ctx, ref);
  requireServer(ctx);
  if (ADMIN_KINDS.has(kind)) requireAdmin(ctx);
  if (!record) throw new FaunaError('instance not found', `${describeKind(kind)} not found.`);
  const p = pick(paramsObject(params), UPDATABLE[kind], `Update of a ${describeKind(kind)}`, { keepNulls: true });
  if ('body' in p && !(p.body instanceof QueryValue)) throw new FaunaError('validation failed', 'body must be a Query(Lambda(...)).', ['body']);
  if (kind === 'roles') {
    requireAdmin(ctx);
    validatePrivileges(p.privileges);
    validateMembership(p.membership);
  }
  if (kind === 'functions' && p.role !== undefined && p.role !== null) await validRole(ctx, p.role, 'Update');
  if (p.name === null || p.body === null) throw new FaunaError('validation failed', 'name and body cannot be removed.', [p.name === null ? 'name' : 'body']);
  const base = mode === 'replace' ? makeObject(Object.entries(record.public).filter(([k]) => k !== 'data')) : record.public;
  // An index is built when it is created, so it stays active whatever an Update says.
  const merged = makeObject(mergeTop(base, p).map(([k, v]) => [k, kind === 'indexes' && k === 'active' ? true : v] as const));
  checkTtl(merged);
  if (kind === 'collections') checkDays(merged.history_days, 'history_days');
  if (kind === 'access_providers') await validateProvider(ctx, db, merged, record.id);
  const newId_ = kind === 'keys' ? record.id : validName(merged.name ?? record.id);
  const updated: SchemaRecord = { ...record, id: newId_, ts: ctx.nowMicros, public: merged, expiresAt: expiresAtOf(kind, merged) };
  if (newId_ !== record.id) {
    await ctx.schema.put(db, updated, { insert: true });
    await ctx.schema.remove(db, kind, record.id);
  } else {
    await ctx.schema.put(db, updated, { insert: false });
  }
  return schemaInstance(ctx, db, new Ref(newId_, ref.collection), updated);
}

function mergeTop(base: ObjectValue, patch: ObjectValue): [string, Value][] {
  const out = new Map<string, Value>(Object.entries(base));
  for (const [k, v] of Object.entries(patch)) {
    const prev = out.get(k);
    if (v === null) out.delete(k);
    else if (k === 'data' && isObject(v) && prev !== undefined && isObject(prev)) out.set(k, makeObject(mergeTop(prev, v)));
    else out.set(k, v);
  }
  return [...out.entries()];
}

export async function deleteSchema(ctx: QueryContext, ref: Ref): Promise<ObjectValue> {
  refuseWriteInSnapshot(ctx);
  const { db, record, kind } = await schemaRecord(ctx, ref);
  requireServer(ctx);
  if (ADMIN_KINDS.has(kind)) requireAdmin(ctx);
  if (!record) throw new FaunaError('instance not found', `${describeKind(kind)} not found.`);
  const instance = await schemaInstance(ctx, db, ref, record);
  if (kind === 'collections') await dropCollection(ctx, db, metaString(record.meta, 'iid'));
  if (kind === 'indexes') await ctx.tx.drop(db, { kind: 'index', indexId: metaString(record.meta, 'iid') });
  if (kind === 'databases') await dropDatabase(ctx, metaString(record.meta, 'iid'));
  await ctx.schema.remove(db, kind, record.id);
  return instance;
}

/** A deleted collection takes its documents and the indexes that read only from it. */
async function dropCollection(ctx: QueryContext, db: DbId, iid: string): Promise<void> {
  await ctx.tx.drop(db, { kind: 'collection', coll: iid });
  for (const idx of await ctx.schema.list(db, 'indexes', ctx.nowMicros)) {
    const sources = (idx.meta.sources as Json[]).map(String);
    if (!sources.includes(iid)) continue;
    if (sources.length === 1) {
      await ctx.tx.drop(db, { kind: 'index', indexId: metaString(idx.meta, 'iid') });
      await ctx.schema.remove(db, 'indexes', idx.id);
    } else {
      const meta = { ...idx.meta, sources: sources.filter((s) => s !== iid) };
      await ctx.schema.put(db, { ...idx, meta }, { insert: false });
    }
  }
}

async function dropDatabase(ctx: QueryContext, db: DbId): Promise<void> {
  for (const child of await ctx.schema.list(db, 'databases', ctx.nowMicros)) await dropDatabase(ctx, metaString(child.meta, 'iid'));
  await ctx.tx.drop(db, { kind: 'database' });
  ctx.schema.forget(db);
}
