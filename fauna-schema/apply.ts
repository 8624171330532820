/**
 * Makes a database match a SchemaSpec, idempotently: one query reads what exists, the
 * differences are worked out here, and one query writes them all (so a run changes everything
 * or nothing). Running it again finds nothing to do and says "schema up to date".
 *
 * What an FQL v4 server cannot update in place (an index's terms, values, source, unique) is
 * never ignored: the run stops before writing anything, with a SchemaMigrationError that names
 * each index and what differs. Objects the spec does not name are left alone.
 *
 * Plain FQL through the driver: it knows nothing of the engine behind the client.
 */

import { createHash } from 'node:crypto';
import faunadb from 'faunadb';
import { faunaCode } from '../shared/fql/driver-errors.ts';
import { backfillEmailPrefixes, SEARCH_INDEX } from './search-prefixes.ts';
import { ensureTimingAccount } from './timing-account.ts';
import {
  APP_SCHEMA,
  type CollectionSpec,
  type FunctionSpec,
  type IndexField,
  type IndexSpec,
  type RoleSpec,
  type SchemaData,
  type SchemaSpec,
} from './schema.ts';

const q = faunadb.query;

export type SchemaKind = 'collection' | 'index' | 'function' | 'role';

export interface SchemaChange {
  readonly action: 'created' | 'updated';
  readonly kind: SchemaKind;
  readonly name: string;
  /** What was set or changed, e.g. "ttl_days 3 -> 7". */
  readonly details: readonly string[];
}

/** An index whose definition differs in a way only a manual migration can fix. */
export interface IndexConflict {
  readonly index: string;
  readonly property: 'source' | 'terms' | 'values' | 'unique';
  readonly database: string;
  readonly schema: string;
}

export class SchemaMigrationError extends Error {
  constructor(readonly conflicts: readonly IndexConflict[]) {
    super(migrationMessage(conflicts));
    this.name = 'SchemaMigrationError';
  }
}

export interface ApplyOptions {
  /** Where each line goes; console.log by default. */
  readonly log?: (line: string) => void;
  /** The schema to apply; APP_SCHEMA by default (tests pass others). */
  readonly schema?: SchemaSpec;
}

/** A schema object as Get shows it; fields are read defensively, the server owns the shape. */
type Existing = Readonly<Record<string, unknown>> | null;

interface Planned {
  readonly change: SchemaChange;
  readonly expr: faunadb.Expr;
}

/** What exists now, in the spec's order. */
interface Existing3 {
  readonly collections: readonly Existing[];
  readonly indexes: readonly Existing[];
  readonly functions: readonly Existing[];
  readonly roles: readonly Existing[];
}

export async function applySchema(client: faunadb.Client, options: ApplyOptions = {}): Promise<SchemaChange[]> {
  const log = options.log ?? ((line: string): void => console.log(line));
  const schema = options.schema ?? APP_SCHEMA;
  let planned: Planned[];
  try {
    planned = await planAndWrite(client, schema);
  } catch (err) {
    // Another run (a second terminal, the dev launcher) created an object between our read
    // and our write; its write won, so read again and do what is still missing.
    if (faunaCode(err) !== 'instance already exists') throw err;
    planned = await planAndWrite(client, schema);
  }
  for (const { change } of planned) log(describeChange(change));
  if (planned.some(({ change }) => change.kind === 'index' && change.name === SEARCH_INDEX && change.action === 'created')) {
    const filled = await backfillEmailPrefixes(client);
    if (filled > 0) log(`gave ${filled} existing accounts their search prefixes (${SEARCH_INDEX})`);
  }
  const timingCreated = schema.collections.some((c) => c.name === 'accounts') && (await ensureTimingAccount(client));
  if (timingCreated) log('created the timing account (accounts/1)');
  if (planned.length === 0 && !timingCreated) log('schema up to date');
  return planned.map((p) => p.change);
}

async function planAndWrite(client: faunadb.Client, schema: SchemaSpec): Promise<Planned[]> {
  const existing = await client.query<Existing3>(readQuery(schema));
  const conflicts = schema.indexes.flatMap((spec, i) => indexConflicts(spec, existing.indexes[i]));
  if (conflicts.length > 0) throw new SchemaMigrationError(conflicts);
  const planned = [
    ...schema.collections.map((spec, i) => planCollection(spec, existing.collections[i])),
    ...schema.indexes.map((spec, i) => planIndex(spec, existing.indexes[i])),
    ...schema.functions.map((spec, i) => planFunction(spec, existing.functions[i])),
    // Last: a role's privileges name the collections and indexes created above.
    ...(schema.roles ?? []).map((spec, i) => planRole(spec, existing.roles[i])),
  ].filter((p): p is Planned => p !== null);
  if (planned.length > 0) await client.query(q.Do(...planned.map((p) => p.expr), true));
  return planned;
}

/** One object with every named schema object, or null where it does not exist. */
function readQuery(schema: SchemaSpec): Record<keyof Existing3, faunadb.Expr[]> {
  const getOrNull = (ref: faunadb.Expr): faunadb.Expr => q.If(q.Exists(ref), q.Get(ref), null);
  return {
    collections: schema.collections.map((c) => getOrNull(q.Collection(c.name))),
    indexes: schema.indexes.map((i) => getOrNull(q.Index(i.name))),
    functions: schema.functions.map((f) => getOrNull(q.Function(f.name))),
    roles: (schema.roles ?? []).map((r) => getOrNull(q.Role(r.name))),
  };
}

export function describeChange(change: SchemaChange): string {
  const details = change.details.length === 0 ? '' : change.action === 'created' ? ` (${change.details.join(', ')})` : `: ${change.details.join(', ')}`;
  return `${change.action} ${change.kind} ${change.name}${details}`;
}

// ---- collections -------------------------------------------------------------------------

function planCollection(spec: CollectionSpec, existing: Existing): Planned | null {
  const ttl = spec.ttl_days ?? null;
  const history = spec.history_days ?? 0;
  if (existing === null) {
    const details = [...(ttl === null ? [] : [`ttl_days ${ttl}`]), ...(history === 0 ? [] : [`history_days ${history}`])];
    const params = { name: spec.name, ...(ttl === null ? {} : { ttl_days: ttl }), history_days: history, ...(spec.data ? { data: spec.data } : {}) };
    return { change: { action: 'created', kind: 'collection', name: spec.name, details }, expr: q.CreateCollection(params) };
  }
  const patch: Record<string, unknown> = {};
  const details: string[] = [];
  const before = typeof existing.ttl_days === 'number' ? existing.ttl_days : null;
  if (before !== ttl) {
    patch.ttl_days = ttl;
    details.push(`ttl_days ${before ?? 'none'} -> ${ttl ?? 'none'}`);
  }
  // A collection made before this setting kept Fauna's default (30 days); no field means forever.
  const historyBefore = typeof existing.history_days === 'number' ? existing.history_days : null;
  if (historyBefore !== history) {
    patch.history_days = history;
    details.push(`history_days ${historyBefore ?? 'forever'} -> ${history}`);
  }
  addDataPatch(patch, details, existing.data, spec.data);
  return updateOf('collection', spec.name, q.Collection(spec.name), patch, details);
}

// ---- indexes -----------------------------------------------------------------------------

function planIndex(spec: IndexSpec, existing: Existing): Planned | null {
  if (existing === null) {
    const params = {
      name: spec.name,
      source: sourcesOf(spec).map(sourceRef),
      ...(spec.terms ? { terms: spec.terms } : {}),
      ...(spec.values ? { values: spec.values } : {}),
      unique: spec.unique === true,
      ...(spec.data ? { data: spec.data } : {}),
    };
    const details = [
      `terms ${showFields(spec.terms ?? [])}`,
      ...(spec.values ? [`values ${showFields(spec.values)}`] : []),
      ...(spec.unique ? ['unique'] : []),
    ];
    return { change: { action: 'created', kind: 'index', name: spec.name, details }, expr: q.CreateIndex(params) };
  }
  const patch: Record<string, unknown> = {};
  const details: string[] = [];
  addDataPatch(patch, details, existing.data, spec.data);
  return updateOf('index', spec.name, q.Index(spec.name), patch, details);
}

function indexConflicts(spec: IndexSpec, existing: Existing): IndexConflict[] {
  if (existing === null) return [];
  const conflicts: IndexConflict[] = [];
  const compare = (property: IndexConflict['property'], database: unknown, schema: unknown, show: (v: never) => string): void => {
    if (canonicalJson(database) !== canonicalJson(schema)) {
      conflicts.push({ index: spec.name, property, database: show(database as never), schema: show(schema as never) });
    }
  };
  compare('source', existingSources(existing.source).sort(), sourcesOf(spec).sort(), showList);
  compare('terms', existingFields(existing.terms), normalFields(spec.terms), showFields);
  compare('values', existingFields(existing.values), normalFields(spec.values), showFields);
  compare('unique', existing.unique === true, spec.unique === true, String);
  return conflicts;
}

/** 'tokens' is the engine's built-in Tokens() collection (a user collection cannot take that name). */
function sourceRef(name: string): faunadb.Expr {
  return name === 'tokens' ? q.Tokens() : q.Collection(name);
}

function sourcesOf(spec: IndexSpec): string[] {
  return typeof spec.source === 'string' ? [spec.source] : [...spec.source];
}

/** Source collection names; what is not a collection ref shows as itself, so it differs. */
function existingSources(source: unknown): string[] {
  const refs = Array.isArray(source) ? source : [source];
  return refs.map((ref) => (ref instanceof faunadb.values.Ref ? ref.id : canonicalJson(ref)));
}

/** Fields as written at creation; a malformed entry keeps its raw JSON, so it differs. */
function existingFields(raw: unknown): IndexField[] | string {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) return canonicalJson(raw);
  const fields: IndexField[] = [];
  for (const entry of raw) {
    const e = entry as { field?: unknown; reverse?: unknown };
    const field = typeof e.field === 'string' ? [e.field] : e.field;
    const known = Object.keys(e).every((k) => k === 'field' || k === 'reverse');
    if (!known || !Array.isArray(field) || !field.every((p) => typeof p === 'string')) return canonicalJson(raw);
    fields.push({ field, reverse: e.reverse === true });
  }
  return fields;
}

/** Reverse only ever false or true, so `{field}` and `{field, reverse: false}` compare equal. */
function normalFields(fields: readonly IndexField[] | undefined): IndexField[] {
  return (fields ?? []).map((f) => ({ field: [...f.field], reverse: f.reverse === true }));
}

function showFields(fields: readonly IndexField[] | string): string {
  if (typeof fields === 'string') return fields;
  return `[${fields.map((f) => `${f.field.join('.')}${f.reverse ? ' (reverse)' : ''}`).join(', ')}]`;
}

function showList(names: readonly string[]): string {
  return `[${names.join(', ')}]`;
}

// ---- functions ---------------------------------------------------------------------------

function planFunction(spec: FunctionSpec, existing: Existing): Planned | null {
  const body = lambdaJson(spec);
  if (existing === null) {
    const params = { name: spec.name, body: spec.body, ...(spec.role ? { role: spec.role } : {}), ...(spec.data ? { data: spec.data } : {}) };
    const details = spec.role ? [`role ${spec.role}`] : [];
    return { change: { action: 'created', kind: 'function', name: spec.name, details }, expr: q.CreateFunction(params) };
  }
  const patch: Record<string, unknown> = {};
  const details: string[] = [];
  if (storedLambdaJson(existing.body) !== body) {
    patch.body = spec.body;
    details.push('body');
  }
  const role = canonicalJson(existing.role ?? null);
  if (role !== canonicalJson(spec.role ?? null)) {
    patch.role = spec.role ?? null;
    const before = existing.role === undefined || existing.role === null ? 'none' : typeof existing.role === 'string' ? existing.role : role;
    details.push(`role ${before} -> ${spec.role ?? 'none'}`);
  }
  addDataPatch(patch, details, existing.data, spec.data);
  return updateOf('function', spec.name, q.Function(spec.name), patch, details);
}

/** The Lambda inside the spec's `Query(...)`, as canonical JSON. */
function lambdaJson(spec: FunctionSpec): string {
  const wire = JSON.parse(JSON.stringify(spec.body)) as { query?: unknown };
  if (wire === null || typeof wire !== 'object' || wire.query === undefined) {
    throw new Error(`fauna-schema: the body of function ${spec.name} must be q.Query(q.Lambda(...)).`);
  }
  return canonicalJson(wire.query);
}

/** A stored body comes back as @query, with the api_version the server stamped on it. */
function storedLambdaJson(body: unknown): string {
  const wire = JSON.parse(JSON.stringify(body ?? null)) as { '@query'?: Record<string, unknown> } | null;
  const lambda = wire?.['@query'];
  if (lambda === undefined) return canonicalJson(wire);
  const { api_version: _ignored, ...rest } = lambda;
  return canonicalJson(rest);
}

// ---- roles -------------------------------------------------------------------------------

/**
 * A role's privileges and membership hold lambdas and refs, which the server answers in another
 * shape than the driver sends them; so a role carries the fingerprint of its spec in its data,
 * and a role whose fingerprint differs is updated whole (Update replaces arrays).
 */
function planRole(spec: RoleSpec, existing: Existing): Planned | null {
  const fingerprint = roleFingerprint(spec);
  const params = { membership: spec.membership, privileges: spec.privileges, data: { schema_fingerprint: fingerprint } };
  if (existing === null) {
    const details = [`${spec.privileges.length} privileges`];
    return { change: { action: 'created', kind: 'role', name: spec.name, details }, expr: q.CreateRole({ name: spec.name, ...params }) };
  }
  const data = isRecord(existing.data) ? existing.data : {};
  if (data.schema_fingerprint === fingerprint) return null;
  return { change: { action: 'updated', kind: 'role', name: spec.name, details: ['privileges', 'membership'] }, expr: q.Update(q.Role(spec.name), params) };
}

function roleFingerprint(spec: RoleSpec): string {
  return createHash('sha256').update(canonicalJson({ membership: spec.membership, privileges: spec.privileges })).digest('base64url').slice(0, 22);
}

// ---- shared ------------------------------------------------------------------------------

/** Sets `data` exactly to the spec's: Update merges data, so dropped keys are sent as null. */
function addDataPatch(patch: Record<string, unknown>, details: string[], existing: unknown, wanted: SchemaData | undefined): void {
  const before = isRecord(existing) ? existing : {};
  const after: Record<string, unknown> = wanted ?? {};
  if (canonicalJson(before) === canonicalJson(after)) return;
  const removed = Object.keys(before).filter((k) => !(k in after));
  patch.data = Object.keys(after).length === 0 ? null : { ...Object.fromEntries(removed.map((k) => [k, null])), ...after };
  details.push('data');
}

function updateOf(kind: SchemaKind, name: string, ref: faunadb.Expr, patch: Record<string, unknown>, details: string[]): Planned | null {
  if (details.length === 0) return null;
  return { change: { action: 'updated', kind, name, details }, expr: q.Update(ref, patch) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON with sorted keys (after the driver's toJSON), so equal values compare equal as text. */
export function canonicalJson(value: unknown): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (!isRecord(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  };
  const plain: unknown = value === undefined ? null : JSON.parse(JSON.stringify(value));
  return JSON.stringify(sortKeys(plain));
}

function migrationMessage(conflicts: readonly IndexConflict[]): string {
  const lines = conflicts.map((c) => `  index ${c.index}: ${c.property} is ${c.database} in the database, ${c.schema} in the schema`);
  return [
    'The schema needs a manual migration; nothing was changed:',
    ...lines,
    "An index's source, terms, values and unique cannot be updated in place. Either create the",
    'new definition under a new index name and move the queries to it, or delete the old index',
    '(Delete(Index("name"))) and apply the schema again: it is rebuilt from the existing documents.',
  ].join('\n');
}
