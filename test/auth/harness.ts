/**
 * Calls the auth endpoints the way Netlify does: each function's default export with a real
 * `Request` and a Context holding only what the endpoints read (`params`, `ip`). Every test gets a
 * fresh engine database, a local Postmark-compatible mailbox, and one configuration, which it may
 * vary (`world.configure`: grace period, rate limits, lifetimes).
 *
 * The endpoints are run through their one seam, `withContext(factory)` (shared/endpoint.ts): the
 * world's factory gives every request the test's configuration, database and mailbox, as the
 * deployed `processContext` gives the process's. A Browser calls the endpoints of the world of
 * the test that is running.
 */

import { randomBytes } from 'node:crypto';
import type { Context } from '@netlify/functions';
import faunadb from 'faunadb';
import { createInProcessFetch, openEngine, type Engine } from 'fql-engine';
import { afterAll, afterEach, beforeEach } from 'vitest';
import { applySchema } from '../../fauna-schema/apply.ts';
import health from '../../functions/health.ts';
import login from '../../functions/login.ts';
import logout from '../../functions/logout.ts';
import passwordChange from '../../functions/password-change.ts';
import passwordForgot from '../../functions/password-forgot.ts';
import passwordReset from '../../functions/password-reset.ts';
import passwordStrength from '../../functions/password-strength.ts';
import refresh from '../../functions/refresh.ts';
import register from '../../functions/register.ts';
import sessionRevoke from '../../functions/session-revoke.ts';
import session from '../../functions/session.ts';
import sessions from '../../functions/sessions.ts';
import verifyResend from '../../functions/verify-resend.ts';
import verify from '../../functions/verify.ts';
import magic from '../../functions/magic.ts';
import magicLogin from '../../functions/magic-login.ts';
import magicSignup from '../../functions/magic-signup.ts';
import adminPage from '../../functions/admin-page.ts';
import notes from '../../functions/notes.ts';
import refreshContinue from '../../functions/refresh-continue.ts';
import user from '../../functions/user.ts';
import activity from '../../functions/activity.ts';
import adminAccounts from '../../functions/admin-accounts.ts';
import adminAccount from '../../functions/admin-account.ts';
import adminAccountDisable from '../../functions/admin-account-disable.ts';
import adminAccountEnable from '../../functions/admin-account-enable.ts';
import adminAccountSessions from '../../functions/admin-account-sessions.ts';
import adminAccountSession from '../../functions/admin-account-session.ts';
import adminAccountVerification from '../../functions/admin-account-verification.ts';
import adminAccountPasswordReset from '../../functions/admin-account-password-reset.ts';
import adminAccountRoles from '../../functions/admin-account-roles.ts';
import adminAccountAppMetadata from '../../functions/admin-account-app-metadata.ts';
import adminInvitations from '../../functions/admin-invitations.ts';
import adminInvitationRevoke from '../../functions/admin-invitation-revoke.ts';
import invitation from '../../functions/invitation.ts';
import secureAccount from '../../functions/secure-account.ts';
import { messageLinks, startMailbox, type Mailbox, type StoredMessage } from '../../netlify/mailbox/server.ts';
import type { AuthContext } from '../../shared/auth/context.ts';
import { userAgentOf } from '../../shared/auth/web.ts';
import type { Config } from '../../shared/config.ts';
import { emailSender } from '../../shared/email.ts';
import { operationOf, type ContextFactory, type Endpoint } from '../../shared/endpoint.ts';
import { randomToken } from '../../shared/tokens.ts';
import { freshAuthDatabase, type AuthDatabase } from '../support/auth-db.ts';
import { developmentConfig } from '../support/config.ts';
import { CookieJar, parseSetCookie, type SetCookie } from '../support/cookie-jar.ts';
import { answerOf, encodeBody, errorCode, HttpVerbs, type Answer, type BodyOptions } from '../support/http-answer.ts';
import { pageForm } from '../support/link-page.ts';

export { CookieJar, parseSetCookie, type SetCookie };
export { pageForm };
export { errorCode, type Answer };

export const SITE = 'http://localhost:8888';

interface Route {
  readonly pattern: RegExp;
  readonly handler: Endpoint;
}

/** Each function's `config.path`, as a pattern with its named params. */
const ROUTES: readonly Route[] = [
  { pattern: /^\/api\/health$/, handler: health },
  { pattern: /^\/api\/auth\/register$/, handler: register },
  { pattern: /^\/api\/auth\/verify$/, handler: verify },
  { pattern: /^\/api\/auth\/verify\/resend$/, handler: verifyResend },
  { pattern: /^\/api\/auth\/login$/, handler: login },
  { pattern: /^\/api\/auth\/refresh$/, handler: refresh },
  { pattern: /^\/api\/auth\/logout$/, handler: logout },
  { pattern: /^\/api\/auth\/session$/, handler: session },
  { pattern: /^\/api\/auth\/sessions$/, handler: sessions },
  { pattern: /^\/api\/auth\/sessions\/(?<id>[^/]+)$/, handler: sessionRevoke },
  { pattern: /^\/api\/auth\/password\/forgot$/, handler: passwordForgot },
  { pattern: /^\/api\/auth\/password\/reset$/, handler: passwordReset },
  { pattern: /^\/api\/auth\/password\/strength$/, handler: passwordStrength },
  { pattern: /^\/api\/auth\/password\/change$/, handler: passwordChange },
  { pattern: /^\/api\/auth\/magic$/, handler: magic },
  { pattern: /^\/api\/auth\/magic\/login$/, handler: magicLogin },
  { pattern: /^\/api\/auth\/magic\/signup$/, handler: magicSignup },
  { pattern: /^\/api\/auth\/user$/, handler: user },
  { pattern: /^\/api\/auth\/refresh\/continue$/, handler: refreshContinue },
  { pattern: /^\/api\/notes$/, handler: notes },
  { pattern: /^\/api\/notes\/(?<id>[^/]+)$/, handler: notes },
  { pattern: /^\/admin\/?$/, handler: adminPage },
  { pattern: /^\/api\/auth\/activity$/, handler: activity },
  { pattern: /^\/api\/admin\/accounts$/, handler: adminAccounts },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)$/, handler: adminAccount },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/disable$/, handler: adminAccountDisable },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/enable$/, handler: adminAccountEnable },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/sessions$/, handler: adminAccountSessions },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/sessions\/(?<sid>[^/]+)$/, handler: adminAccountSession },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/verification$/, handler: adminAccountVerification },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/password-reset$/, handler: adminAccountPasswordReset },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/roles$/, handler: adminAccountRoles },
  { pattern: /^\/api\/admin\/accounts\/(?<id>[^/]+)\/app-metadata$/, handler: adminAccountAppMetadata },
  { pattern: /^\/api\/admin\/invitations$/, handler: adminInvitations },
  { pattern: /^\/api\/admin\/invitations\/(?<id>[^/]+)$/, handler: adminInvitationRevoke },
  { pattern: /^\/api\/auth\/invitation$/, handler: invitation },
  { pattern: /^\/api\/auth\/secure-account$/, handler: secureAccount },
];

function route(path: string): { handler: Endpoint; params: Record<string, string> } {
  for (const r of ROUTES) {
    const m = r.pattern.exec(path);
    if (m) return { handler: r.handler, params: { ...(m.groups ?? {}) } };
  }
  throw new Error(`no function serves ${path}`);
}

// ---------------------------------------------------------------------------------------------
// A browser

export interface CallOptions extends BodyOptions {
  /** A raw body (with its own content-type in `headers`). */
  readonly raw?: BodyInit;
  readonly headers?: Readonly<Record<string, string>>;
  /** Default: the site's own origin on writes. null sends no Origin header. */
  readonly origin?: string | null;
  /** Default true: send the jar's cookies, and keep the answer's. */
  readonly cookies?: boolean;
  /** The client's address as Netlify reports it (`context.ip`); default: the browser's. */
  readonly ip?: string;
}

/** A documentation address (RFC 5737): every Browser has one unless told otherwise. */
export const DEFAULT_IP = '192.0.2.10';

export class Browser extends HttpVerbs<CallOptions> {
  readonly jar = new CookieJar();

  constructor(
    readonly userAgent = 'vitest-browser/1.0',
    readonly ip = DEFAULT_IP,
  ) {
    super();
  }

  async call(method: string, url: string, options: CallOptions = {}): Promise<Answer> {
    const target = new URL(url, SITE);
    const headers = new Headers({ 'user-agent': this.userAgent, ...options.headers });
    const write = method !== 'GET' && method !== 'HEAD';
    const origin = options.origin === undefined ? (write ? SITE : null) : options.origin;
    if (origin !== null) headers.set('origin', origin);
    const useCookies = options.cookies ?? true;
    const cookie = useCookies ? this.jar.header(target.pathname) : '';
    if (cookie) headers.set('cookie', cookie);
    const body: BodyInit | undefined = encodeBody(headers, options) ?? options.raw;
    const { handler, params } = route(target.pathname);
    // A streamed body needs duplex 'half' (undici); the DOM typings do not know the option yet.
    const init = { method, headers, body, ...(body instanceof ReadableStream ? { duplex: 'half' } : {}) } as RequestInit;
    const request = new Request(target, init);
    const response = await handler.withContext(activeFactory())(request, { params, ip: options.ip ?? this.ip } as unknown as Context);
    if (useCookies) this.jar.apply(response);
    return answerOf(response);
  }

  /** A second tab of the same browser: same cookies now, its own jar afterwards. */
  fork(userAgent = this.userAgent): Browser {
    const other = new Browser(userAgent, this.ip);
    for (const name of ['access_token', 'refresh_token']) {
      const value = this.jar.get(name);
      if (value !== undefined) other.jar.set(name, value, name === 'refresh_token' ? '/api/auth' : '/');
    }
    return other;
  }
}

// ---------------------------------------------------------------------------------------------
// Per-test world: database, mailbox, context

export interface AuthWorld {
  readonly db: AuthDatabase;
  readonly mailbox: Mailbox;
  /** This test's configuration: the endpoints' and the operations' alike. */
  readonly config: Config;
  /** What the endpoints are run with: this test's configuration, database and mailbox. */
  readonly contexts: ContextFactory;
  /**
   * Rebuilds the configuration with these environment variables on top of the test defaults;
   * `afterAnswer` stands in for Netlify's waitUntil (without it, such work is awaited), and
   * `client` replaces this test's database client (a database that fails, say).
   */
  configure(env: Readonly<Record<string, string>>, platform?: WorldPlatform): Config;
  /** The database's clock; it moves only in a world made with `useAuthWorld({ clock: true })`. */
  readonly clock: TestClock;
}

export interface WorldPlatform extends Pick<AuthContext, 'afterAnswer'> {
  readonly client?: faunadb.Client;
}

export interface WorldOptions {
  /**
   * Run the database on an engine whose clock the test moves (`world.clock.advance`), so that
   * expiry is tested at the real lifetimes without waiting. Only the database's time moves:
   * JWTs are still checked against the process's clock.
   */
  readonly clock?: boolean;
}

/**
 * Real time plus an offset that only grows: the engine keeps its transaction times strictly
 * increasing, so moving back would freeze its time instead. Databases are fresh per test and
 * everything they hold is relative to their own Now(), so the offset left by one test is harmless.
 */
export class TestClock {
  private offsetMs = 0;

  constructor(private readonly movable: boolean) {}

  readonly now = (): number => Date.now() + this.offsetMs;

  advance(seconds: number): void {
    if (!this.movable) throw new Error('this world has no movable clock: use useAuthWorld({ clock: true })');
    if (seconds < 0) throw new Error('the clock only moves forward');
    this.offsetMs += seconds * 1000;
  }
}

/** One clocked engine per test file (opening PGlite is the slow part), a new child database per test. */
interface ClockedEngine {
  readonly engine: Engine;
  readonly fetch: typeof fetch;
  readonly root: faunadb.Client;
}

const ENGINE_ADMIN_SECRET = 'secret';
const fileClock = new TestClock(true);
let clockedEngine: Promise<ClockedEngine> | null = null;

async function clockedAuthDatabase(): Promise<AuthDatabase> {
  // bcrypt cost 4, as in test/support/auth-db.ts: only time differs from the default.
  clockedEngine ??= openEngine({ adminSecret: ENGINE_ADMIN_SECRET, memory: true, bcryptCost: 4, clock: fileClock.now }).then((engine) => {
    const fetch = createInProcessFetch(engine);
    return { engine, fetch, root: new faunadb.Client({ secret: ENGINE_ADMIN_SECRET, fetch }) };
  });
  const { fetch, root } = await clockedEngine;
  const name = `auth_${randomBytes(6).toString('hex')}`;
  await root.query(faunadb.query.CreateDatabase({ name }));
  const db: AuthDatabase = {
    client: new faunadb.Client({ secret: `${ENGINE_ADMIN_SECRET}:${name}:server`, fetch }),
    adminClient: new faunadb.Client({ secret: `${ENGINE_ADMIN_SECRET}:${name}:admin`, fetch }),
    fetch,
    name,
    close: async (): Promise<void> => {
      await root.query(faunadb.query.Delete(faunadb.query.Database(name)));
    },
  };
  await applySchema(db.adminClient, { log: () => {} });
  return db;
}

async function closeClockedEngine(): Promise<void> {
  const current = clockedEngine;
  clockedEngine = null;
  if (current !== null) await (await current).engine.close();
}

/** Test defaults: the site, and no gap between emails (flows send several to one address). */
const TEST_ENV: Readonly<Record<string, string>> = {
  URL: SITE,
  JWT_SECRETS: 'test-jwt-secret-0123456789abcdef-0123456789abcdef',
  EMAIL_MIN_INTERVAL_SECONDS: '0',
  EMAILS_PER_ADDRESS_PER_HOUR: '100',
  // A test's browsers share one IP address: room for the many emails they ask for.
  EMAILS_PER_IP_PER_HOUR: '1000',
};

/** The world of the test that is running: where a Browser's requests go. */
let active: AuthWorld | null = null;

function activeFactory(): ContextFactory {
  if (active === null) throw new Error('a Browser calls the endpoints only inside a test of a file that calls useAuthWorld()');
  return active.contexts;
}

/**
 * Registers beforeEach/afterEach hooks that give every test its own database and mailbox;
 * the returned object is filled in before each test.
 */
export function useAuthWorld(options: WorldOptions = {}): AuthWorld {
  const world = {} as { -readonly [K in keyof AuthWorld]: AuthWorld[K] };
  world.clock = options.clock ? fileClock : new TestClock(false);
  if (options.clock) afterAll(closeClockedEngine);
  beforeEach(async () => {
    world.db = options.clock ? await clockedAuthDatabase() : await freshAuthDatabase();
    world.mailbox = await startMailbox();
    world.configure = (env, { client = world.db.client, afterAnswer } = {}) => {
      const cfg = developmentConfig({ ...TEST_ENV, POSTMARK_API_URL: world.mailbox.url, ...env });
      const sendEmail = emailSender(cfg);
      world.config = cfg;
      world.contexts = (req, netlify) => {
        const db = { client, deadlineMs: cfg.queryTimeoutMs, operation: operationOf(req) };
        const requester = { ip: netlify.ip || 'unknown', userAgent: userAgentOf(req) };
        return { config: cfg, auth: { config: cfg, db, sendEmail, randomToken, afterAnswer, requester }, netlify };
      };
      return cfg;
    };
    world.configure({});
    active = world;
  });
  afterEach(async () => {
    active = null;
    await world.mailbox?.close();
    await world.db?.close();
  });
  return world;
}

// ---------------------------------------------------------------------------------------------
// Mail

export async function messagesTo(mailbox: Mailbox, email: string): Promise<StoredMessage[]> {
  const all = await mailbox.messages();
  return all.filter((m) => m.to.some((a) => a.email === email.toLowerCase()));
}

/** The newest message to `email` with a link to `path` (an absolute URL on the site), and that link. */
export async function latestLink(mailbox: Mailbox, email: string, path: string): Promise<{ message: StoredMessage; link: string }> {
  const messages = await messagesTo(mailbox, email);
  if (messages.length === 0) throw new Error(`no email to ${email}`);
  for (const message of messages) {
    const link = messageLinks(message).find((l) => new URL(l).pathname === path);
    if (!link) continue;
    if (!link.startsWith(`${SITE}/`)) throw new Error(`the link is not absolute on the site: ${link}`);
    return { message, link };
  }
  throw new Error(`no email to ${email} has a link to ${path}`);
}

export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

// ---------------------------------------------------------------------------------------------
// Flows

export const PASSWORD = 'correct horse battery staple';

/**
 * Registers and follows the verification link (page, then its form), whose first use logs the
 * browser in: one session, as a person who signs up has.
 */
export async function signedIn(world: AuthWorld, email: string, browser = new Browser(), password = PASSWORD): Promise<Browser> {
  const reg = await browser.post('/api/auth/register', { email, password });
  if (reg.status !== 202) throw new Error(`register answered ${reg.status}: ${reg.text}`);
  const verified = await followVerifyLink(world, email, browser);
  if (verified.status !== 303 || browser.jar.get('access_token') === undefined) {
    throw new Error(`the verify form answered ${verified.status} without a session: ${verified.text}`);
  }
  return browser;
}

export async function followVerifyLink(world: AuthWorld, email: string, browser: Browser): Promise<Answer> {
  const { link } = await latestLink(world.mailbox, email, '/api/auth/verify');
  const page = await browser.get(link);
  if (page.status !== 200) throw new Error(`the verify page answered ${page.status}`);
  const form = pageForm(page.text);
  return browser.call('POST', form.action, { form: { token: form.token } });
}

// ---------------------------------------------------------------------------------------------
// Raw documents

const q = faunadb.query;

/** Every document of every collection, as the database holds it (JSON of Get). */
export async function everyDocument(admin: faunadb.Client): Promise<unknown[]> {
  const collections = await admin.query<{ data: faunadb.values.Ref[] }>(q.Paginate(q.Collections(), { size: 1000 }));
  const docs: unknown[] = [];
  for (const coll of collections.data) {
    const page = await admin.query<{ data: unknown[] }>(q.Map(q.Paginate(q.Documents(coll), { size: 10_000 }), q.Lambda('r', q.Get(q.Var('r')))));
    docs.push(...page.data);
  }
  return docs;
}

/**
 * The operations' context on this world's database, for calling shared/auth directly (what an
 * endpoint or `npm run admin` would do), with no mailer: a test that sends mail goes through a
 * function.
 */
export function operationsOn(w: AuthWorld): AuthContext {
  return {
    config: w.config,
    db: { client: w.db.client, deadlineMs: w.config.queryTimeoutMs, operation: 'test' },
    randomToken,
    sendEmail: () => Promise.reject(new Error('no email here')),
  };
}

/** The account id of whoever is logged in in this browser. */
export async function accountIdOf(browser: Browser): Promise<string> {
  return ((await browser.get('/api/auth/session')).body as { user: { id: string } }).user.id;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The jti inside a refresh JWT (read, not verified: the storage scans look for it in clear). */
export function jtiOf(refreshJwt: string | undefined): string {
  if (!refreshJwt) throw new Error('no refresh cookie');
  const payload = JSON.parse(Buffer.from(refreshJwt.split('.')[1], 'base64url').toString()) as { jti?: unknown };
  if (typeof payload.jti !== 'string') throw new Error('the refresh token has no jti');
  return payload.jti;
}
