/**
 * Both transports, driven by the real faunadb driver against a stub RequestHandler: what the
 * driver sends must reach the handler intact, and what the handler answers must come back as
 * the driver's results, errors and txn time, whichever way the driver connects.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import path from 'node:path';
import faunadb from 'faunadb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineRequest, EngineResponse, RequestHandler } from '../protocol.ts';
import { parseArgs, UsageError, describeStart, engineOptionsFor } from '../cli.ts';
import { classifyPreface, startHttpServer } from './http-server.ts';
import type { RunningHttpServer } from './http-server.ts';
import { createInProcessFetch } from './in-process.ts';

const q = faunadb.query;

type Answer = (request: EngineRequest) => EngineResponse | Promise<EngineResponse>;

interface StubHandler extends RequestHandler {
  readonly requests: EngineRequest[];
  answer: Answer;
}

function json(status: number, value: unknown, headers: Record<string, string> = {}): EngineResponse {
  return { status, headers: { 'content-type': 'application/json;charset=utf-8', ...headers }, body: JSON.stringify(value) };
}

function faunaError(status: number, code: string): EngineResponse {
  return json(status, { errors: [{ position: [], code, description: `stub ${code}` }] });
}

function stubHandler(): StubHandler {
  const stub: StubHandler = {
    requests: [],
    answer: () => json(200, { resource: 'stub answer' }),
    async handle(request: EngineRequest): Promise<EngineResponse> {
      stub.requests.push(request);
      return stub.answer(request);
    },
  };
  return stub;
}

/** Members the driver has but its type declarations leave out. */
interface DriverInternals {
  getLastTxnTime(): number | null;
  _http: { _adapter: { type: string } };
}

function internals(client: faunadb.Client): DriverInternals {
  return client as unknown as DriverInternals;
}

interface Mode {
  readonly name: string;
  readonly adapter: 'http2' | 'fetch';
  /** Whether requests arrive with a Host header: HTTP/1.1 has one, HTTP/2 uses :authority. */
  readonly hostHeader: boolean;
  client(secret: string, server: RunningHttpServer, handler: RequestHandler): faunadb.Client;
}

const MODES: readonly Mode[] = [
  {
    name: 'HTTP/2 (the driver default)',
    adapter: 'http2',
    hostHeader: false,
    client: (secret, server) => new faunadb.Client({ secret, domain: '127.0.0.1', port: server.port, scheme: 'http' }),
  },
  {
    name: 'HTTP/1.1 (driver given globalThis.fetch)',
    adapter: 'fetch',
    hostHeader: true,
    client: (secret, server) => new faunadb.Client({ secret, domain: '127.0.0.1', port: server.port, scheme: 'http', fetch: globalThis.fetch }),
  },
  {
    name: 'in-process fetch',
    adapter: 'fetch',
    hostHeader: false,
    // An unreachable port: anything that tried the network would fail.
    client: (secret, _server, handler) => new faunadb.Client({ secret, domain: '127.0.0.1', port: 9, scheme: 'http', fetch: createInProcessFetch(handler) }),
  },
];

describe.each(MODES)('driver through $name', (mode) => {
  let stub: StubHandler;
  let server: RunningHttpServer;
  let client: faunadb.Client;

  beforeEach(async () => {
    stub = stubHandler();
    server = await startHttpServer(stub, { host: '127.0.0.1', port: 0 });
    client = mode.client('s3cret', server, stub);
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('uses the expected driver adapter', () => {
    expect(internals(client)._http._adapter.type).toBe(mode.adapter);
  });

  it('delivers method, path, Authorization and body to the handler and returns the resource', async () => {
    stub.answer = () => json(200, { resource: { sum: 3 } });
    const result = await client.query(q.Add(1, 2));
    expect(result).toEqual({ sum: 3 });
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/');
    expect(request.headers.authorization).toBe('Bearer s3cret');
    expect(JSON.parse(request.body)).toEqual({ add: [1, 2] });
    expect(request.headers['x-faunadb-api-version']).toBe('4');
    expect(request.headers.host !== undefined).toBe(mode.hostHeader);
    expect(Object.keys(request.headers).every((name) => name === name.toLowerCase() && !name.startsWith(':'))).toBe(true);
  });

  it('passes a multi-byte UTF-8 body through unchanged', async () => {
    const text = 'héllo, 世界 🚀'.repeat(5000);
    stub.answer = (request) => json(200, { resource: JSON.parse(request.body) });
    await expect(client.query(text)).resolves.toBe(text);
  });

  it('sends GET /ping with its scope as a parameter, not in the path, and an empty body', async () => {
    stub.answer = () => json(200, { resource: 'Scope read is OK' });
    await expect(client.ping('read')).resolves.toBe('Scope read is OK');
    expect(stub.requests.map((r) => [r.method, r.path, r.body, r.params?.get('scope')])).toEqual([['GET', '/ping', '', 'read']]);
  });

  it('hands x-txn-time to the driver', async () => {
    stub.answer = () => json(200, { resource: null }, { 'x-txn-time': '1700000000123456' });
    await client.query(q.Now());
    expect(internals(client).getLastTxnTime()).toBe(1700000000123456);
    await client.query(q.Now());
    expect(stub.requests[1].headers['x-last-seen-txn']).toBe('1700000000123456');
  });

  it.each([
    [400, 'invalid argument', faunadb.errors.BadRequest],
    [401, 'unauthorized', faunadb.errors.Unauthorized],
    [403, 'permission denied', faunadb.errors.PermissionDenied],
    [404, 'instance not found', faunadb.errors.NotFound],
    [409, 'contended transaction', faunadb.errors.FaunaHTTPError],
    [500, 'internal server error', faunadb.errors.InternalError],
  ])('maps status %i to the driver error', async (status, code, errorClass) => {
    stub.answer = () => faunaError(status, code);
    const error: unknown = await client.query(q.Add(1, 2)).then(
      () => 'no error',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(errorClass);
    const httpError = error as InstanceType<typeof faunadb.errors.FaunaHTTPError>;
    expect(httpError.requestResult.statusCode).toBe(status);
    expect(httpError.requestResult.responseContent.errors[0].code).toBe(code);
  });

  if (mode.name !== 'in-process fetch') {
    it('answers 500 in Fauna error shape, without a stack, when the handler throws', async () => {
      const reported: unknown[] = [];
      const throwing: RequestHandler = {
        handle: () => Promise.reject(new Error('secret detail at /srv/engine.ts:42')),
      };
      const quiet = await startHttpServer(throwing, { host: '127.0.0.1', port: 0, onError: (e) => reported.push(e) });
      const other = mode.client('s', quiet, throwing);
      try {
        const error: unknown = await other.query(1).then(() => 'no error', (e: unknown) => e);
        expect(error).toBeInstanceOf(faunadb.errors.InternalError);
        const body = (error as InstanceType<typeof faunadb.errors.FaunaHTTPError>).requestResult.responseRaw;
        expect(JSON.parse(body)).toEqual({
          errors: [{ position: [], code: 'internal server error', description: 'Internal server error.' }],
        });
        expect(body).not.toContain('secret detail');
        expect(reported).toHaveLength(1);
      } finally {
        await other.close();
        await quiet.close();
      }
    });
  }
});

describe('both protocols on one port', () => {
  it('serves an HTTP/2 driver and an HTTP/1.1 driver on the same server, interleaved', async () => {
    const stub = stubHandler();
    stub.answer = (request) => json(200, { resource: JSON.parse(request.body) });
    const server = await startHttpServer(stub, { host: '127.0.0.1', port: 0 });
    const h2 = new faunadb.Client({ secret: 'a', domain: '127.0.0.1', port: server.port, scheme: 'http' });
    const h1 = new faunadb.Client({
      secret: 'b',
      domain: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      fetch: globalThis.fetch,
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? h2 : h1).query(i)),
      );
      expect(answers).toEqual(Array.from({ length: 20 }, (_, i) => i));
      const secrets = stub.requests.map((r) => r.headers.authorization);
      expect(secrets.filter((s) => s === 'Bearer a')).toHaveLength(10);
      expect(secrets.filter((s) => s === 'Bearer b')).toHaveLength(10);
    } finally {
      await h2.close();
      await h1.close();
      await server.close();
    }
  });

  it('decides the protocol from the preface, however the bytes are split', async () => {
    const stub = stubHandler();
    const server = await startHttpServer(stub, { host: '127.0.0.1', port: 0 });
    try {
      const raw = 'POST /x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello';
      const reply = await sendBytewise(server.port, raw);
      expect(reply).toMatch(/^HTTP\/1\.1 200 /);
      expect(stub.requests.map((r) => [r.method, r.path, r.body])).toEqual([['POST', '/x', 'hello']]);
    } finally {
      await server.close();
    }
  });
});

/** Writes `text` one byte per tick, then collects the whole reply. */
function sendBytewise(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.on('data', (chunk: Buffer) => (reply += chunk.toString('latin1')));
    socket.on('end', () => resolve(reply));
    socket.on('error', reject);
    const bytes = Buffer.from(text, 'latin1');
    let i = 0;
    const next = (): void => {
      if (i < bytes.length) socket.write(bytes.subarray(i, ++i), () => setTimeout(next, 1));
    };
    socket.on('connect', next);
  });
}

describe('classifyPreface', () => {
  it('waits while the bytes could still be the HTTP/2 preface', () => {
    expect(classifyPreface(Buffer.from(''))).toBe('undecided');
    expect(classifyPreface(Buffer.from('PRI * HTTP/2.0\r\n'))).toBe('undecided');
  });
  it('recognises the full preface and anything else', () => {
    expect(classifyPreface(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0'))).toBe('h2');
    expect(classifyPreface(Buffer.from('POST / HTTP/1.1\r\n'))).toBe('http1');
    expect(classifyPreface(Buffer.from('PRI * HTTP/1.1\r\n'))).toBe('http1');
  });
});

describe('request body limit', () => {
  let stub: StubHandler;
  let server: RunningHttpServer;

  beforeEach(async () => {
    stub = stubHandler();
    server = await startHttpServer(stub, { host: '127.0.0.1', port: 0, maxBodyBytes: 1000 });
  });
  afterEach(async () => server.close());

  it('accepts a body at the limit', async () => {
    const response = await fetch(server.url, { method: 'POST', body: 'x'.repeat(1000) });
    expect(response.status).toBe(200);
    expect(stub.requests[0].body).toHaveLength(1000);
  });

  it('answers 413 over HTTP/1.1 to a declared length over the limit, without calling the handler', async () => {
    const { status, body } = await http1Post(server.port, { 'content-length': '5000000' }, 'x'.repeat(100));
    expect(status).toBe(413);
    expect((JSON.parse(body) as { errors: { code: string }[] }).errors[0].code).toBe('request entity too large');
    expect(stub.requests).toHaveLength(0);
  });

  it('answers 413 over HTTP/1.1 to a chunked body that grows past the limit', async () => {
    const { status } = await http1Post(server.port, {}, 'x'.repeat(3000));
    expect(status).toBe(413);
    expect(stub.requests).toHaveLength(0);
  });

  it('answers 413 over HTTP/2 to a body that grows past the limit', async () => {
    const session = http2.connect(server.url);
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/' });
      const status = new Promise<number>((resolve) => stream.on('response', (h) => resolve(Number(h[':status']))));
      stream.on('error', () => undefined);
      stream.write('x'.repeat(3000));
      expect(await status).toBe(413);
      expect(stub.requests).toHaveLength(0);
    } finally {
      session.destroy();
    }
  });
});

function http1Post(
  port: number,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject);
    // Only part of a declared-too-large body is sent: the answer must not wait for the rest.
    request.write(body);
    if (headers['content-length'] === undefined) request.end();
  });
}

describe('close()', () => {
  it('shuts down promptly with live HTTP/2 sessions and HTTP/1.1 keep-alive connections', async () => {
    const stub = stubHandler();
    stub.answer = () => json(200, { resource: 1 });
    const server = await startHttpServer(stub, { host: '127.0.0.1', port: 0, closeGraceMs: 10_000 });
    const h2 = new faunadb.Client({
      secret: 'a',
      domain: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      http2SessionIdleTime: 5000,
    });
    const h1 = new faunadb.Client({
      secret: 'b',
      domain: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      fetch: globalThis.fetch,
    });
    const idle = net.connect(server.port, '127.0.0.1');
    idle.on('error', () => undefined);
    try {
      await Promise.all([h2.query(1), h1.query(1), new Promise((resolve) => idle.once('connect', resolve))]);
      const started = Date.now();
      await server.close();
      expect(Date.now() - started).toBeLessThan(1000);
      await expect(fetch(server.url)).rejects.toThrow();
    } finally {
      idle.destroy();
      await h2.close({ force: true });
      await h1.close();
    }
  });

  it('lets a request in flight finish, then closes', async () => {
    const stub = stubHandler();
    let release: () => void = () => undefined;
    stub.answer = () => new Promise((resolve) => (release = () => resolve(json(200, { resource: 'late' }))));
    const server = await startHttpServer(stub, { host: '127.0.0.1', port: 0 });
    const h2 = new faunadb.Client({ secret: 'a', domain: '127.0.0.1', port: server.port, scheme: 'http' });
    try {
      const answer = h2.query(1);
      await waitFor(() => stub.requests.length === 1);
      const closed = server.close();
      release();
      await expect(answer).resolves.toBe('late');
      await closed;
    } finally {
      await h2.close({ force: true });
    }
  });

  it('cuts a request that outlives the grace period', async () => {
    const stub = stubHandler();
    stub.answer = () => new Promise(() => undefined);
    const server = await startHttpServer(stub, { host: '127.0.0.1', port: 0, closeGraceMs: 100 });
    const h1 = new faunadb.Client({
      secret: 'b',
      domain: '127.0.0.1',
      port: server.port,
      scheme: 'http',
      fetch: globalThis.fetch,
    });
    try {
      const answer = h1.query(1).then(() => 'answered', () => 'failed');
      await waitFor(() => stub.requests.length === 1);
      const started = Date.now();
      await server.close();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await answer).toBe('failed');
    } finally {
      await h1.close();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}

describe('createInProcessFetch', () => {
  it('rejects with an AbortError when aborted, and the driver reports an abort', async () => {
    const stub = stubHandler();
    stub.answer = () => new Promise(() => undefined);
    const inProcess = createInProcessFetch(stub);
    const controller = new AbortController();
    const pending = inProcess('http://engine/', { method: 'POST', body: '1', signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });

    const client = new faunadb.Client({ secret: 's', fetch: inProcess });
    const driverController = new AbortController();
    const query = client.query(1, { signal: driverController.signal });
    driverController.abort();
    await expect(query).rejects.toMatchObject({ isAbortError: true });
    await client.close();
  });

  it('refuses to start a request whose signal is already aborted', async () => {
    const stub = stubHandler();
    const inProcess = createInProcessFetch(stub);
    await expect(inProcess('http://engine/', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(stub.requests).toHaveLength(0);
  });

  it('accepts a Request object and answers a body-less status', async () => {
    const stub = stubHandler();
    stub.answer = () => ({ status: 204, headers: { 'x-a': '1' }, body: '' });
    const response = await createInProcessFetch(stub)(
      new Request('http://engine/p/q?z=1', { method: 'PUT', body: 'data', headers: { 'X-Mixed': 'V' } }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get('x-a')).toBe('1');
    const [{ params, ...request }] = stub.requests;
    expect(stub.requests).toHaveLength(1);
    expect(request).toEqual({ method: 'PUT', path: '/p/q', headers: { 'x-mixed': 'V', 'content-type': 'text/plain;charset=UTF-8' }, body: 'data' });
    expect(params?.get('z')).toBe('1');
  });
});

describe('cli parseArgs', () => {
  const noEnv = {};

  it('has the documented defaults', () => {
    expect(parseArgs([], noEnv)).toEqual({
      host: '127.0.0.1',
      port: 8443,
      secret: 'secret',
      storage: { kind: 'pglite-dir', dataDir: path.resolve('.data/engine') },
      help: false,
    });
  });

  it('takes overrides in both --flag value and --flag=value forms', () => {
    expect(parseArgs(['--port', '0', '--host=0.0.0.0', '--secret', 'hunter2', '--data=/tmp/db'], noEnv)).toEqual({
      host: '0.0.0.0',
      port: 0,
      secret: 'hunter2',
      storage: { kind: 'pglite-dir', dataDir: '/tmp/db' },
      help: false,
    });
  });

  it('uses PostgreSQL when DATABASE_URL is set, unless a flag picks PGlite', () => {
    const env = { DATABASE_URL: 'postgres://u:pw@db/x' };
    expect(parseArgs([], env).storage).toEqual({ kind: 'postgres', databaseUrl: 'postgres://u:pw@db/x' });
    expect(parseArgs(['--memory'], env).storage).toEqual({ kind: 'pglite-memory' });
    expect(parseArgs(['--data', 'd'], env).storage).toEqual({ kind: 'pglite-dir', dataDir: path.resolve('d') });
    expect(parseArgs([], { DATABASE_URL: '' }).storage.kind).toBe('pglite-dir');
  });

  it('maps each storage choice to engine options', () => {
    expect(engineOptionsFor(parseArgs(['--memory', '--secret', 'k'], noEnv))).toEqual({ memory: true, adminSecret: 'k' });
    expect(engineOptionsFor(parseArgs(['--data', '/d'], noEnv))).toEqual({ dataDir: '/d', adminSecret: 'secret' });
    expect(engineOptionsFor(parseArgs([], { DATABASE_URL: 'postgres://h/db' }))).toEqual({
      databaseUrl: 'postgres://h/db',
      adminSecret: 'secret',
    });
  });

  it('never prints a DATABASE_URL password', () => {
    const line = describeStart('http://127.0.0.1:8443', { kind: 'postgres', databaseUrl: 'postgres://u:pw@db:5432/x' });
    expect(line).toContain('http://127.0.0.1:8443');
    expect(line).toContain('PostgreSQL');
    expect(line).not.toContain('pw');
  });

  it.each([
    [['--port'], /--port needs a value/],
    [['--port', '--memory'], /--port needs a value/],
    [['--port', 'abc'], /--port must be a number/],
    [['--port', '70000'], /--port must be a number/],
    [['--port', '-1'], /--port must be a number/],
    [['--bogus'], /unknown argument: --bogus/],
    [['extra'], /unknown argument: extra/],
    [['--secret='], /--secret must not be empty/],
    [['--port', '1', '--port', '2'], /--port given twice/],
    [['--memory', '--data', 'd'], /cannot be combined with --data/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv, noEnv)).toThrow(UsageError);
    expect(() => parseArgs(argv, noEnv)).toThrow(message);
  });

  it('recognises --help', () => {
    expect(parseArgs(['-h'], noEnv).help).toBe(true);
  });
});
