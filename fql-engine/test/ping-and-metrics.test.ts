// GET /ping's scopes and the metrics headers of a query (issue 14), through the unmodified driver
// over both transports: `client.ping(scope)` and `client.queryWithMetrics`, as Fauna answered them.
import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openEngine, type Engine } from '../engine.ts';
import { createInProcessFetch } from '../transport/in-process.ts';
import { startHttpServer, type RunningHttpServer } from '../transport/http-server.ts';

const q = faunadb.query;
const SECRET = 'secret';

let engine: Engine;
let server: RunningHttpServer;
const clients: faunadb.Client[] = [];

beforeAll(async () => {
  engine = await openEngine({ adminSecret: SECRET, memory: true, bcryptCost: 4 });
  server = await startHttpServer(engine, { host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close({ force: true })));
  await server.close();
  await engine.close();
});

const transports = {
  'in-process': () => new faunadb.Client({ secret: SECRET, domain: 'engine.invalid', scheme: 'http', fetch: createInProcessFetch(engine) }),
  'HTTP/2': () => new faunadb.Client({ secret: SECRET, domain: '127.0.0.1', port: server.port, scheme: 'http' }),
};

type Metrics = Record<string, number>;
type Seen = { readonly responseHeaders: object; readonly responseRaw: string };
const headersOf = (r: Seen): Record<string, string> => r.responseHeaders as Record<string, string>;

describe.each(Object.entries(transports))('over %s', (_name, make) => {
  let client: faunadb.Client;
  beforeAll(() => {
    client = make();
    clients.push(client);
  });

  test.each([
    ['node', 'Scope node is OK'],
    ['read', 'Scope read is OK'],
    ['write', 'Scope write is OK'],
    ['all', 'Scope all is OK'],
    ['local', 'Scope read is OK'],
    ['global', 'Scope write is OK'],
    ['anything-else', 'Scope node is OK'],
  ])('ping with scope %s answers "%s"', async (scope, answer) => {
    await expect(client.ping(scope)).resolves.toBe(answer);
  });

  test('a pure query reads and writes nothing, and says how many bytes went in and out', async () => {
    const seen: { headers: Record<string, string>; body: string }[] = [];
    const result = await client.queryWithMetrics(q.Add(1, 2), { observer: (r: Seen) => void seen.push({ headers: headersOf(r), body: r.responseRaw }) });
    const metrics = result.metrics as Metrics;
    expect(result.value).toBe(3);
    expect(metrics['x-compute-ops']).toBe(1);
    expect(metrics['x-byte-write-ops']).toBe(0);
    expect(metrics['x-txn-retries']).toBe(0);
    expect(metrics['x-query-time']).toBeGreaterThanOrEqual(0);
    const [{ headers, body }] = seen;
    expect(Number(headers['x-query-bytes-in'])).toBe(JSON.stringify({ add: [1, 2] }).length);
    expect(Number(headers['x-query-bytes-out'])).toBe(Buffer.byteLength(body));
    expect(Number(headers['x-storage-bytes-write'])).toBe(0);
    expect([headers['x-read-ops'], headers['x-write-ops']]).toEqual(['0', '0']);
  });

  test('writes and reads are counted, a large document in more ops', async () => {
    const name = `m${Math.random().toString(36).slice(2, 8)}`;
    await client.query(q.CreateCollection({ name }));
    const small = (await client.queryWithMetrics(q.Create(q.Collection(name), { data: { n: 1 } }))).metrics as Metrics;
    const large = (await client.queryWithMetrics(q.Create(q.Collection(name), { data: { s: 'x'.repeat(10_000) } }))).metrics as Metrics;
    expect(small['x-byte-write-ops']).toBe(1);
    expect(large['x-byte-write-ops']).toBeGreaterThanOrEqual(10);
    const read = (await client.queryWithMetrics(q.Map(q.Paginate(q.Documents(q.Collection(name))), q.Lambda('r', q.Get(q.Var('r')))))).metrics as Metrics;
    expect(read['x-byte-read-ops']).toBeGreaterThanOrEqual(1 + 1 + 3);
    expect(read['x-byte-write-ops']).toBe(0);
    let counts: Record<string, string> = {};
    await client.query(q.Create(q.Collection(name), { data: { s: 'x'.repeat(10_000) } }), { observer: (r: Seen) => void (counts = headersOf(r)) });
    expect(counts['x-write-ops']).toBe('1');
  });

  test('compute ops are one per 50 function calls', async () => {
    const calls = (n: number) => q.Map(Array.from({ length: n }, (_, i) => i), q.Lambda('x', q.Add(q.Var('x'), 1)));
    const few = (await client.queryWithMetrics(calls(10))).metrics as Metrics;
    const many = (await client.queryWithMetrics(calls(1000))).metrics as Metrics;
    expect(few['x-compute-ops']).toBe(1);
    expect(many['x-compute-ops']).toBeGreaterThanOrEqual(20);
  });

  test('traceparent and x-fauna-tags come back as they were sent', async () => {
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    let headers: Record<string, string> = {};
    await client.query(q.Add(1, 1), { traceparent, tags: { team: 'auth', route: 'login' }, observer: (r: Seen) => void (headers = headersOf(r)) });
    expect(headers.traceparent).toBe(traceparent);
    expect(headers['x-fauna-tags']).toBe('team=auth,route=login');
  });

  test('an error answer carries its metrics too', async () => {
    let headers: Record<string, string> = {};
    await expect(client.query(q.Abort('no'), { observer: (r: Seen) => void (headers = headersOf(r)) })).rejects.toThrow();
    expect(headers['x-compute-ops']).toBe('1');
  });
});

test('a ping of a scope that reads storage answers 503 when the storage is gone', async () => {
  const closed = await openEngine({ adminSecret: SECRET, memory: true });
  await closed.close();
  const node = await closed.handle({ method: 'GET', path: '/ping', params: new URLSearchParams('scope=node'), headers: {}, body: '' });
  const write = await closed.handle({ method: 'GET', path: '/ping', params: new URLSearchParams('scope=write'), headers: {}, body: '' });
  expect([node.status, JSON.parse(node.body)]).toEqual([200, { resource: 'Scope node is OK' }]);
  expect(write.status).toBe(503);
  expect(JSON.parse(write.body).errors[0].description).toBe('Scope write is unavailable');
});

test('HEAD /ping answers 200 with no body', async () => {
  const response = await fetch(`${server.url}/ping?scope=node`, { method: 'HEAD' });
  expect(response.status).toBe(200);
  expect(await response.text()).toBe('');
});
