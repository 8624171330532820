/**
 * The conformance harness: FQL cases written as data, run through the unmodified `faunadb`
 * driver against the engine, over every transport and storage backend of the matrix.
 *
 * Principles:
 * - A case is `{name, setup, query, expect | expectError}`; nothing in a case knows which
 *   backend or transport runs it.
 * - Errors are compared by Fauna's error CODE only, never by message. The driver must also raise
 *   the exception class it raised against Fauna for that code (NotFound, BadRequest...).
 * - "Both returned nothing" never passes: a case must declare exactly one of `expect` and
 *   `expectError`, and an undefined result is a failure whatever was expected.
 * - Each case gets a fresh engine database (CreateDatabase in the root, then a scoped secret);
 *   the engine, its PGlite or PostgreSQL pool and the HTTP server are shared by a whole suite.
 */

import faunadb, { type Client } from 'faunadb';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaunaCode } from '../../errors.ts';
import { openEngine, type Engine } from '../../engine.ts';
import { createInProcessFetch } from '../../transport/in-process.ts';
import { startHttpServer, type RunningHttpServer } from '../../transport/http-server.ts';
import { postgresMissingReason, postgresUrl } from '../support/environment.ts';

export const q = faunadb.query;
export const values = faunadb.values;
export type Q = typeof faunadb.query;
export type ExprArg = Parameters<typeof faunadb.query.Do>[0];

export const ADMIN_SECRET = 'secret';

/** A query step that runs as the admin of a child database of the case's database (`a` or `a/b`). */
export class InDatabase {
  constructor(
    readonly path: string,
    readonly query: ExprArg | null,
  ) {}
}

export function inDb(path: string, query: ExprArg | null): InDatabase {
  return new InDatabase(path, query);
}

/** A query: any driver expression (null included), or one run in a child database. */
export type Step = ExprArg | null | InDatabase;

/**
 * Who runs the case's query:
 * - 'admin' (default): the case database's admin, through the scoped secret `secret:<db>:admin`;
 * - 'server': the scoped secret `secret:<db>:server`;
 * - `{ key }`: a key made with CreateKey in the case database (or in its child `database`),
 *   whose returned secret is then used;
 * - 'bad-secret': a secret no key has.
 */
export type Caller = 'admin' | 'server' | 'bad-secret' | { readonly key: 'admin' | 'server'; readonly database?: string };

export interface Afterwards {
  /** Runs as the case database's admin once the query has been checked. */
  readonly query: Step;
  readonly expect: unknown;
}

export interface Case {
  readonly name: string;
  /** Queries run in order, as the case database's admin; each must succeed. */
  readonly setup?: readonly Step[] | ((q: Q) => readonly Step[]);
  readonly query: Step;
  readonly as?: Caller;
  /** The result, as driver values (values.Ref...) or ref/time expressions (q.Ref, q.Collection, q.Time...). */
  readonly expect?: unknown;
  /** Fauna's error code, e.g. 'instance not found'. */
  readonly expectError?: FaunaCode;
  /** A follow-up check, typically that a failed query left nothing written. */
  readonly afterwards?: Afterwards;
  readonly only?: boolean;
}

export interface CaseGroup {
  readonly topic: string;
  readonly cases: readonly Case[];
}

// ---------------------------------------------------------------------------------------
// Outcomes and their comparison

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export type Outcome =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'error'; readonly code: string; readonly description: string; readonly errorClass: string };

/** The driver exception each status maps to, as faunadb raises it against Fauna. */
const DRIVER_ERROR_FOR_CODE: Readonly<Record<string, string>> = {
  unauthorized: 'Unauthorized',
  'permission denied': 'PermissionDenied',
  'instance not found': 'NotFound',
  'value not found': 'NotFound',
  'contended transaction': 'FaunaHTTPError',
  'internal server error': 'InternalError',
  unavailable: 'UnavailableError',
};

function driverErrorFor(code: string): string {
  return DRIVER_ERROR_FOR_CODE[code] ?? 'BadRequest';
}

/** Checks a case is well formed: exactly one of `expect` and `expectError`. */
export function declarationProblem(c: Case): string | null {
  const hasExpect = c.expect !== undefined;
  const hasError = c.expectError !== undefined;
  if (hasExpect === hasError) return `case '${c.name}' must declare exactly one of expect and expectError`;
  if (c.afterwards !== undefined && c.afterwards.expect === undefined) return `case '${c.name}': afterwards needs an expect`;
  return null;
}

export function assertOutcome(c: Case, outcome: Outcome, label: string): void {
  const problem = declarationProblem(c);
  if (problem !== null) throw new Error(problem);
  if (c.expectError !== undefined) {
    if (outcome.kind === 'value') {
      expect.fail(`${label}\n  expected error '${c.expectError}', got a value: ${show(outcome.value)}`);
      return;
    }
    expect(outcome.code, `${label}\n  error code (description: ${outcome.description})`).toBe(c.expectError);
    expect(outcome.errorClass, `${label}\n  driver exception for '${outcome.code}'`).toBe(driverErrorFor(outcome.code));
    return;
  }
  assertValue(c.expect, outcome, label);
}

export function assertValue(expected: unknown, outcome: Outcome, label: string): void {
  const want = toComparable(expected);
  if (outcome.kind === 'error') {
    expect.fail(`${label}\n  expected: ${show(want)}\n  got error '${outcome.code}': ${outcome.description}`);
    return;
  }
  if (outcome.value === undefined) {
    expect.fail(`${label}\n  the query returned nothing (undefined); that never passes`);
    return;
  }
  const got = actualJson(outcome.value);
  // The full JSON goes into the message: a failure must say what came back without a re-run.
  const detail = isDeepStrictEqual(got, want) ? label : `${label}\n  expected: ${show(want)}\n  actual:   ${show(got)}`;
  expect(got, detail).toEqual(want);
}

/** A query as FQL text, for failure messages. */
export function fqlText(query: Step): string {
  if (query instanceof InDatabase) return `[in child database '${query.path}'] ${fqlText(query.query)}`;
  try {
    return faunadb.Expr.toString(query as faunadb.Expr);
  } catch {
    return show(query);
  }
}

function show(v: unknown): string {
  return JSON.stringify(v);
}

/** A driver result as tagged JSON: values.Ref becomes {"@ref": ...}, FaunaTime {"@ts": ...}. */
export function actualJson(v: unknown): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasFlag(v: unknown, flag: '_isFaunaValue' | '_isFaunaExpr'): boolean {
  return isRecord(v) && v[flag] === true;
}

/**
 * An expected value as tagged JSON. Driver values serialise themselves; the few expressions
 * that only build a value (q.Ref, q.Collection, q.Database, q.Time...) are turned into the value
 * Fauna answers with, so a case can say `expect: q.Ref(q.Collection('c'), '1')`.
 */
export function toComparable(v: unknown): Json {
  if (v === undefined) throw new Error('expect: undefined is not a value');
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toComparable);
  if (hasFlag(v, '_isFaunaValue')) return actualJson(v);
  if (hasFlag(v, '_isFaunaExpr')) return exprValue((v as { raw: unknown }).raw);
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toComparable(x)]));
  throw new Error(`expect: cannot compare a ${typeof v}`);
}

const SCHEMA_CONSTRUCTORS: Readonly<Record<string, string>> = {
  collection: 'collections',
  index: 'indexes',
  function: 'functions',
  database: 'databases',
  role: 'roles',
  access_provider: 'access_providers',
};

const NATIVE_CONSTRUCTORS = ['collections', 'indexes', 'functions', 'databases', 'keys', 'roles', 'access_providers'];

function ref(id: string, collection?: Json, database?: Json): Json {
  const body: { [k: string]: Json } = { id };
  if (collection !== undefined) body.collection = collection;
  if (database !== undefined && database !== null) body.database = database;
  return { '@ref': body };
}

function exprValue(raw: unknown): Json {
  if (!isRecord(raw)) throw new Error(`expect: unsupported expression ${show(raw)}`);
  const keys = Object.keys(raw);
  const kind = keys.find((k) => k in SCHEMA_CONSTRUCTORS);
  if (kind !== undefined && keys.every((k) => k === kind || k === 'scope')) {
    // Fauna puts a scoped schema ref's database on the ref itself: Collection("c", Database("d")).
    const scope = raw.scope === undefined ? undefined : toComparable(raw.scope);
    return ref(String(raw[kind]), ref(SCHEMA_CONSTRUCTORS[kind]), scope);
  }
  const native = keys.length === 1 ? NATIVE_CONSTRUCTORS.find((k) => k === keys[0]) : undefined;
  if (native !== undefined) return ref(native, undefined, raw[native] === null ? undefined : toComparable(raw[native]));
  if (keys.length === 2 && 'ref' in raw && 'id' in raw) return ref(String(raw.id), toComparable(raw.ref));
  if (keys.length === 1 && typeof raw.time === 'string') return { '@ts': raw.time };
  if (keys.length === 1 && typeof raw.date === 'string') return { '@date': raw.date };
  if (keys.length === 1 && isRecord(raw.object)) return toComparable(raw.object);
  throw new Error(`expect: only ref, schema-ref, time, date and object expressions may be expected, not ${show(raw)}`);
}

// ---------------------------------------------------------------------------------------
// Running one case through a driver client

export interface Connection {
  /** Runs a query with a secret and reports what came back, value or Fauna error. */
  attempt(query: ExprArg | null, secret: string): Promise<Outcome>;
}

/** A driver client seen as a Connection: Fauna errors become outcomes, anything else throws. */
export function connectionOf(client: Client): Connection {
  return {
    attempt: async (query, secret) => {
      try {
        // The driver's typings leave out null, which it sends as a literal like any other value.
        return { kind: 'value', value: await client.query(query as ExprArg, { secret }) };
      } catch (err) {
        return errorOutcome(err);
      }
    },
  };
}

export function errorOutcome(err: unknown): Outcome {
  if (!(err instanceof faunadb.errors.FaunaHTTPError)) throw err;
  const first = err.requestResult.responseContent?.errors?.[0];
  if (first === undefined) throw new Error(`a Fauna error without an errors array: ${err.message}`);
  return { kind: 'error', code: first.code, description: first.description, errorClass: err.name };
}

let databaseCounter = 0;
const RUN_TAG = Math.random().toString(36).slice(2, 8);

/** A database name no other case, file or run uses (PostgreSQL's root is shared by the run). */
export function freshDatabaseName(): string {
  databaseCounter += 1;
  return `conf_${RUN_TAG}_${databaseCounter}`;
}

export function scopedSecret(path: string, role: 'admin' | 'server' = 'admin'): string {
  return `${ADMIN_SECRET}:${path}:${role}`;
}

function stepsOf(c: Case): readonly Step[] {
  if (c.setup === undefined) return [];
  return typeof c.setup === 'function' ? c.setup(q) : c.setup;
}

/** Where a step runs: in `db` (null: the root, with the engine's own admin secret), or in a child of it. */
function located(step: Step, db: string | null): { query: ExprArg | null; secret: string } {
  const at = (path: string | null): string => (path === null ? ADMIN_SECRET : scopedSecret(path));
  if (step instanceof InDatabase) return { query: step.query, secret: at(db === null ? step.path : `${db}/${step.path}`) };
  return { query: step, secret: at(db) };
}

async function mustSucceed(conn: Connection, step: Step, db: string | null, what: string): Promise<unknown> {
  const { query, secret } = located(step, db);
  const outcome = await conn.attempt(query, secret);
  if (outcome.kind === 'error') throw new Error(`${what} failed with '${outcome.code}': ${outcome.description}`);
  return outcome.value;
}

async function callerSecret(conn: Connection, caller: Caller, db: string): Promise<string> {
  if (caller === 'admin') return scopedSecret(db);
  if (caller === 'server') return scopedSecret(db, 'server');
  if (caller === 'bad-secret') return 'not-a-secret-anyone-has';
  const params = caller.database === undefined ? { role: caller.key } : { role: caller.key, database: q.Database(caller.database) };
  const key = await mustSucceed(conn, q.CreateKey(params), db, 'CreateKey for the caller');
  const secret = isRecord(key) ? key.secret : undefined;
  if (typeof secret !== 'string') throw new Error(`CreateKey returned no secret: ${show(key)}`);
  return secret;
}

/** Creates a fresh database in the root and answers its name (use it with scopedSecret). */
export async function createCaseDatabase(conn: Connection): Promise<string> {
  const db = freshDatabaseName();
  await mustSucceed(conn, q.CreateDatabase({ name: db }), null, 'creating the case database');
  return db;
}

/** Runs queries in order in a database as its admin; the first failure throws with its code. */
export async function runAll(conn: Connection, db: string, steps: readonly Step[]): Promise<unknown[]> {
  const results: unknown[] = [];
  for (const [i, step] of steps.entries()) results.push(await mustSucceed(conn, step, db, `step ${i + 1}`));
  return results;
}

/** Runs one case in a fresh database and asserts its outcome (and its follow-up). */
export async function runCase(c: Case, conn: Connection): Promise<void> {
  const problem = declarationProblem(c);
  if (problem !== null) throw new Error(problem);
  const db = await createCaseDatabase(conn);
  for (const [i, step] of stepsOf(c).entries()) await mustSucceed(conn, step, db, `setup step ${i + 1}`);
  const target = c.query instanceof InDatabase ? located(c.query, db) : { query: c.query, secret: await callerSecret(conn, c.as ?? 'admin', db) };
  assertOutcome(c, await conn.attempt(target.query, target.secret), `${c.name}\n  query: ${fqlText(c.query)}`);
  if (c.afterwards !== undefined) {
    const after = located(c.afterwards.query, db);
    const label = `${c.name} (afterwards)\n  query: ${fqlText(c.afterwards.query)}`;
    assertValue(c.afterwards.expect, await conn.attempt(after.query, after.secret), label);
  }
}

// ---------------------------------------------------------------------------------------
// The matrix: backends × transports

export type BackendName = 'pglite' | 'postgres';
export type TransportName = 'in-process' | 'http2' | 'http1';

export interface MatrixRow {
  readonly backend: BackendName;
  readonly transport: TransportName;
  /** The engine's SQL shortcuts; false evaluates every set in memory. Default true. */
  readonly pushdown?: boolean;
  readonly groups: readonly CaseGroup[];
  /** Why this row runs these groups (shown in its title). */
  readonly note?: string;
}

const TRANSPORT_TITLES: Readonly<Record<TransportName, string>> = {
  'in-process': 'in-process fetch',
  http2: 'HTTP/2 cleartext (driver default)',
  http1: 'HTTP/1.1 (driver given fetch)',
};

/** One backend's engines (per pushdown setting), servers and driver clients, opened lazily, closed once. */
export class BackendRig {
  private readonly engines = new Map<boolean, Engine>();
  private readonly servers = new Map<boolean, RunningHttpServer>();
  private readonly clients: Client[] = [];

  constructor(
    readonly backend: BackendName,
    private readonly databaseUrl: string | null,
    private readonly options: { readonly clock?: () => number } = {},
  ) {}

  async engine(pushdown = true): Promise<Engine> {
    const known = this.engines.get(pushdown);
    if (known) return known;
    // One storage per backend: the pushdown-off engine shares the default engine's storage.
    const base = pushdown ? undefined : await this.engine(true);
    const engine = await openEngine({
      adminSecret: ADMIN_SECRET,
      pushdown,
      // Semantics do not depend on bcrypt's cost; a low one keeps transactions short, so the
      // PostgreSQL rows of parallel test files do not starve each other with serialization retries.
      bcryptCost: 4,
      ...(this.options.clock ? { clock: this.options.clock } : {}),
      ...(base ? { storage: base.storage } : this.databaseUrl !== null ? { databaseUrl: this.databaseUrl } : { memory: true }),
    });
    this.engines.set(pushdown, engine);
    return engine;
  }

  async server(pushdown = true): Promise<RunningHttpServer> {
    const known = this.servers.get(pushdown);
    if (known) return known;
    const server = await startHttpServer(await this.engine(pushdown), { host: '127.0.0.1', port: 0 });
    this.servers.set(pushdown, server);
    return server;
  }

  async client(transport: TransportName, pushdown = true): Promise<Client> {
    const client = await this.newClient(transport, pushdown);
    this.clients.push(client);
    return client;
  }

  private async newClient(transport: TransportName, pushdown: boolean): Promise<Client> {
    if (transport === 'in-process') {
      const fetch = createInProcessFetch(await this.engine(pushdown));
      return new faunadb.Client({ secret: ADMIN_SECRET, domain: 'engine.invalid', scheme: 'http', fetch });
    }
    const { port } = await this.server(pushdown);
    const base = { secret: ADMIN_SECRET, domain: '127.0.0.1', port, scheme: 'http' as const };
    return new faunadb.Client(transport === 'http1' ? { ...base, fetch: globalThis.fetch } : base);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close({ force: true })));
    await Promise.all([...this.servers.values()].map((s) => s.close()));
    this.servers.clear();
    // The engines that borrow storage close first; the owner closes it last.
    for (const pushdown of [false, true]) await this.engines.get(pushdown)?.close();
    this.engines.clear();
  }
}

/** The PostgreSQL URL for this run, or null with the reason (under CI, postgresUrl() throws instead). */
export function postgresTarget(): { url: string } | { missing: string } {
  const url = postgresUrl();
  return url !== null ? { url } : { missing: postgresMissingReason() };
}

function rowTitle(row: MatrixRow): string {
  const pushdown = row.pushdown === false ? ', pushdown OFF' : '';
  const note = row.note ? ` — ${row.note}` : '';
  return `${TRANSPORT_TITLES[row.transport]}${pushdown}${note}`;
}

/**
 * One describe per backend, each with its own engine, for the rows of that backend. Where
 * PostgreSQL is missing (outside CI), its rows are declared skipped under a title that says
 * plainly they did not run, and why.
 */
export function declareBackends<Row extends { readonly backend: BackendName }>(
  what: string,
  rows: readonly Row[],
  declare: (backend: BackendName, url: string | null, rows: readonly Row[]) => void,
): void {
  for (const backend of ['pglite', 'postgres'] as const) {
    const mine = rows.filter((r) => r.backend === backend);
    if (mine.length === 0) continue;
    const target = backend === 'postgres' ? postgresTarget() : { url: null };
    if ('missing' in target) {
      describe.skip(`PostgreSQL ${what} did NOT run: ${target.missing}`, () => {
        it(`every PostgreSQL row of the ${what}`, () => undefined);
      });
      continue;
    }
    describe(backend === 'pglite' ? 'PGlite (in memory)' : 'PostgreSQL', () => declare(backend, target.url, mine));
  }
}

/** Declares the suites of a matrix: one describe per backend (one engine), one per row within it. */
export function runMatrix(rows: readonly MatrixRow[]): void {
  declareBackends('conformance', rows, (backend, url, mine) => {
    const rig = new BackendRig(backend, url);
    afterAll(() => rig.close());
    for (const row of mine) declareRow(rig, row);
  });
}

function declareRow(rig: BackendRig, row: MatrixRow): void {
  declareGroups(rowTitle(row), rig, row, runCase);
}

/**
 * One describe per row: its driver client opens once, then every case of every group runs
 * through `run`. Shared by the case matrix and the identity-session matrix.
 */
export function declareGroups<C extends { readonly name: string; readonly only?: boolean }>(
  title: string,
  rig: BackendRig,
  row: { readonly transport: TransportName; readonly pushdown?: boolean; readonly groups: readonly { readonly topic: string; readonly cases: readonly C[] }[] },
  run: (c: C, conn: Connection) => Promise<void>,
): void {
  describe(title, () => {
    let conn: Connection | undefined;
    beforeAll(async () => {
      conn = connectionOf(await rig.client(row.transport, row.pushdown ?? true));
    });
    for (const group of row.groups) {
      describe(group.topic, () => {
        for (const c of group.cases) {
          const test = c.only ? it.only : it;
          test(c.name, async () => {
            if (conn === undefined) throw new Error('the driver client did not open');
            await run(c, conn);
          });
        }
      });
    }
  });
}

/** About `count` cases spread over every group (each group keeps at least `minPerGroup`). */
export function representative(groups: readonly CaseGroup[], count: number, minPerGroup = 2): CaseGroup[] {
  const total = groups.reduce((n, g) => n + g.cases.length, 0);
  return groups.map((g) => {
    const want = Math.min(g.cases.length, Math.max(minPerGroup, Math.round((g.cases.length * count) / total)));
    const stride = g.cases.length / want;
    return { topic: g.topic, cases: Array.from({ length: want }, (_, i) => g.cases[Math.floor(i * stride)]) };
  });
}
