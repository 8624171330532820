/**
 * `npm run bench:pg`: the functions as deployed (DATABASE_URL set, the engine in-process on
 * PostgreSQL), driven through their default exports with real Requests, on a throw-away
 * PostgreSQL with the server's default settings (bench/pg-cluster.ts), or BENCH_DATABASE_URL.
 *
 * For login, session, the sessions list (a full page: 50 live sessions), refresh, logout,
 * register and the magic-link POST, at concurrency 1, 8 and 32 (and a plain read through the engine, to compare with): requests per
 * second, p50, p99, failed requests, and per request the SQL statements and round trips, counted
 * on pg's sockets (a round trip: the client writes after it has heard from the server), the
 * serialization failures (each an attempt run again), and the CPU of this process and of the
 * server, with how busy the machine was (bench/cpu-meter.ts). Once on the local socket, once through test/support/latency-proxy.ts,
 * which holds every chunk 2 ms on its way to the server, as a database 2 ms away would. Then an
 * account holding 1,000 sessions lists, logs in and refreshes. Emails are caught on their way
 * out: this measures the database, not a mail server.
 *
 *   npm run bench:pg                      # about five minutes
 *   npm run bench:pg -- --seconds 1       # shorter rounds
 */

import { verify, hash } from '@node-rs/bcrypt';
import type { Context } from '@netlify/functions';
import type { AuthContext } from '../shared/auth/context.ts';
import type { Config } from '../shared/config.ts';
import type { ContextFactory, Endpoint } from '../shared/endpoint.ts';
import { MAX_LISTED_SESSIONS, TIMING_ACCOUNT_ID, type User } from '../shared/fql/sessions.ts';
import { check, printVerdicts } from '../fql-engine/bench/measure.ts';
import { createDatabase, dropDatabase } from '../test/support/pg-databases.ts';
import { countPgTraffic, type PgTraffic } from '../test/support/pg-traffic.ts';
import { startLatencyProxy } from '../test/support/latency-proxy.ts';
import { CpuMeter, type CpuUse } from './cpu-meter.ts';
import { startCluster, type Cluster } from './pg-cluster.ts';

const SITE = 'http://localhost:8888';
const PASSWORD = 'correct horse battery staple';
const PROXY_DELAY_MS = 2;
const CONCURRENCY = [1, 8, 32] as const;
const HEAVY_SESSIONS = 1000;
/** Sessions minted per query: small enough to finish well inside the functions' query deadline on a busy machine. */
const MINT_BATCH = 50;

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} wants a positive number`);
  return value;
}
const SECONDS = argument('seconds', 2.5);
/** `--only refresh,login`: those operations alone, locally, without the proxy or the 1,000-session account (to iterate). */
const ONLY = ((): readonly string[] | null => {
  const i = process.argv.indexOf('--only');
  return i > 0 ? (process.argv[i + 1] ?? '').split(',') : null;
})();
const WARMUP_SECONDS = Math.min(1, SECONDS / 2);

// --- counting statements and round trips on pg's sockets ------------------------------------

/** Set once the server is known (main). */
let meter: CpuMeter;

/** Counting starts in main, before the functions load. */
let counted: PgTraffic = { statements: 0, roundTrips: 0, serializationFailures: 0 };

// --- the functions ------------------------------------------------------------------------

type Handler = (req: Request, context: Context) => Promise<Response>;

interface Functions {
  readonly login: Handler;
  readonly session: Handler;
  readonly sessions: Handler;
  readonly refresh: Handler;
  readonly logout: Handler;
  readonly register: Handler;
  readonly magic: Handler;
}

/** What the bench reaches into besides the endpoints, loaded after process.env is set. */
interface Internals {
  readonly fns: Functions;
  /** Points the functions at this database from now on; the handle runs the bench's own queries there. */
  readonly useDatabase: (databaseUrl: string) => BenchDatabase;
  readonly mintSessions: (db: BenchDatabase, email: string, count: number) => Promise<string[]>;
  readonly close: () => Promise<void>;
}

/** The auth context of one database, as the functions get it (emails caught on their way out). */
type BenchDatabase = AuthContext;

async function loadInternals(databaseUrl: string): Promise<Internals> {
  // The functions read their configuration once, from the environment: set it before they load.
  Object.assign(process.env, {
    FQL_AUTH_DEV: '1',
    DATABASE_URL: databaseUrl,
    FAUNA_SECRET: 'bench-admin-secret',
    URL: SITE,
  });
  const { cookiesFor } = await import('../shared/auth/web.ts');
  const { issueRefreshToken } = await import('../shared/auth/sessions.ts');
  const { config } = await import('../shared/config.ts');
  const { contextFor: requestContext } = await import('../shared/endpoint.ts');
  const { closeFaunaClients } = await import('../shared/fql/client.ts');
  const { runQuery } = await import('../shared/fql/run-query.ts');
  const { startSession } = await import('../shared/fql/sessions.ts');
  const { accountByEmail, userOf } = await import('../shared/fql/fragments.ts');
  const { query: q } = (await import('faunadb')).default;
  let current: Config = config();
  // Emails are caught on their way out: this measures the database, not a mail server.
  const factory: ContextFactory = (req, netlify) => {
    const ctx = requestContext(current, req, netlify);
    return { ...ctx, auth: { ...ctx.auth, sendEmail: async () => undefined } };
  };
  const load = async (name: string): Promise<Handler> => ((await import(`../functions/${name}.ts`)) as { default: Endpoint }).default.withContext(factory);
  const fns: Functions = {
    login: await load('login'),
    session: await load('session'),
    sessions: await load('sessions'),
    refresh: await load('refresh'),
    logout: await load('logout'),
    register: await load('register'),
    magic: await load('magic'),
  };
  const useDatabase = (url: string): BenchDatabase => {
    current = { ...config(), databaseUrl: url };
    return factory(new Request(`${SITE}/bench`), contextFor('192.0.2.1')).auth;
  };
  /** Sessions as a login makes them, without its bcrypt: the Cookie header of each. */
  const mintSessions = async (db: BenchDatabase, email: string, count: number): Promise<string[]> => {
    const cookies: string[] = [];
    for (let start = 0; start < count; start += MINT_BATCH) {
      const tokens = Array.from({ length: Math.min(MINT_BATCH, count - start) }, () => issueRefreshToken(db));
      const made = await runQuery<{ user: User; ids: string[] }>(
        db.db,
        q.Let({ account: q.Get(accountByEmail(email)) }, {
          user: userOf(q.Var('account')),
          ids: tokens.map((t) => startSession(q.Select('ref', q.Var('account')), 'bench/minted', t.stored)),
        }),
      );
      made.ids.forEach((sessionId, i) =>
        cookies.push(cookieHeader(cookiesFor({ user: made.user, sessionId, refreshJti: tokens[i].jti }, db.config)['Set-Cookie']))
      );
    }
    return cookies;
  };
  return { fns, useDatabase, mintSessions, close: closeFaunaClients };
}

// --- requests -------------------------------------------------------------------------------

function contextFor(ip: string): Context {
  return { params: {}, ip } as unknown as Context;
}

let ipsGiven = 0;
/** A new client address each time: calls that send email are limited per IP per hour, and the bench is not the limit's test. */
function freshIp(): Context {
  const n = ipsGiven++;
  return contextFor(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
}

function request(method: string, path: string, options: { body?: unknown; cookie?: string } = {}): Request {
  const headers: Record<string, string> = { origin: SITE, 'user-agent': 'bench/1.0' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.cookie !== undefined) headers.cookie = options.cookie;
  return new Request(`${SITE}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
}

/** `name=value; name=value` from Set-Cookie headers (cleared cookies left out). */
function cookieHeader(setCookies: readonly string[]): string {
  return setCookies
    .map((line) => line.split(';')[0])
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

/** Answers the status, with the API's error code for a failure: `200`, `409 contended`. */
async function outcome(res: Response): Promise<string> {
  const text = await res.text();
  if (res.status < 400) return String(res.status);
  try {
    return `${res.status} ${(JSON.parse(text) as { error?: { code?: string } }).error?.code ?? ''}`;
  } catch {
    return `${res.status}`;
  }
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (res.status >= 400) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  return res;
}

// --- measuring ------------------------------------------------------------------------------

interface Row {
  readonly op: string;
  readonly concurrency: number;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly statements: number;
  readonly roundTrips: number;
  /** Serialization failures (each one attempt run again) per request. */
  readonly conflicts: number;
  readonly cpu: CpuUse;
}

/** One worker's request: answers its outcome. `w` is the worker, `i` counts its requests. */
type Op = (w: number, i: number) => Promise<string>;

/** Workers each send one request after another for a while; the first second is warm-up, and requests begun in the window are waited for. */
async function scenario(op: string, concurrency: number, run: Op): Promise<Row> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const counters = { statements: 0, roundTrips: 0, serializationFailures: 0 };
  let measuring = false;
  let done = false;
  const worker = async (w: number): Promise<void> => {
    for (let i = 0; !done; i++) {
      // A request counts if it began in the measured window, however late it ends: a slow one
      // (or one that runs into the query deadline) must not drop out of the figures for being slow.
      const counts = measuring;
      const started = performance.now();
      const answer = await run(w, i);
      // An answer made without I/O (the session endpoint) must not starve the timers.
      await new Promise((resolve) => setImmediate(resolve));
      if (!counts) continue;
      latencies.push(performance.now() - started);
      if (!/^[23]/.test(answer)) errors[answer] = (errors[answer] ?? 0) + 1;
    }
  };
  const workers = Array.from({ length: concurrency }, (_, w) => worker(w));
  await sleep(WARMUP_SECONDS * 1000);
  const before = { ...counted };
  const cpuBefore = meter.sample();
  const started = performance.now();
  measuring = true;
  await sleep(SECONDS * 1000);
  measuring = false;
  const elapsed = performance.now() - started;
  const cpuAfter = meter.sample();
  counters.statements = counted.statements - before.statements;
  counters.roundTrips = counted.roundTrips - before.roundTrips;
  counters.serializationFailures = counted.serializationFailures - before.serializationFailures;
  done = true;
  await Promise.all(workers);
  latencies.sort((a, b) => a - b);
  const at = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  const n = Math.max(1, latencies.length);
  return {
    op,
    concurrency,
    reqPerSec: (latencies.length / elapsed) * 1000,
    p50: at(0.5),
    p99: at(0.99),
    requests: latencies.length,
    errors,
    statements: counters.statements / n,
    roundTrips: counters.roundTrips / n,
    conflicts: counters.serializationFailures / n,
    cpu: CpuMeter.use(cpuBefore, cpuAfter, latencies.length),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formatRow(row: Row): string {
  const errors = Object.entries(row.errors).map(([k, v]) => `${v}× ${k}`).join(', ') || '0';
  const { cpu } = row;
  return `${row.op.padEnd(24)} ${String(row.concurrency).padStart(3)} ${row.reqPerSec.toFixed(0).padStart(8)} ${row.p50.toFixed(1).padStart(8)} ${
    row.p99.toFixed(1).padStart(8)
  } ${row.statements.toFixed(1).padStart(7)} ${row.roundTrips.toFixed(1).padStart(7)} ${row.conflicts.toFixed(2).padStart(7)} ${
    cpu.selfMsPerRequest.toFixed(2).padStart(7)
  } ${cpu.serverMsPerRequest.toFixed(2).padStart(7)} ${(cpu.hostBusy * 100).toFixed(0).padStart(5)}%   ${errors}`;
}

const HEADER = [
  `${'operation'.padEnd(24)} ${'c'.padStart(3)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'stmts'.padStart(7)} ${
    'trips'.padStart(7)
  } ${'40001'.padStart(7)} ${'cpu ms'.padStart(7)} ${'pg ms'.padStart(7)} ${'host'.padStart(6)}   errors`,
  `${''.padEnd(24)} ${''.padStart(3)} ${''.padStart(8)} ${''.padStart(8)} ${''.padStart(8)} ${'/req'.padStart(7)} ${'/req'.padStart(7)} ${'/req'.padStart(7)} ${
    '/req'.padStart(7)
  } ${'/req'.padStart(7)} ${'busy'.padStart(6)}`,
].join('\n');

// --- the operations -------------------------------------------------------------------------

interface World {
  readonly fns: Functions;
  /** Verified accounts, one per worker, each logged in once: the Cookie header of that session. */
  readonly accounts: readonly { readonly email: string; cookie: string }[];
  readonly mint: (email: string, count: number) => Promise<string[]>;
  /** A plain read through the engine: one account document by its ref, no endpoint around it. */
  readonly read: () => Promise<unknown>;
  readonly tag: string;
}

async function makeWorld(internals: Internals, db: BenchDatabase, tag: string): Promise<World> {
  const { fns } = internals;
  const accounts: { email: string; cookie: string }[] = [];
  const tokens: string[] = [];
  const { runQuery } = await import('../shared/fql/run-query.ts');
  const { query: q } = (await import('faunadb')).default;
  for (let i = 0; i < Math.max(...CONCURRENCY); i++) {
    const email = `member${i}-${tag}@example.com`;
    await expectOk(await fns.register(request('POST', '/api/auth/register', { body: { email, password: PASSWORD } }), freshIp()), 'register');
    tokens.push(email);
  }
  // Verified directly: the bench measures logins, not the verification link.
  await runQuery(
    db.db,
    q.Foreach(tokens, q.Lambda('e', q.Update(q.Select('ref', q.Get(q.Match(q.Index('accounts_by_email'), q.Var('e')))), { data: { email_verified: true } }))),
  );
  for (const email of tokens) {
    const res = await expectOk(await fns.login(request('POST', '/api/auth/login', { body: { email, password: PASSWORD } }), contextFor('192.0.2.1')), 'login');
    accounts.push({ email, cookie: cookieHeader(res.headers.getSetCookie()) });
  }
  const read = (): Promise<unknown> => runQuery(db.db, q.Get(q.Ref(q.Collection('accounts'), TIMING_ACCOUNT_ID)));
  return { fns, accounts, mint: (email, count) => internals.mintSessions(db, email, count), read, tag };
}

/** Each worker refreshes its own session, keeping the cookies each answer sets. */
function refreshOp(world: World, cookies: string[]): Op {
  return async (w) => {
    const res = await world.fns.refresh(request('POST', '/api/auth/refresh', { cookie: cookies[w] }), contextFor('192.0.2.1'));
    const set = res.headers.getSetCookie();
    if (res.status === 200 && set.length > 0) cookies[w] = cookieHeader(set);
    return outcome(res);
  };
}

async function runSuite(world: World, label: string): Promise<Row[]> {
  const { fns, accounts } = world;
  const rows: Row[] = [];
  const ip = contextFor('192.0.2.1');
  let fresh = 0;
  const refreshCookies = accounts.map((a) => a.cookie);
  /** Each account's newest session, once it holds a full page (the sessions list). */
  const listCookies = new Map<number, string>();
  const ops: [string, (concurrency: number) => Promise<Op>][] = [
    // No endpoint and nothing to conflict with: what the rest is measured against.
    ['plain read', async () => async () => {
      await world.read();
      return '200';
    }],
    [
      'login',
      async () => async (w) => outcome(await fns.login(request('POST', '/api/auth/login', { body: { email: accounts[w].email, password: PASSWORD } }), ip)),
    ],
    ['session', async () => async (w) => outcome(await fns.session(request('GET', '/api/auth/session', { cookie: accounts[w].cookie }), ip))],
    [
      'sessions list',
      async (concurrency) => {
        // A full page each (the most a list reads), whatever the rows before left behind: the
        // figure would otherwise depend on how many logins the login rows made for each account.
        // Listed from the newest session, as by someone who just logged in: a caller whose own
        // session is older than the page costs the list one more read.
        for (let w = 0; w < concurrency; w++) {
          if (listCookies.has(w)) continue;
          listCookies.set(w, (await world.mint(accounts[w].email, MAX_LISTED_SESSIONS)).at(-1) ?? '');
        }
        return async (w) => outcome(await fns.sessions(request('GET', '/api/auth/sessions', { cookie: listCookies.get(w) }), ip));
      },
    ],
    // One refresh chain per account across the rounds: a token presented again after its grace is a reuse, which ends the session.
    ['refresh', async () => refreshOp(world, refreshCookies)],
    [
      'logout',
      async (concurrency) => {
        // Each logout ends a session of its own, minted beforehand: enough for the round at
        // 1,000 logouts a second (600 were not: a fast logout went round to sessions it had
        // already ended, which answer without a write, and the figures were of those).
        const perWorker = Math.ceil(((WARMUP_SECONDS + SECONDS) * 1000) / concurrency);
        // One account after another: minting is setup, and must not race itself past the query deadline.
        const pools: string[][] = [];
        for (let w = 0; w < concurrency; w++) pools.push(await world.mint(accounts[w].email, perWorker));
        return async (w, i) => outcome(await fns.logout(request('POST', '/api/auth/logout', { cookie: pools[w][i % perWorker], body: {} }), ip));
      },
    ],
    // A new address from a new IP each time: the rate limits stay out of the way at their defaults.
    [
      'register',
      async () => async () =>
        outcome(
          await fns.register(
            request('POST', '/api/auth/register', { body: { email: `new${fresh++}-${world.tag}@example.com`, password: PASSWORD } }),
            freshIp(),
          ),
        ),
    ],
    [
      'magic-link POST',
      async () => async () =>
        outcome(await fns.magic(request('POST', '/api/auth/magic', { body: { email: `magic${fresh++}-${world.tag}@example.com` } }), freshIp())),
    ],
  ];
  console.log(`\n${label}\n${HEADER}`);
  for (const [name, make] of ops) {
    if (ONLY !== null && !ONLY.includes(name)) continue;
    for (const concurrency of CONCURRENCY) {
      const row = await scenario(name, concurrency, await make(concurrency));
      console.log(formatRow(row));
      rows.push(row);
    }
  }
  return rows;
}

/** An account with 1,000 sessions: listing, logging in and refreshing it, next to the suite's figures. */
async function runHeavy(world: World): Promise<Row[]> {
  const email = world.accounts[0].email;
  await world.mint(email, HEAVY_SESSIONS);
  const ip = contextFor('192.0.2.1');
  const rows: Row[] = [];
  console.log(`\nan account holding ${HEAVY_SESSIONS} sessions (local socket)\n${HEADER}`);
  for (const concurrency of CONCURRENCY) {
    // Every worker acts for the same account: its own session (a login each), its own refresh chain.
    const cookies: string[] = [];
    for (let w = 0; w < concurrency; w++) {
      const res = await expectOk(await world.fns.login(request('POST', '/api/auth/login', { body: { email, password: PASSWORD } }), ip), 'login');
      cookies.push(cookieHeader(res.headers.getSetCookie()));
    }
    const listCookies = [...cookies];
    for (
      const [name, op] of [
        ['1000-session list', async (w: number) => outcome(await world.fns.sessions(request('GET', '/api/auth/sessions', { cookie: listCookies[w] }), ip))],
        ['1000-session login', async () => outcome(await world.fns.login(request('POST', '/api/auth/login', { body: { email, password: PASSWORD } }), ip))],
        ['1000-session refresh', refreshOp(world, cookies)],
      ] as const
    ) {
      const row = await scenario(name, concurrency, op);
      console.log(formatRow(row));
      rows.push(row);
    }
  }
  return rows;
}

/** bcrypt verify at cost 10 alone, one at a time: what a login cannot avoid. */
async function bcryptVerifyP50(): Promise<number> {
  const stored = await hash(PASSWORD, 10);
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) {
    const started = performance.now();
    await verify(PASSWORD, stored);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[15];
}

// --- verdicts -------------------------------------------------------------------------------

function find(rows: readonly Row[], op: string, concurrency: number): Row {
  const row = rows.find((r) => r.op === op && r.concurrency === concurrency);
  if (row === undefined) throw new Error(`no row for ${op} at ${concurrency}`);
  return row;
}

/**
 * The ratio, with what bounds it: the CPU one refresh costs (this process and the server) and
 * how busy the machine was. With C cores, no concurrency can exceed C × 1000 / (CPU ms per
 * request) requests per second, nor this one process 1000 / (its own CPU ms per request), and
 * other work on the machine takes its share first. Through the proxy, where a refresh waits on the
 * network more than it works, the ratio shows what concurrency gains when cores are not the bound.
 */
function refreshVerdict(r1: Row, r8: Row, read1: Row, read8: Row, far1: Row, far8: Row): string {
  // The CPU a refresh costs at 8, where the ceiling is reached: every worker runs in this one
  // process, whose JavaScript runs on one core, and the server shares the machine's cores.
  const cpuMs = r8.cpu.selfMsPerRequest + r8.cpu.serverMsPerRequest;
  const machineCeiling = (meter.cores * 1000) / cpuMs;
  const ceiling = Math.min(1000 / r8.cpu.selfMsPerRequest, machineCeiling);
  const detail = [
    `${r8.reqPerSec.toFixed(0)} vs ${r1.reqPerSec.toFixed(0)} req/s (${(r8.reqPerSec / r1.reqPerSec).toFixed(2)}x)`,
    `${r8.conflicts.toFixed(2)} serialization failures per refresh at 8`,
    `CPU per refresh at 8: ${r8.cpu.selfMsPerRequest.toFixed(1)} ms in this process (one core) + ${
      r8.cpu.serverMsPerRequest.toFixed(1)
    } ms in PostgreSQL, so one process on ${meter.cores} cores allows at most ${ceiling.toFixed(0)} req/s (${(ceiling / r1.reqPerSec).toFixed(1)}x)`,
    // Production runs each function instance in a process of its own: then only the cores bound it.
    `spread over processes, ${meter.cores} cores would allow at most ${machineCeiling.toFixed(0)} req/s (${(machineCeiling / r1.reqPerSec).toFixed(1)}x)`,
    `through the proxy (a database ${PROXY_DELAY_MS} ms away) ${far8.reqPerSec.toFixed(0)} vs ${far1.reqPerSec.toFixed(0)} req/s (${
      (far8.reqPerSec / far1.reqPerSec).toFixed(2)
    }x)`,
    `a plain read, which cannot conflict, scaled ${(read8.reqPerSec / read1.reqPerSec).toFixed(2)}x`,
    `machine ${(r8.cpu.hostBusy * 100).toFixed(0)}% busy at 8`,
  ];
  return check('refresh at concurrency 8 >= 3x concurrency 1', r8.reqPerSec >= 3 * r1.reqPerSec, detail.join('; '));
}

/** Round trips at concurrency 1 on the local socket: at most 4 for each auth operation, 2 for a plain read. */
function roundTripVerdict(local: readonly Row[]): string {
  const rows = local.filter((r) => r.concurrency === 1);
  const over = rows.filter((r) => r.roundTrips > (r.op === 'plain read' ? 2 : 4) + 0.05);
  return check(
    'at most 4 round trips per auth operation, 2 for a plain read',
    over.length === 0,
    rows.map((r) => `${r.op} ${r.roundTrips.toFixed(1)}`).join(', '),
  );
}

function verdicts(local: readonly Row[], proxied: readonly Row[], heavy: readonly Row[], bcryptP50: number): string[] {
  const lines: string[] = [];
  const at32 = [...local, ...heavy].filter((r) => r.concurrency === 32);
  const failed = at32.filter((r) => Object.keys(r.errors).length > 0);
  lines.push(
    check(
      'no errors at concurrency 32 (local, the 1000-session account included)',
      failed.length === 0,
      failed.length === 0 ? `${at32.length} scenarios clean` : failed.map((r) => `${r.op}: ${JSON.stringify(r.errors)}`).join('; '),
    ),
  );
  const r1 = find(local, 'refresh', 1);
  const r8 = find(local, 'refresh', 8);
  lines.push(refreshVerdict(r1, r8, find(local, 'plain read', 1), find(local, 'plain read', 8), find(proxied, 'refresh', 1), find(proxied, 'refresh', 8)));
  const list = find(local, 'sessions list', 1);
  lines.push(check('sessions list p50 <= 3 ms at concurrency 1', list.p50 <= 3, `${list.p50.toFixed(2)} ms`));
  const login = find(local, 'login', 1);
  lines.push(
    check(
      'login p50 <= bcrypt verify + 5 ms',
      login.p50 <= bcryptP50 + 5,
      `${login.p50.toFixed(1)} ms, bcrypt verify ${bcryptP50.toFixed(1)} ms (+${(login.p50 - bcryptP50).toFixed(1)})`,
    ),
  );
  lines.push(roundTripVerdict(local));
  const over: string[] = [];
  for (const row of local.filter((r) => r.concurrency === 1)) {
    const far = find(proxied, row.op, 1);
    over.push(`${row.op} +${(far.p50 - row.p50).toFixed(1)}`);
    if (far.p50 - row.p50 > 4 * PROXY_DELAY_MS) over.push('(over)');
  }
  lines.push(
    check(
      `with ${PROXY_DELAY_MS} ms per round trip, every p50 at most ${4 * PROXY_DELAY_MS} ms above local (concurrency 1)`,
      !over.includes('(over)'),
      over.join(', ').replaceAll(', (over)', ' (over)'),
    ),
  );
  for (const op of ['list', 'login', 'refresh']) {
    const plain = find(local, op === 'list' ? 'sessions list' : op, 1);
    const loaded = find(heavy, `1000-session ${op}`, 1);
    lines.push(
      check(
        `1000-session ${op} as fast as the suite's account (p50 within 1.5x + 1 ms)`,
        loaded.p50 <= plain.p50 * 1.5 + 1,
        `${loaded.p50.toFixed(1)} ms vs ${plain.p50.toFixed(1)} ms`,
      ),
    );
  }
  return lines;
}

// --- main -----------------------------------------------------------------------------------

async function main(): Promise<void> {
  const given = process.env.BENCH_DATABASE_URL;
  const cluster: Cluster | null = given ? null : await startCluster();
  // Interrupted, the cluster still goes.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cluster?.stop();
      process.exit(130);
    });
  }
  const serverUrl = given ?? cluster?.url ?? '';
  const name = `bench_pg_${process.pid}`;
  try {
    const databaseUrl = await createDatabase(serverUrl, name);
    counted = countPgTraffic();
    meter = await CpuMeter.forServer(databaseUrl);
    const internals = await loadInternals(databaseUrl);
    const proxy = await startLatencyProxy(Number(new URL(databaseUrl).port || 5432), PROXY_DELAY_MS);
    try {
      const { runSchemaCommand } = await import('../fauna-schema/cli.ts');
      if ((await runSchemaCommand(process.env, { out: () => {}, err: (l) => console.error(l) })) !== 0) throw new Error('the schema could not be applied');
      console.log(
        `bench:pg: PostgreSQL ${cluster?.version ?? '(BENCH_DATABASE_URL)'}${
          cluster ? ', a throw-away cluster with default settings' : ''
        }; functions in-process (DATABASE_URL), bcrypt cost 10; ${SECONDS} s per row after ${WARMUP_SECONDS} s of warm-up; one run`,
      );
      const bcryptP50 = await bcryptVerifyP50();
      console.log(`bcrypt verify alone, cost 10: p50 ${bcryptP50.toFixed(1)} ms`);
      const localDb = internals.useDatabase(databaseUrl);
      const local = await runSuite(await makeWorld(internals, localDb, 'local'), 'local socket (127.0.0.1)');
      if (ONLY !== null) return;
      const heavy = await runHeavy(await makeWorld(internals, localDb, 'heavy'));
      const farUrl = new URL(databaseUrl);
      farUrl.port = String(proxy.port);
      const farDb = internals.useDatabase(farUrl.toString());
      const proxied = await runSuite(await makeWorld(internals, farDb, 'far'), `through the proxy: +${PROXY_DELAY_MS} ms per round trip`);
      console.log('');
      printVerdicts(verdicts(local, proxied, heavy, bcryptP50));
    } finally {
      await internals.close();
      await proxy.close();
    }
  } finally {
    await dropDatabase(serverUrl, name).catch(() => undefined);
    cluster?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
