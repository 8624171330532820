/**
 * `npm run bench:user-api`: the server API for the site's own functions (issue 17), in-process
 * (a real Request into each function, the engine on PGlite), in one run:
 *
 *   requireUser      requireUser(req) alone                                  target ≥ 90 % of /session's rate
 *                    (and, for information, a site function whose work is requireUser(req) and the
 *                    same JSON answer as GET /session: its whole cost next to /session's)
 *   notes list (10)  listNotes(db(req)): as the user, under the engine's   target ≤ 1.5× the time of a
 *                    `owner` role (membership, a predicate per document)   server-key query doing the
 *                                                                          same read
 *
 * Operations compared with each other are measured in turns (each keeps its median round).
 *
 *   npm run bench:user-api -- --requests 5000 --lists 500
 */

import faunadb from 'faunadb';
import { applySchema } from '../fauna-schema/apply.ts';
import { check, formatRounds, formatRow, measureInTurns, printVerdicts, type TurnsMeasurement } from '../fql-engine/bench/measure.ts';
import { createInProcessFetch, openEngine } from 'fql-engine';
import loginFn from '../functions/login.ts';
import notesFn from '../functions/notes.ts';
import registerFn from '../functions/register.ts';
import sessionFn from '../functions/session.ts';
import verifyFn from '../functions/verify.ts';
import type { OutgoingEmail } from '../shared/auth/context.ts';
import { loadConfig, type Config } from '../shared/config.ts';
import { endpoint, operationOf, type ContextFactory, type Endpoint, type RequestContext } from '../shared/endpoint.ts';
import { json } from '../shared/http.ts';
import { listNotes } from '../shared/notes/notes.ts';
import { randomToken } from '../shared/tokens.ts';
import { db, requireUser } from '../shared/user/index.ts';
import { NO_CONTEXT, SITE, cookieValue, integerArgument, siteRequest } from './requests.ts';

const EMAIL = 'bench@example.com';
const PASSWORD = 'correct horse battery staple';
const NOTES = 10;
const q = faunadb.query;

function request(method: string, path: string, cookie: string, body?: unknown): Request {
  return siteRequest('user-api-bench', method, path, cookie, body);
}

/** The bench's database and caught emails, for every endpoint it calls. */
let contexts: ContextFactory | null = null;

function contextOf(req: Request): RequestContext {
  if (contexts === null) throw new Error('the bench has no database yet');
  return contexts(req, NO_CONTEXT);
}

async function call(fn: Endpoint, req: Request, expected: number): Promise<Response> {
  const res = await fn.withContext(contextOf)(req, NO_CONTEXT);
  if (res.status !== expected) throw new Error(`${req.method} ${new URL(req.url).pathname} answered ${res.status}: ${await res.text()}`);
  return res;
}

/** A verified, logged-in account with ten notes, made through the endpoints; its access cookie. */
async function accountWithNotes(sent: OutgoingEmail[]): Promise<string> {
  const registered = await call(registerFn, request('POST', '/api/auth/register', '', { email: EMAIL, password: PASSWORD }), 202);
  const token = sent.find((e) => e.kind === 'verify')?.token;
  if (!token) throw new Error('no verification token was sent');
  // From the registering browser (its signup_binding cookie), so the password is kept.
  await call(verifyFn, request('POST', '/api/auth/verify', `signup_binding=${cookieValue(registered, 'signup_binding')}`, { token }), 200);
  const login = await call(loginFn, request('POST', '/api/auth/login', '', { email: EMAIL, password: PASSWORD }), 200);
  const access = `access_token=${cookieValue(login, 'access_token')}`;
  for (let i = 0; i < NOTES; i++) await call(notesFn, request('POST', '/api/notes', access, { text: `note ${i}` }), 201);
  return access;
}

async function main(): Promise<void> {
  const cfg = loadConfig({ ...process.env, URL: SITE, FQL_AUTH_DEV: '1' });
  const engine = await openEngine({ adminSecret: 'secret', memory: true, bcryptCost: 4 });
  const fetch = createInProcessFetch(engine);
  const root = new faunadb.Client({ secret: 'secret', fetch });
  try {
    await root.query(q.CreateDatabase({ name: 'bench' }));
    const server = new faunadb.Client({ secret: 'secret:bench:server', fetch });
    await applySchema(new faunadb.Client({ secret: 'secret:bench:admin', fetch }), { log: () => {} });
    const sent: OutgoingEmail[] = [];
    const sendEmail = async (e: OutgoingEmail): Promise<void> => void sent.push(e);
    contexts = (req, netlify) => {
      const db = { client: server, deadlineMs: cfg.queryTimeoutMs, operation: operationOf(req) };
      return { config: cfg, auth: { config: cfg, db, sendEmail, randomToken }, netlify };
    };
    const access = await accountWithNotes(sent);
    await run(cfg, server, access);
  } finally {
    contexts = null;
    await root.close({ force: true });
    await engine.close();
  }
}

async function run(cfg: Config, server: faunadb.Client, access: string): Promise<void> {
  const sessionRequest = (): Request => request('GET', '/api/auth/session', access);
  // The site function a developer writes: who is asking, answered as /session answers it.
  const siteFunction = endpoint({ GET: (req, ctx) => json(200, { user: requireUser(req, ctx.config) }) });
  const requests = integerArgument('requests', 5000);
  const [session, site, bare] = await measureInTurns(
    [
      { name: 'GET /api/auth/session', op: () => call(sessionFn, sessionRequest(), 200).then((r) => r.text()) },
      { name: 'site function: requireUser + JSON', op: () => call(siteFunction, sessionRequest(), 200).then((r) => r.text()) },
      { name: 'requireUser(req) bare', op: async () => requireUser(sessionRequest(), cfg) },
    ],
    requests,
  );

  const accountId = requireUser(sessionRequest(), cfg).id;
  const sameRead = q.Select(
    'data',
    q.Map(
      q.Paginate(q.Match(q.Index('notes_by_owner'), q.Ref(q.Collection('accounts'), accountId)), { size: 100 }),
      q.Lambda(['ts', 'ref'], q.Get(q.Var('ref'))),
    ),
  );
  const lists = integerArgument('lists', 500);
  const [asUser, asServer] = await measureInTurns(
    [
      {
        name: `notes list (${NOTES}) via db(req)`,
        op: async () => {
          const req = sessionRequest();
          const notes = await listNotes(db(req, contextOf(req)));
          if (notes.length !== NOTES) throw new Error(`listed ${notes.length} notes`);
        },
      },
      {
        name: `same read, server key`,
        op: async () => {
          const docs = await server.query<unknown[]>(sameRead);
          if (docs.length !== NOTES) throw new Error(`read ${docs.length} notes`);
        },
      },
    ],
    lists,
    5,
    200,
  );
  report({ session, site, bare, asUser, asServer });
}

function report(m: Record<'session' | 'site' | 'bare' | 'asUser' | 'asServer', TurnsMeasurement>): void {
  console.log('Site functions API, in-process (Request -> function -> engine on PGlite), one run');
  for (const row of [m.session, m.site, m.bare, m.asUser, m.asServer]) console.log(`${formatRow(row)}   (${formatRounds(row)})`);
  const siteShare = m.site.opsPerSec / m.session.opsPerSec;
  const bareShare = m.bare.opsPerSec / m.session.opsPerSec;
  const listRatio = m.asUser.p50Ms / m.asServer.p50Ms;
  printVerdicts([
    check('requireUser(req) ≥ 90% of /session rate', bareShare >= 0.9, `${(bareShare * 100).toFixed(1)}%`),
    check('notes list via db(req) ≤ 1.5× server-key read (p50)', listRatio <= 1.5, `${listRatio.toFixed(3)}×`),
  ]);
  // Not a target: the two endpoints do the same work (verify, then answer JSON), so this shows
  // what the machine's noise is worth in this run as much as any difference between them.
  const p50Share = m.session.p50Ms / m.site.p50Ms;
  console.log(
    `info  a site function answering with requireUser: ${(siteShare * 100).toFixed(1)}% of /session's rate (median rounds), ${
      (p50Share * 100).toFixed(1)
    }% by p50`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
