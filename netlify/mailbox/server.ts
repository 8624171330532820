/**
 * A local stand-in for Postmark's HTTP API, for development and tests: the real `postmark`
 * client, pointed here (requestHost = this host:port, useHttps = false), sends exactly as it
 * would to api.postmarkapp.com, and gets Postmark's answers: the response shape on success,
 * and HTTP 422 with Postmark's ErrorCode for what Postmark refuses (see postmark-api.ts).
 * What it accepts it keeps (store.ts) and shows in a web inbox (page.ts).
 *
 * It must not know the auth flows: it is a mail server, nothing more.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StoredMessage } from './message.ts';
import { routePage } from './page.ts';
import {
  MAX_BATCH_MESSAGES,
  REFUSALS,
  incompatibleJson,
  isObject,
  parseEmail,
  parseTemplatedEmail,
  type ParsedEmail,
  type PostmarkRefusal,
} from './postmark-api.ts';
import { openStore, type MessageStore } from './store.ts';

export type { Address, StoredMessage } from './message.ts';
export { messageLinks } from './message.ts';

export interface MailboxOptions {
  /** Default 127.0.0.1: the inbox shows people's emails, so it is not exposed unless asked. */
  readonly host?: string;
  /** Default 0: a free port, as tests want. The CLI defaults to 8025. */
  readonly port?: number;
  /** Where messages are kept, one JSON file each; undefined keeps them in memory. */
  readonly dir?: string;
}

/** What every Postmark API call answers while set: a provider outage, for tests. */
export interface SimulatedFailure {
  readonly status: number;
  readonly errorCode?: number;
  readonly message?: string;
}

export interface Mailbox {
  readonly url: string;
  readonly port: number;
  /** Newest first. */
  messages(): Promise<StoredMessage[]>;
  clear(): Promise<void>;
  failWith(failure: SimulatedFailure | null): void;
  close(): Promise<void>;
}

// Postmark takes messages of up to 10 MB, and batches of up to 50 MB.
const MESSAGE_LIMIT_BYTES = 10 * 1024 * 1024;
const BATCH_LIMIT_BYTES = 50 * 1024 * 1024;

interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

interface ApiRoute {
  readonly limit: number;
  handle(body: unknown, store: MessageStore): Promise<ApiAnswer>;
}

// Keys are lower-case: Postmark's routes do not depend on case.
const API_ROUTES: Readonly<Record<string, ApiRoute>> = {
  '/email': { limit: MESSAGE_LIMIT_BYTES, handle: (body, store) => sendOne(parseEmail(body), store) },
  '/email/withtemplate': { limit: MESSAGE_LIMIT_BYTES, handle: (body, store) => sendOne(parseTemplatedEmail(body), store) },
  '/email/batch': { limit: BATCH_LIMIT_BYTES, handle: (body, store) => sendBatch(body, parseEmail, store) },
  '/email/batchwithtemplates': {
    limit: BATCH_LIMIT_BYTES,
    handle: (body, store) => sendBatch(isObject(body) ? body.Messages : body, parseTemplatedEmail, store),
  },
};

interface State {
  readonly store: MessageStore;
  failure: SimulatedFailure | null;
}

export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const state: State = { store: await openStore(options.dir), failure: null };
  const server = createServer((req, res) => {
    handle(req, res, state).catch((err: unknown) => failed(res, err));
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    messages: async () => state.store.list(),
    clear: () => state.store.clear(),
    failWith: (failure) => {
      state.failure = failure;
    },
    close: () => close(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, state: State): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://mailbox.invalid');
  const route = API_ROUTES[url.pathname.toLowerCase().replace(/\/+$/, '')];
  if (route) return handleApi(req, res, route, state);
  req.resume();
  const answer = await routePage(req.method ?? 'GET', url, state.store);
  if (answer) return write(res, answer.status, answer.headers, answer.body);
  writeJson(res, 404, { ErrorCode: 0, Message: 'Not found.' });
}

async function handleApi(req: IncomingMessage, res: ServerResponse, route: ApiRoute, state: State): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    return writeJson(res, 405, { ErrorCode: 0, Message: 'Only POST is allowed here.' }, { Allow: 'POST' });
  }
  if (!req.headers['x-postmark-server-token']?.toString().trim()) {
    req.resume();
    return writeJson(res, 401, refusalBody(REFUSALS.missingToken));
  }
  const raw = await readBody(req, route.limit);
  if (raw === null) {
    // The rest of the body is not read: the connection is closed once the answer is out.
    res.on('finish', () => req.destroy());
    return writeJson(res, 413, { ErrorCode: 300, Message: `The request is larger than ${route.limit} bytes.` }, { Connection: 'close' });
  }
  if (state.failure) return simulate(res, state.failure);
  if (!/^(application|text)\/(x-)?json\b/i.test(req.headers['content-type'] ?? '')) return writeJson(res, 422, refusalBody(REFUSALS.jsonRequired));
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return writeJson(res, 422, refusalBody(REFUSALS.invalidJson));
  }
  const answer = await route.handle(body, state.store);
  writeJson(res, answer.status, answer.body);
}

async function sendOne(parsed: ParsedEmail, store: MessageStore): Promise<ApiAnswer> {
  if (!parsed.ok) return { status: 422, body: refusalBody(parsed.refusal) };
  return { status: 200, body: await accept(parsed, store) };
}

/** Postmark answers a batch with 200 and one result per message, in order, refusals included. */
async function sendBatch(messages: unknown, parse: (body: unknown) => ParsedEmail, store: MessageStore): Promise<ApiAnswer> {
  if (!Array.isArray(messages)) return { status: 422, body: refusalBody(incompatibleJson('a batch must be a JSON array of messages.')) };
  if (messages.length > MAX_BATCH_MESSAGES) return { status: 422, body: refusalBody(REFUSALS.tooManyBatchMessages) };
  const results: unknown[] = [];
  for (const message of messages) {
    const parsed = parse(message);
    results.push(parsed.ok ? await accept(parsed, store) : refusalBody(parsed.refusal));
  }
  return { status: 200, body: results };
}

async function accept(parsed: Extract<ParsedEmail, { ok: true }>, store: MessageStore): Promise<Record<string, unknown>> {
  const message = await store.add(parsed.draft);
  return { To: parsed.to, SubmittedAt: message.receivedAt, MessageID: message.id, ErrorCode: 0, Message: 'OK' };
}

function refusalBody(refusal: PostmarkRefusal): { ErrorCode: number; Message: string } {
  return { ErrorCode: refusal.errorCode, Message: refusal.message };
}

function simulate(res: ServerResponse, failure: SimulatedFailure): void {
  writeJson(res, failure.status, { ErrorCode: failure.errorCode ?? 0, Message: failure.message ?? 'Simulated failure.' });
}

/** The body, or null as soon as it is known to exceed `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) resolve(null);
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function failed(res: ServerResponse, err: unknown): void {
  console.error('mailbox: could not answer a request:', err);
  if (res.headersSent) res.destroy();
  else writeJson(res, 500, { ErrorCode: 0, Message: 'The mailbox could not keep the message.' });
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  write(res, status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(body));
}

function write(res: ServerResponse, status: number, headers: Readonly<Record<string, string>>, body: string): void {
  res.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections (Node's default agent keeps them) would hold close() open.
    server.closeAllConnections();
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
