/**
 * Access providers: an outside identity provider (Auth0, Okta, one's own) whose JWTs act in a
 * database. A provider names the issuer its tokens carry (`iss`), where its public keys are
 * (`jwks_uri`), and the roles a token acts with; the engine gives it an `audience` (`aud`) that
 * names the database. How such a token is checked is jwt.ts; what it may then do is here.
 */

import { FaunaError } from '../errors.ts';
import type { DbId } from '../storage/types.ts';
import { QueryValue, Ref, isObject, makeObject, type ObjectValue, type Value } from '../values.ts';
import type { QueryContext } from './context.ts';
import { insertRecord, paramsObject, pick, requireAdmin, validName } from './schema-objects.ts';

/** Fauna's audience for a database: this prefix, then the database's global id. Tokens made for Fauna carry it. */
export const AUDIENCE_PREFIX = 'https://db.fauna.com/db/';

/** A database's global id (CreateDatabase shows it as `global_id`): its internal id, marked. */
export function globalIdOf(db: DbId): string {
  return `g${db}`;
}

/** The database a global id names, or null when it is not one. */
export function dbOfGlobalId(globalId: string): DbId | null {
  return /^g(root|\d{1,30})$/.test(globalId) ? globalId.slice(1) : null;
}

export function audienceOf(db: DbId): string {
  return AUDIENCE_PREFIX + globalIdOf(db);
}

/** Role names a provider may not grant: Fauna's built-in roles are a key's, not a token's. */
const BUILTIN_ROLES = new Set(['admin', 'server', 'server-readonly', 'client']);

/** Hosts a JWKS may be fetched from over plain HTTP (known difference 13): this machine only. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function invalid(description: string, field: string | readonly (string | number)[]): FaunaError {
  return new FaunaError('validation failed', description, typeof field === 'string' ? [field] : field);
}

/** CreateAccessProvider({name, issuer, jwks_uri, roles, data, ttl}): admin only, as in Fauna. */
export async function createAccessProvider(ctx: QueryContext, params: Value): Promise<ObjectValue> {
  requireAdmin(ctx);
  const p = pick(paramsObject(params), ['name', 'issuer', 'jwks_uri', 'roles', 'data', 'ttl'], 'CreateAccessProvider');
  const name = validName(p.name);
  await validateProvider(ctx, ctx.db, p, null);
  const pub = makeObject([...Object.entries(p), ['audience', audienceOf(ctx.db)]]);
  return insertRecord(ctx, 'access_providers', name, pub, {});
}

/**
 * What a provider must hold, on create and after every Update: an issuer no other provider of
 * the database has, an HTTPS `jwks_uri`, and roles that exist (`self` is the provider's own
 * name when it is being updated).
 */
export async function validateProvider(ctx: QueryContext, db: DbId, p: ObjectValue, self: string | null): Promise<void> {
  const issuer = p.issuer;
  if (typeof issuer !== 'string' || issuer.length === 0) throw invalid('issuer is required: a non-empty string.', 'issuer');
  checkJwksUri(p.jwks_uri);
  for (const [i, entry] of listOf(p.roles).entries()) await checkRoleEntry(ctx, db, entry, Array.isArray(p.roles) ? ['roles', i] : ['roles']);
  for (const other of await ctx.schema.list(db, 'access_providers', ctx.nowMicros)) {
    if (other.id !== self && other.public.issuer === issuer) throw invalid(`Value not unique: another access provider has the issuer '${issuer}'.`, 'issuer');
  }
}

function checkJwksUri(v: Value | undefined): void {
  if (typeof v !== 'string') throw invalid('jwks_uri is required: an https URI.', 'jwks_uri');
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw invalid(`Invalid URI: '${v}'.`, 'jwks_uri');
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
  if (!secure) throw invalid(`Invalid URI: '${v}' (a JWKS is fetched over https).`, 'jwks_uri');
}

async function checkRoleEntry(ctx: QueryContext, db: DbId, entry: Value, at: readonly (string | number)[]): Promise<void> {
  const { role, predicate } = roleEntryParts(entry, at);
  if (predicate !== undefined && !(predicate instanceof QueryValue)) throw invalid('A role predicate is a Query(Lambda(...)).', [...at, 'predicate']);
  const name = roleName(role);
  if (name === null) throw invalid('A role is a Role ref, a role name, or {role, predicate}.', at);
  if (typeof role === 'string' && BUILTIN_ROLES.has(name)) throw invalid(`Builtin role \`${name}\` not allowed.`, at);
  if (!(await ctx.schema.get(db, 'roles', name, ctx.nowMicros))) throw invalid(`Role \`${name}\` does not exist.`, at);
}

function roleEntryParts(entry: Value, at: readonly (string | number)[]): { role: Value; predicate?: Value } {
  if (!isObject(entry)) return { role: entry };
  const extra = Object.keys(entry).find((k) => k !== 'role' && k !== 'predicate');
  if (extra !== undefined) throw invalid(`A role entry has a role and a predicate, not '${extra}'.`, at);
  return entry.predicate === undefined || entry.predicate === null ? { role: entry.role ?? null } : { role: entry.role ?? null, predicate: entry.predicate };
}

/** The role a `roles` entry names: a Role ref's id, or a name. */
function roleName(role: Value): string | null {
  if (typeof role === 'string' && role.length > 0) return role;
  if (role instanceof Ref && role.collection?.id === 'roles' && role.collection.isNative()) return role.id;
  return null;
}

function listOf(v: Value | undefined): readonly Value[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The roles a provider's token acts with: each role without a predicate, and each whose
 * predicate, given the token's claims, answers true. None is Fauna's `unauthorized`: the
 * token is refused as if it were not valid.
 */
export async function withProviderRoles(ctx: QueryContext): Promise<QueryContext> {
  const { provider, claims } = ctx.caller;
  if (provider === undefined || claims === undefined) return ctx;
  const record = await ctx.schema.get(ctx.db, 'access_providers', provider, ctx.nowMicros);
  const names: string[] = [];
  for (const entry of listOf(record?.public.roles)) {
    const role = isObject(entry) ? entry.role ?? null : entry;
    const name = roleName(role);
    const predicate = isObject(entry) ? entry.predicate : undefined;
    if (name === null || names.includes(name)) continue;
    if (predicate instanceof QueryValue && !(await admits(ctx, predicate, claims))) continue;
    names.push(name);
  }
  if (names.length === 0) throw new FaunaError('unauthorized', 'Unauthorized');
  return ctx.as({ ...ctx.caller, roles: names });
}

/** A role predicate runs as the server would, with the token's claims as its argument; only true admits. */
async function admits(ctx: QueryContext, predicate: QueryValue, claims: ObjectValue): Promise<boolean> {
  const asServer = ctx.as({ ...ctx.caller, role: 'server', roles: undefined });
  try {
    return (await ctx.lambdas.applyValue(predicate, claims, asServer, [])) === true;
  } catch (err) {
    // A predicate that fails (a claim it selects is missing, say) does not admit, as in Fauna.
    if (err instanceof FaunaError) return false;
    throw err;
  }
}
