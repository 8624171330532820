/**
 * The wrapper every function exports, and the one request context it hands each handler:
 *
 *   export default endpoint({
 *     POST: async (req, ctx) => {
 *       const session = await login(ctx.auth, await readJson(req), userAgentOf(req));
 *       return json(200, { user: session.user }, { headers: cookiesFor(session, ctx.config) });
 *     },
 *   });
 *
 * A context is `{ config, auth, netlify }`: the configuration, what the auth operations need
 * (shared/auth/context.ts), and Netlify's own context (params, ip, waitUntil). One factory
 * builds it per request. The deployed functions use `processContext`, on the process's
 * configuration, database client and mailer; a test hands its own factory to an endpoint with
 * `withContext`, which is the only way to run an endpoint on another database or mailbox.
 *
 * The wrapper answers 405 (with Allow) for undeclared methods, runs the origin check on every
 * request (so no endpoint can forget it), and turns any throw into a Response (errorResponse
 * in http.ts): no answer ever carries a stack. A form posted by a browser gets the same error as
 * a page instead (pages/error-page.ts): a person pressed that button.
 */

import type { Context } from '@netlify/functions';
import type { AuthContext } from './auth/context.ts';
import { userAgentOf } from './auth/web.ts';
import { config as processConfig, type Config } from './config.ts';
import { emailSender } from './email.ts';
import { HttpError } from './errors.ts';
import { faunaClient } from './fql/client.ts';
import { errorResponse, FORM_TYPE, mediaType } from './http.ts';
import { assertSameOrigin } from './origin.ts';
import { errorPage, linkKindOf } from './pages/error-page.ts';
import { randomToken } from './tokens.ts';

export interface RequestContext {
  readonly config: Config;
  /** What the operation is given; its config is `config`. */
  readonly auth: AuthContext;
  readonly netlify: Context;
}

export type ContextFactory = (req: Request, netlify: Context) => RequestContext;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Handler = (req: Request, ctx: RequestContext) => Response | Promise<Response>;
export type Handlers = Readonly<Partial<Record<Method, Handler>>>;
/** What a Functions v2 file exports as its default. */
export type NetlifyHandler = (req: Request, netlify: Context) => Promise<Response>;

export interface Endpoint extends NetlifyHandler {
  /** The same endpoint with its contexts made by `factory` (a test's database and mailbox). */
  readonly withContext: (factory: ContextFactory) => NetlifyHandler;
}

/** The context of a request on this configuration, with the process's database client and mailer for it. */
export function contextFor(config: Config, req: Request, netlify: Context): RequestContext {
  const waitUntil = netlify.waitUntil;
  const afterAnswer = typeof waitUntil === 'function' ? (work: Promise<unknown>): void => waitUntil.call(netlify, work) : undefined;
  const db = { client: faunaClient(config), deadlineMs: config.queryTimeoutMs, operation: operationOf(req) };
  const requester = { ip: netlify.ip || 'unknown', userAgent: userAgentOf(req) };
  return { config, auth: { config, db, sendEmail: emailSender(config), randomToken, afterAnswer, requester }, netlify };
}

/** The deployed functions' factory: the process's configuration, read once (shared/config.ts). */
export const processContext: ContextFactory = (req, netlify) => contextFor(processConfig(), req, netlify);

/** How log lines name what a request was doing: its method and path, never its query string (tokens). */
export function operationOf(req: Request): string {
  return `${req.method.toUpperCase()} ${new URL(req.url).pathname}`;
}

/** A browser's form submission: a person waits for a page, never for JSON. */
function isFormPost(req: Request): boolean {
  const type = mediaType(req);
  return req.method.toUpperCase() === 'POST' && (type === FORM_TYPE || type === 'multipart/form-data');
}

function formErrorPage(req: Request, err: unknown, site: Config | null): Response {
  if (site === null) return errorResponse(err); // no configuration, no site to link back to
  return errorPage(site, err, linkKindOf(new URL(req.url).pathname));
}

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function isMethod(method: string): method is Method {
  return (METHODS as readonly string[]).includes(method);
}

export function endpoint(handlers: Handlers): Endpoint {
  const allow = METHODS.filter((m) => handlers[m] !== undefined).join(', ');
  const withContext = (factory: ContextFactory): NetlifyHandler => async (req, netlify) => {
    let site: Config | null = null;
    try {
      const method = req.method.toUpperCase();
      const handler = isMethod(method) ? handlers[method] : undefined;
      if (!handler) throw new HttpError('method_not_allowed', { message: `Use ${allow}.`, headers: { Allow: allow } });
      const ctx = factory(req, netlify);
      site = ctx.config;
      assertSameOrigin(req, ctx.config);
      return await handler(req, ctx);
    } catch (err) {
      return isFormPost(req) ? formErrorPage(req, err, site) : errorResponse(err);
    }
  };
  return Object.assign(withContext(processContext), { withContext });
}
