/**
 * Issue 19, items 2 and 6: what the functions do when the database fails.
 *
 * - A query the database refuses is logged by its status, Fauna code, position and operation,
 *   never by the driver's error, which carries the whole query: a login's or a registration's
 *   password with it.
 * - A query that gets no answer (an engine that stalls, or dies mid-query) ends at the
 *   deadline (QUERY_TIMEOUT_MS) in 503 db_unavailable, over the driver's own HTTP/2 transport
 *   and through the deployed functions' context factory.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import type { Context } from '@netlify/functions';
import faunadb from 'faunadb';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import login from '../../functions/login.ts';
import { contextFor } from '../../shared/endpoint.ts';
import { closeFaunaClients } from '../../shared/fql/client.ts';
import { developmentConfig } from '../support/config.ts';
import { answerOf, errorCode } from '../support/http-answer.ts';
import { unusedPort } from '../support/ports.ts';
import { Browser, SITE, sleep, useAuthWorld } from './harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const q = faunadb.query;

/** Everything written through console while `run` runs, as console would print it. */
async function consoleOutput(run: () => Promise<void>): Promise<string> {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
  const spies = methods.map((method) => vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(format(...args))));
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.join('\n');
}

describe('a query the database refuses', () => {
  const world = useAuthWorld();
  const PASSWORD = `hunter2-${Math.random().toString(36).slice(2)}-passphrase`;

  it('is logged by code, position and operation: the password of a login or a registration never is', async () => {
    // A client whose key the engine does not know: every query answers 401 unauthorized.
    const wrongKey = new faunadb.Client({ secret: 'not-a-key-of-this-engine', fetch: world.db.fetch });
    world.configure({}, { client: wrongKey });
    const browser = new Browser();
    let statuses: number[] = [];
    const output = await consoleOutput(async () => {
      const answers = [
        await browser.post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD }),
        await browser.post('/api/auth/register', { email: 'bob@example.com', password: PASSWORD }),
      ];
      statuses = answers.map((a) => a.status);
    });
    expect(statuses).toEqual([500, 500]);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain('ada@example.com');
    expect(output).toMatch(/POST \/api\/auth\/login: query failed: the database answered 401 unauthorized at \[/);
    expect(output).toMatch(/POST \/api\/auth\/register: query failed: the database answered 401 unauthorized/);
  });
});

// ---------------------------------------------------------------------------------------------
// Deadlines

const DEADLINE_MS = 600;
/** What may pass beyond the deadline before the answer is there: scheduling on a busy machine. */
const SLACK_MS = 2500;

/** POST /api/auth/login through the deployed context factory, on an engine at `endpoint`. */
async function loginAgainst(endpoint: string): Promise<{ status: number; code: string | undefined; ms: number }> {
  const cfg = developmentConfig({ URL: SITE, FAUNA_ENDPOINT: endpoint, QUERY_TIMEOUT_MS: String(DEADLINE_MS) });
  const request = new Request(`${SITE}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: SITE },
    body: JSON.stringify({ email: 'ada@example.com', password: 'correct horse battery staple' }),
  });
  const started = performance.now();
  const response = await login.withContext((req, netlify) => contextFor(cfg, req, netlify))(request, { params: {} } as unknown as Context);
  const ms = performance.now() - started;
  const answer = await answerOf(response);
  return { status: answer.status, code: errorCode(answer), ms };
}

describe('a query that gets no answer', () => {
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  const children: ChildProcess[] = [];

  afterEach(() => {
    vi.restoreAllMocks();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    for (const child of children) child.kill('SIGKILL');
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await closeFaunaClients();
  });

  it('from an engine that accepts the connection and never answers: 503 db_unavailable at the deadline', async () => {
    const server = net.createServer((socket) => void sockets.add(socket));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const output = await consoleOutput(async () => {
      const result = await loginAgainst(`http://127.0.0.1:${port}`);
      expect([result.status, result.code]).toEqual([503, 'db_unavailable']);
      expect(result.ms).toBeGreaterThanOrEqual(DEADLINE_MS - 50);
      expect(result.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
    });
    expect(output).toMatch(new RegExp(`POST /api/auth/login: query failed: no answer: QueryDeadlineError: no answer within ${DEADLINE_MS} ms`));
  });

  it('from an engine killed (kill -9) while the query is in it: 503 db_unavailable, by the deadline at the latest', async () => {
    // The real engine, in a process of its own. Killed with queries in flight, it leaves the
    // driver's HTTP/2 requests pending for good: only the deadline ends them.
    const port = await unusedPort();
    const engine = spawn(process.execPath, ['--import', 'tsx', 'fql-engine/cli.ts', '--port', String(port), '--memory', '--secret', 'secret'], {
      cwd: ROOT,
      stdio: 'ignore',
    });
    children.push(engine);
    const busy = new faunadb.Client({ secret: 'secret', scheme: 'http', domain: '127.0.0.1', port });
    try {
      await untilAnswers(busy);
      await busy.query(q.CreateCollection({ name: 'load' }));
      // Work queued ahead of the login, so that the login is still in the engine when it dies.
      for (let i = 0; i < 300; i++) busy.query(q.Create(q.Collection('load'), { data: { i } })).catch(() => undefined);
      const answering = consoleOutput(async () => {
        const result = await loginAgainst(`http://127.0.0.1:${port}`);
        expect([result.status, result.code]).toEqual([503, 'db_unavailable']);
        expect(result.ms).toBeLessThan(DEADLINE_MS + SLACK_MS);
      });
      await sleep(100);
      engine.kill('SIGKILL');
      expect(await answering).toMatch(/POST \/api\/auth\/login: query failed: no answer/);
    } finally {
      await busy.close({ force: true });
    }
  }, 60_000);
});

/** Polls until the engine answers (it takes a few seconds to start). */
async function untilAnswers(client: faunadb.Client): Promise<void> {
  const until = Date.now() + 45_000;
  for (;;) {
    try {
      await client.query(q.Add(1, 1));
      return;
    } catch (err) {
      if (Date.now() > until) throw err;
      await sleep(200);
    }
  }
}
