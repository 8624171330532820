/**
 * `npm run bench:api`: the auth endpoints, called in-process the way Netlify calls them (a real
 * Request into each function's default export), against the in-process engine on PGlite at
 * bcrypt cost 10, next to the raw operations they are built on, all in one run (issue 4, §7):
 *
 *   GET /session   req/s  vs raw jsonwebtoken verify (KeyObject) ops/s   target ≥ 50 %
 *                  (next to two floors: an endpoint doing nothing, and a bare verify + Response;
 *                  these four are measured in turns, median of five rounds, see measureInTurns)
 *   POST /login    p50    vs raw bcrypt verify (cost 10) p50             target ≤ 1.3×
 *   POST /refresh  p50                                                   target ≤ 5 ms
 *   GET /api/admin/accounts?q=<prefix> over 10,000 accounts  p50          target ≤ 20 ms
 *
 *   npm run bench:api -- --logins 40 --refreshes 300 --sessions 5000 --accounts 10000 --searches 300
 */

import { hash, verify } from '@node-rs/bcrypt';
import faunadb from 'faunadb';
import { createInProcessFetch, openEngine } from 'fql-engine';
import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import { applySchema } from '../fauna-schema/apply.ts';
import { check, formatRow, measure, measureInTurns, printVerdicts, type Measurement } from '../fql-engine/bench/measure.ts';
import adminAccountsFn from '../functions/admin-accounts.ts';
import loginFn from '../functions/login.ts';
import refreshFn from '../functions/refresh.ts';
import registerFn from '../functions/register.ts';
import sessionFn from '../functions/session.ts';
import verifyFn from '../functions/verify.ts';
import type { AuthContext, OutgoingEmail } from '../shared/auth/context.ts';
import { grantRole } from '../shared/auth/roles.ts';
import { measureAdminSearch, seedAccounts } from './admin-search.ts';
import { loadConfig, type Config } from '../shared/config.ts';
import { endpoint, type ContextFactory, type Endpoint, type NetlifyHandler } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';
import { randomToken } from '../shared/tokens.ts';
import { NO_CONTEXT, SITE, cookieValue, integerArgument, siteRequest } from './requests.ts';

const COST = 10;
const EMAIL = 'bench@example.com';
const PASSWORD = 'correct horse battery staple';

function request(method: string, path: string, cookie: string, body?: unknown): Request {
  return siteRequest('api-bench', method, path, cookie, body);
}

async function call(fn: NetlifyHandler, req: Request, expected: number): Promise<Response> {
  const res = await fn(req, NO_CONTEXT);
  if (res.status !== expected) throw new Error(`${req.method} ${new URL(req.url).pathname} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** A verified account, made through the endpoints; the verify token is caught on its way to the mailer. */
async function verifiedAccount(on: (fn: Endpoint) => NetlifyHandler, sent: OutgoingEmail[]): Promise<void> {
  const registered = await call(on(registerFn), request('POST', '/api/auth/register', '', { email: EMAIL, password: PASSWORD }), 202);
  const token = sent.find((e) => e.kind === 'verify')?.token;
  if (!token) throw new Error('no verification token was sent');
  // From the browser that registered (its signup cookie), or the password is dropped (issue 19).
  await call(on(verifyFn), request('POST', '/api/auth/verify', `signup_binding=${cookieValue(registered, 'signup_binding')}`, { token }), 200);
}

async function main(): Promise<void> {
  const cfg = loadConfig({ FQL_AUTH_DEV: '1', URL: SITE });
  const engine = await openEngine({ adminSecret: 'secret', memory: true, bcryptCost: COST });
  const fetch = createInProcessFetch(engine);
  const root = new faunadb.Client({ secret: 'secret', fetch });
  try {
    await root.query(faunadb.query.CreateDatabase({ name: 'bench' }));
    const client = new faunadb.Client({ secret: 'secret:bench:server', fetch });
    await applySchema(new faunadb.Client({ secret: 'secret:bench:admin', fetch }), { log: () => {} });
    const sent: OutgoingEmail[] = [];
    const db = { client, deadlineMs: cfg.queryTimeoutMs, operation: 'api-bench' };
    const factory: ContextFactory = (_req, netlify) => ({
      config: cfg,
      auth: { config: cfg, db, randomToken, sendEmail: async (e) => void sent.push(e) },
      netlify,
    });
    const on = (fn: Endpoint): NetlifyHandler => fn.withContext(factory);
    await verifiedAccount(on, sent);
    const ops: AuthContext = { config: cfg, db, randomToken, sendEmail: async () => {} };
    await grantRole(ops, { email: EMAIL }, 'admin');
    const accounts = integerArgument('accounts', 10_000);
    const seeding = performance.now();
    await seedAccounts(client, accounts);
    console.log(`info  seeded ${accounts} accounts in ${((performance.now() - seeding) / 1000).toFixed(1)} s (batched FQL Creates)`);
    await run(cfg, on);
  } finally {
    await root.close({ force: true });
    await engine.close();
  }
}

async function run(cfg: Config, on: (fn: Endpoint) => NetlifyHandler): Promise<void> {
  const login = (): Promise<Response> => call(on(loginFn), request('POST', '/api/auth/login', '', { email: EMAIL, password: PASSWORD }), 200);
  const first = await login();
  const access = cookieValue(first, 'access_token');
  let refresh = cookieValue(first, 'refresh_token');

  const key = createSecretKey(Buffer.from(cfg.jwtSecrets[0]));
  const verifyOptions = { algorithms: ['HS256' as const], issuer: cfg.jwtIssuer, audience: cfg.jwtAudience };
  // A handler that does nothing, and the least a session endpoint can be (read the cookie, verify,
  // answer JSON; no wrapper, checks or cookie parser): what Node's Request and Response cost.
  const noop = on(endpoint({ GET: () => json(200, { ok: true }) }));
  const bare: NetlifyHandler = async (req) => {
    const token = (req.headers.get('cookie') ?? '').slice('access_token='.length);
    return Response.json(jwt.verify(token, key, verifyOptions));
  };
  const get = (fn: NetlifyHandler) => () => call(fn, request('GET', '/api/auth/session', `access_token=${access}`), 200).then((r) => r.text());
  const [rawJwt, floor, bareFloor, session] = await measureInTurns(
    [
      { name: 'raw jsonwebtoken verify (KeyObject)', op: async () => jwt.verify(access, key, verifyOptions) },
      { name: 'floor: no-op endpoint (reference)', op: get(noop) },
      { name: 'floor: verify + Response only (ref.)', op: get(bare) },
      { name: 'GET /api/auth/session', op: get(on(sessionFn)) },
    ],
    integerArgument('sessions', 5000),
  );
  const refreshed = await measure('POST /api/auth/refresh', integerArgument('refreshes', 300), async () => {
    const res = await call(on(refreshFn), request('POST', '/api/auth/refresh', `refresh_token=${refresh}`), 200);
    refresh = cookieValue(res, 'refresh_token');
  });
  const rawHash = await hash(PASSWORD, COST);
  const logins = integerArgument('logins', 40);
  const rawBcrypt = await measure(`raw bcrypt verify (cost ${COST})`, logins, async () => {
    if (!(await verify(PASSWORD, rawHash))) throw new Error('bcrypt verify answered false');
  }, 5);
  const loggedIn = await measure(`POST /api/auth/login (cost ${COST})`, logins, () => login().then((r) => r.text()), 5);
  // The first login's token carries the admin role (granted before it).
  const adminSearch = await measureAdminSearch(on(adminAccountsFn), SITE, `access_token=${access}`, {
    accounts: integerArgument('accounts', 10_000),
    searches: integerArgument('searches', 300),
  }, NO_CONTEXT);
  report({ rawJwt, floor, bareFloor, session, refreshed, rawBcrypt, loggedIn, adminSearch });
}

function report(m: Record<'rawJwt' | 'floor' | 'bareFloor' | 'session' | 'refreshed' | 'rawBcrypt' | 'loggedIn' | 'adminSearch', Measurement>): void {
  console.log('Auth API, in-process (Request -> function -> engine on PGlite), one run');
  for (const row of [m.rawJwt, m.floor, m.bareFloor, m.session, m.refreshed, m.rawBcrypt, m.loggedIn, m.adminSearch]) console.log(formatRow(row));
  const sessionShare = m.session.opsPerSec / m.rawJwt.opsPerSec;
  const loginRatio = m.loggedIn.p50Ms / m.rawBcrypt.p50Ms;
  const results = [
    check('session ≥ 50% of raw verify rate', sessionShare >= 0.5, `${(sessionShare * 100).toFixed(1)}%`),
    check('login ≤ 1.3× bcrypt time (p50)', loginRatio <= 1.3, `${loginRatio.toFixed(3)}×`),
    check('refresh p50 ≤ 5 ms', m.refreshed.p50Ms <= 5, `${m.refreshed.p50Ms.toFixed(3)} ms`),
    check(`admin search over ${integerArgument('accounts', 10_000)} accounts p50 ≤ 20 ms`, m.adminSearch.p50Ms <= 20, `${m.adminSearch.p50Ms.toFixed(3)} ms`),
  ];
  printVerdicts(results);
  // Not a target: what the session endpoint adds to an endpoint that does nothing, next to what
  // a bare verify costs. An endpoint's floor (Request, Response, body) is paid by every function.
  const beyondFloorUs = 1e6 / m.session.opsPerSec - 1e6 / m.floor.opsPerSec;
  const verifyUs = 1e6 / m.rawJwt.opsPerSec;
  const share = (x: Measurement): string => `${((x.opsPerSec / m.rawJwt.opsPerSec) * 100).toFixed(1)}%`;
  console.log(
    `info  no-op endpoint: ${share(m.floor)} of raw verify rate; verify + Response only: ${share(m.bareFloor)}; ` +
      `session adds ${beyondFloorUs.toFixed(1)} µs per request to the no-op endpoint (raw verify: ${verifyUs.toFixed(1)} µs)`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
