import type { Context } from '@netlify/functions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { answerOf, errorCode } from '../test/support/http-answer.ts';
import { HttpError } from './errors.ts';
import { contextFor, endpoint, operationOf, type ContextFactory, type RequestContext } from './endpoint.ts';
import { json, noContent, readJson } from './http.ts';

const URL_ = 'https://auth.example.com/api/auth/login';
const config = developmentConfig({ URL: 'https://auth.example.com' });
// The wrapper never looks inside the Netlify context; it only passes it on.
const context = {} as Context;
/** The deployed functions' context, on this test's configuration instead of the process's. */
const factory: ContextFactory = (req, netlify) => contextFor(config, req, netlify);

function post(body: BodyInit | null, headers: Record<string, string> = { 'content-type': 'application/json' }): Request {
  return new Request(URL_, { method: 'POST', body, headers });
}

describe('endpoint', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const handler = endpoint({
    GET: () => json(200, { method: 'GET' }),
    POST: async (req) => json(200, { got: await readJson(req) }),
  }).withContext(factory);

  it('dispatches by method and passes the context on', async () => {
    let seen: RequestContext | undefined;
    const fn = endpoint({
      GET: (_req, ctx) => {
        seen = ctx;
        return noContent();
      },
    }).withContext(factory);
    expect((await fn(new Request(URL_), context)).status).toBe(204);
    expect(seen?.netlify).toBe(context);
    expect(await (await handler(post('{"a":1}'), context)).json()).toEqual({ got: { a: 1 } });
  });

  it('answers 405 with Allow for an undeclared method', async () => {
    const res = await handler(new Request(URL_, { method: 'DELETE' }), context);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    expect(errorCode(await answerOf(res))).toBe('method_not_allowed');
  });

  it('maps thrown HttpErrors and body errors to their envelopes', async () => {
    expect((await handler(post('{"a":'), context)).status).toBe(400);
    const big = await handler(post(`{"a":"${'x'.repeat(1024 * 1024)}"}`), context);
    expect([big.status, errorCode(await answerOf(big))]).toEqual([413, 'payload_too_large']);
  });

  it('maps any other throw to 500 internal_error without a stack', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const boom = endpoint({
      POST: () => {
        throw new TypeError('x is undefined');
      },
    }).withContext(factory);
    const res = await boom(post('{}'), context);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal_error', message: expect.any(String) } });
    expect(text).not.toContain('x is undefined');
    const rejected = endpoint({ POST: async () => Promise.reject(new Error('late')) }).withContext(factory);
    expect((await rejected(post('{}'), context)).status).toBe(500);
  });

  it("answers a form POST that fails with a page in the site's style, not JSON: a person pressed that button", async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const fn = endpoint({
      POST: () => {
        throw new HttpError('weak_password', { message: 'Use at least 8 characters.' });
      },
    }).withContext(factory);
    const res = await fn(
      new Request('https://auth.example.com/api/auth/password/reset', { method: 'POST', body: 'token=t&password=x', headers: form }),
      context,
    );
    const page = await res.text();
    expect([res.status, res.headers.get('content-type')]).toEqual([400, 'text/html; charset=utf-8']);
    expect(page).toContain('Use at least 8 characters.');
    expect(page).toContain('<a href="https://auth.example.com/">Back to auth.example.com</a>');
    // A refusal before the handler (another site's form) is a page too; JSON stays JSON.
    const cross = await fn(new Request(URL_, { method: 'POST', body: 'token=t', headers: { ...form, origin: 'https://evil.example' } }), context);
    expect([cross.status, cross.headers.get('content-type')]).toEqual([403, 'text/html; charset=utf-8']);
    const asJson = await fn(post('{}'), context);
    expect([asJson.status, errorCode(await answerOf(asJson))]).toEqual([400, 'weak_password']);
  });

  it('refuses a cross-origin cookie-carrying write before the handler runs', async () => {
    let ran = false;
    const fn = endpoint({
      POST: () => {
        ran = true;
        return noContent();
      },
    }).withContext(factory);
    const res = await fn(post('{}', { 'content-type': 'application/json', cookie: 'access_token=x', origin: 'https://evil.example' }), context);
    expect([res.status, errorCode(await answerOf(res)), ran]).toEqual([403, 'cross_origin', false]);
    const same = await fn(post('{}', { 'content-type': 'application/json', cookie: 'access_token=x', origin: 'https://auth.example.com' }), context);
    expect([same.status, ran]).toEqual([204, true]);
  });
});

describe('the request context', () => {
  it('is one object per request from the factory, whose config is the operations’ config too', async () => {
    const made: RequestContext[] = [];
    const counting: ContextFactory = (req, netlify) => {
      const ctx = factory(req, netlify);
      made.push(ctx);
      return ctx;
    };
    const fn = endpoint({ GET: (_req, ctx) => json(200, { same: ctx === made.at(-1) }) }).withContext(counting);
    expect(await (await fn(new Request(URL_), context)).json()).toEqual({ same: true });
    await fn(new Request(URL_), context);
    expect(made).toHaveLength(2);
    expect(made[0].config).toBe(config);
    expect(made[0].auth.config).toBe(config);
  });

  it("hands Netlify's waitUntil to the operations as afterAnswer, and names the operation for the log", () => {
    const waited: Promise<unknown>[] = [];
    const netlify = { waitUntil: (work: Promise<unknown>) => void waited.push(work) } as unknown as Context;
    const ctx = contextFor(config, new Request(`${URL_}?token=secret`, { method: 'POST' }), netlify);
    const work = Promise.resolve();
    ctx.auth.afterAnswer?.(work);
    expect(waited).toEqual([work]);
    expect(ctx.auth.db.operation).toBe('POST /api/auth/login');
    expect(operationOf(new Request(`${URL_}?token=secret`))).not.toContain('secret');
    expect(ctx.auth.db.deadlineMs).toBe(config.queryTimeoutMs);
  });

  describe('the default export (processContext, on the process environment)', () => {
    const PRODUCTION_ENV = {
      FAUNA_ENDPOINT: 'https://fql.example.com',
      FAUNA_SECRET: 'fn-server-key',
      POSTMARK_SERVER_TOKEN: 'pm-token',
      EMAIL_FROM: 'Auth <auth@example.com>',
      URL: 'https://auth.example.com',
    };

    afterEach(() => {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    });

    /** A fresh copy of the module graph, so that the process configuration is read again. */
    async function freshEndpoint(env: Readonly<Record<string, string | undefined>>): Promise<typeof endpoint> {
      for (const name of ['NODE_ENV', 'CONTEXT', 'NETLIFY_DEV', 'FQL_AUTH_DEV', 'JWT_SECRETS']) vi.stubEnv(name, undefined);
      for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
      vi.resetModules();
      return (await import('./endpoint.ts')).endpoint;
    }

    it('fails closed where development is not declared: no JWT_SECRETS, every request 500, the log names it', async () => {
      const logged: unknown[][] = [];
      vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
      const fresh = await freshEndpoint(PRODUCTION_ENV);
      const res = await fresh({ GET: () => noContent() })(new Request(URL_), context);
      expect(res.status).toBe(500);
      expect(String(logged.flat().find((a) => a instanceof Error))).toMatch(/JWT_SECRETS must be set in production/);
    });

    it('answers once production has its secret, and in declared development without one', async () => {
      const secret = await freshEndpoint({ ...PRODUCTION_ENV, JWT_SECRETS: 'a-production-secret-of-at-least-32-bytes!!' });
      expect((await secret({ GET: () => noContent() })(new Request(URL_), context)).status).toBe(204);
      const development = await freshEndpoint({ NETLIFY_DEV: 'true' });
      expect((await development({ GET: () => noContent() })(new Request('http://localhost:8888/api/auth/login'), context)).status).toBe(204);
    });
  });
});
