/**
 * The HTTP transport: one TCP port that answers both HTTP/2 with prior knowledge (cleartext
 * h2c, what faunadb uses on Node by default) and HTTP/1.1 (what it uses when given a `fetch`).
 *
 * Why sniffing: Node's http2 server only falls back to HTTP/1.1 through TLS ALPN, and the
 * retired local Fauna image was plain http on one port. So a plain TCP server peeks at each
 * connection's first bytes: the HTTP/2 client preface sends the socket to an http2 server,
 * anything else to an http1 server, with the peeked bytes pushed back onto the socket.
 * Neither inner server listens; they only receive sockets, so connection tracking for a prompt
 * close() is done here.
 *
 * The transport knows nothing of FQL: it turns bytes into an EngineRequest and an
 * EngineResponse back into bytes.
 */
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { SERVER_DEFAULTS } from '../defaults.ts';
import type { FaunaErrorDetail } from '../errors.ts';
import type { EngineRequest, EngineResponse, RequestHandler, ResponseStream, StreamSink } from '../protocol.ts';

export interface HttpServerOptions {
  readonly host: string;
  readonly port: number;
  /** Request bodies larger than this get 413. Default 8 MiB (defaults.ts). */
  readonly maxBodyBytes?: number;
  /** How long close() lets in-flight requests finish before cutting connections. Default 2 s (defaults.ts). */
  readonly closeGraceMs?: number;
  /** Where a handler's unexpected failure is reported. Default: its stack on stderr. */
  readonly onError?: (error: unknown) => void;
}

export interface RunningHttpServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** Connection-specific headers are forbidden in HTTP/2 responses (RFC 9113 §8.2.2). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export type Protocol = 'h2' | 'http1';

/** Decides from a connection's first bytes which protocol it speaks, or that more bytes are needed. */
export function classifyPreface(bytes: Buffer): Protocol | 'undecided' {
  const n = Math.min(bytes.length, H2_PREFACE.length);
  if (!bytes.subarray(0, n).equals(H2_PREFACE.subarray(0, n))) return 'http1';
  return n === H2_PREFACE.length ? 'h2' : 'undecided';
}

interface ServerContext {
  readonly handler: RequestHandler;
  readonly maxBodyBytes: number;
  readonly onError: (error: unknown) => void;
  readonly sockets: Set<net.Socket>;
  readonly h2Sessions: Set<http2.ServerHttp2Session>;
  /** Sockets whose protocol is known; the others are still being sniffed. */
  readonly protocols: Map<net.Socket, Protocol>;
  /** In-flight HTTP/1.1 requests per socket. */
  readonly http1Busy: Map<net.Socket, number>;
  /** Streamed bodies still being written (POST /stream): close() ends them. */
  readonly streams: Set<ResponseStream>;
  closing: boolean;
}

export async function startHttpServer(
  handler: RequestHandler,
  options: HttpServerOptions,
): Promise<RunningHttpServer> {
  const ctx: ServerContext = {
    handler,
    maxBodyBytes: options.maxBodyBytes ?? SERVER_DEFAULTS.maxBodyBytes,
    onError: options.onError ?? reportToStderr,
    sockets: new Set(),
    h2Sessions: new Set(),
    protocols: new Map(),
    http1Busy: new Map(),
    streams: new Set(),
    closing: false,
  };
  const h1 = createHttp1Server(ctx);
  const h2 = createHttp2Server(ctx);
  const tcp = net.createServer((socket) => acceptConnection(ctx, socket, { h1, h2 }));
  const port = await listen(tcp, options.host, options.port);
  const grace = options.closeGraceMs ?? SERVER_DEFAULTS.closeGraceMs;
  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${hostForUrl(options.host)}:${port}`,
    close: () => (closed ??= closeServer(ctx, tcp, grace)),
  };
}

function reportToStderr(error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`fql-engine: request failed: ${text}\n`);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

// ---- accepting and sniffing ----

interface InnerServers {
  readonly h1: http.Server;
  readonly h2: http2.Http2Server;
}

function acceptConnection(ctx: ServerContext, socket: net.Socket, servers: InnerServers): void {
  // A client's reset must never crash the server; the inner servers add their own handling.
  socket.on('error', () => undefined);
  if (ctx.closing) {
    socket.destroy();
    return;
  }
  ctx.sockets.add(socket);
  socket.once('close', () => {
    ctx.sockets.delete(socket);
    ctx.protocols.delete(socket);
    ctx.http1Busy.delete(socket);
  });
  socket.setTimeout(SERVER_DEFAULTS.sniffTimeoutMs, () => socket.destroy());
  sniff(socket, (protocol) => {
    socket.setTimeout(0);
    handOver(ctx, socket, protocol, servers);
  });
}

/** Collects bytes until the protocol is known, then gives them back to the socket unread. */
function sniff(socket: net.Socket, decided: (protocol: Protocol) => void): void {
  let seen = Buffer.alloc(0);
  const onData = (chunk: Buffer): void => {
    seen = Buffer.concat([seen, chunk]);
    const verdict = classifyPreface(seen);
    if (verdict === 'undecided') return;
    socket.off('data', onData);
    // Paused before unshifting: a flowing socket with no 'data' listener would drop the bytes.
    socket.pause();
    socket.unshift(seen);
    decided(verdict);
  };
  socket.on('data', onData);
}

function handOver(ctx: ServerContext, socket: net.Socket, protocol: Protocol, servers: InnerServers): void {
  ctx.protocols.set(socket, protocol);
  if (protocol === 'h2') {
    // The http2 session reads what is already buffered itself (socket.read()), then consumes
    // the handle directly, so the socket stays paused.
    servers.h2.emit('connection', socket);
    return;
  }
  servers.h1.emit('connection', socket);
  // The http1 server's parser gets the unshifted bytes through its 'data' listener.
  socket.resume();
}

// ---- HTTP/1.1 ----

function createHttp1Server(ctx: ServerContext): http.Server {
  const server = http.createServer();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    countHttp1Request(ctx, req.socket, +1);
    // While closing, the response carries `connection: close`, so Node ends this socket itself.
    res.once('close', () => countHttp1Request(ctx, req.socket, -1));
    void serveHttp1(ctx, req, res);
  });
  server.on('clientError', (_error: Error, socket: net.Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  return server;
}

function countHttp1Request(ctx: ServerContext, socket: net.Socket, delta: number): void {
  if (ctx.sockets.has(socket)) ctx.http1Busy.set(socket, (ctx.http1Busy.get(socket) ?? 0) + delta);
}

async function serveHttp1(ctx: ServerContext, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const body = await readBody(req, req.headers['content-length'], ctx.maxBodyBytes);
    const response = body === null
      ? tooLarge(ctx.maxBodyBytes)
      : await dispatch(ctx, {
        method: req.method ?? 'GET',
        path: pathOf(req.url),
        params: paramsOf(req.url),
        headers: normaliseHeaders(req.headers),
        body,
      });
    writeHttp1(res, response, ctx.closing || body === null, ctx);
  } catch (error) {
    abandonHttp1(res, error);
  }
}

function writeHttp1(res: http.ServerResponse, response: EngineResponse, closeAfter: boolean, ctx?: ServerContext): void {
  if (response.stream !== undefined && ctx !== undefined) {
    if (!res.destroyed) res.writeHead(response.status, { ...response.headers });
    pipeStream(ctx, res, response.stream);
    return;
  }
  if (res.destroyed) return;
  const headers: Record<string, string> = {
    ...response.headers,
    'content-length': String(Buffer.byteLength(response.body)),
  };
  // A 413's unread body, or a server that is closing, must not keep the connection alive.
  if (closeAfter) headers.connection = 'close';
  res.writeHead(response.status, headers);
  res.end(response.body);
}

function abandonHttp1(res: http.ServerResponse, error: unknown): void {
  if (error instanceof ClientGone || res.destroyed) return;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  writeHttp1(res, internalError(), true);
}

// ---- HTTP/2 ----

function createHttp2Server(ctx: ServerContext): http2.Http2Server {
  const server = http2.createServer();
  server.on('session', (session: http2.ServerHttp2Session) => {
    ctx.h2Sessions.add(session);
    session.on('error', () => undefined);
    session.once('close', () => ctx.h2Sessions.delete(session));
    // A session that began while close() was running must not outlive it.
    if (ctx.closing) session.close();
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
    stream.on('error', () => undefined);
    void serveHttp2(ctx, stream, headers);
  });
  return server;
}

async function serveHttp2(
  ctx: ServerContext,
  stream: http2.ServerHttp2Stream,
  headers: http2.IncomingHttpHeaders,
): Promise<void> {
  try {
    const body = await readBody(stream, headers['content-length'], ctx.maxBodyBytes);
    const response = body === null
      ? tooLarge(ctx.maxBodyBytes)
      : await dispatch(ctx, {
        method: headers[':method'] ?? 'GET',
        path: pathOf(headers[':path']),
        params: paramsOf(headers[':path']),
        headers: normaliseHeaders(headers),
        body,
      });
    writeHttp2(stream, response, headers[':method'] === 'HEAD', ctx);
    // RFC 9113 §8.1: after a complete early response, ask the client to stop sending.
    if (body === null) stream.close(http2.constants.NGHTTP2_NO_ERROR);
  } catch (error) {
    abandonHttp2(stream, error);
  }
}

function writeHttp2(stream: http2.ServerHttp2Stream, response: EngineResponse, head: boolean, ctx?: ServerContext): void {
  if (stream.destroyed || stream.closed) {
    response.stream?.close();
    return;
  }
  const headers: http2.OutgoingHttpHeaders = { ':status': response.status };
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (!HOP_BY_HOP.has(lower) && !lower.startsWith(':')) headers[lower] = value;
  }
  if (response.stream !== undefined && ctx !== undefined) {
    stream.respond(headers);
    pipeStream(ctx, stream, response.stream);
    return;
  }
  headers['content-length'] = Buffer.byteLength(response.body);
  if (head) {
    stream.respond(headers, { endStream: true });
    return;
  }
  stream.respond(headers);
  stream.end(response.body);
}

function abandonHttp2(stream: http2.ServerHttp2Stream, error: unknown): void {
  if (error instanceof ClientGone || stream.destroyed || stream.closed) return;
  if (stream.headersSent) {
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    return;
  }
  writeHttp2(stream, internalError(), false);
}

// ---- shared between both protocols ----

/**
 * Hands a streamed body its sink, and closes the body when the client goes away, so that
 * nothing it holds (a storage subscription) outlives the request.
 */
function pipeStream(ctx: ServerContext, out: Writable, body: ResponseStream): void {
  if (out.destroyed) {
    body.close();
    return;
  }
  ctx.streams.add(body);
  out.once('close', () => {
    ctx.streams.delete(body);
    body.close();
  });
  body.open(sinkOf(out));
}

function sinkOf(out: Writable): StreamSink {
  return {
    // A client gone is not a full buffer: what is written to it is dropped, and 'close' ends the body.
    write: (chunk) => out.destroyed || out.writableEnded || out.write(chunk),
    drained: () => {
      if (!out.writableNeedDrain || out.destroyed) return Promise.resolve();
      return new Promise((resolve) => {
        const done = (): void => {
          out.off('drain', done);
          out.off('close', done);
          resolve();
        };
        out.on('drain', done);
        out.on('close', done);
      });
    },
    end: () => {
      if (!out.destroyed && !out.writableEnded) out.end();
    },
  };
}

/** The client went away before its request was complete: there is nobody to answer. */
class ClientGone extends Error {}

/**
 * Resolves to the body as UTF-8, or null once it exceeds `limit`. Past the limit the rest is
 * read and dropped rather than kept, so a huge body costs no memory.
 */
function readBody(stream: Readable, declaredLength: string | undefined, limit: number): Promise<string | null> {
  if (declaredLength !== undefined && Number(declaredLength) > limit) {
    stream.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let state: 'reading' | 'over' | 'done' = 'reading';
    stream.on('data', (chunk: Buffer) => {
      if (state !== 'reading') return;
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      state = 'over';
      chunks.length = 0;
      resolve(null);
    });
    stream.once('end', () => {
      if (state === 'reading') resolve(Buffer.concat(chunks).toString('utf8'));
      state = 'done';
    });
    stream.once('error', () => reject(new ClientGone()));
    stream.once('close', () => {
      if (state === 'reading') reject(new ClientGone());
    });
  });
}

async function dispatch(ctx: ServerContext, request: EngineRequest): Promise<EngineResponse> {
  try {
    return await ctx.handler.handle(request);
  } catch (error) {
    ctx.onError(error);
    return internalError();
  }
}

function pathOf(target: string | undefined): string {
  if (target === undefined || target === '') return '/';
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end) || '/';
}

function paramsOf(target: string | undefined): URLSearchParams | undefined {
  const start = target?.indexOf('?') ?? -1;
  if (target === undefined || start === -1) return undefined;
  const end = target.indexOf('#', start);
  return new URLSearchParams(target.slice(start + 1, end === -1 ? undefined : end));
}

/** Lower-case names, repeated headers joined, and HTTP/2 pseudo-headers left out. */
function normaliseHeaders(headers: http.IncomingHttpHeaders | http2.IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || value === undefined) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return result;
}

function errorResponse(status: number, detail: FaunaErrorDetail): EngineResponse {
  return {
    status,
    headers: { 'content-type': 'application/json;charset=utf-8' },
    body: JSON.stringify({ errors: [detail] }),
  };
}

/** Deliberately says nothing about the failure: the details go to onError, not to the client. */
function internalError(): EngineResponse {
  return errorResponse(500, { position: [], code: 'internal server error', description: 'Internal server error.' });
}

function tooLarge(limit: number): EngineResponse {
  return errorResponse(413, {
    position: [],
    code: 'request entity too large',
    description: `Request body exceeds the limit of ${limit} bytes.`,
  });
}

// ---- closing ----

/**
 * Stops accepting, lets in-flight requests finish, and closes idle connections at once: idle
 * HTTP/2 sessions get a GOAWAY, idle keep-alive sockets are ended. Whatever is still open after
 * `graceMs` is cut, so a stuck client cannot keep the process alive.
 */
function closeServer(ctx: ServerContext, tcp: net.Server, graceMs: number): Promise<void> {
  ctx.closing = true;
  // A stream never finishes on its own: ending it is what lets its connection close.
  for (const body of ctx.streams) body.close();
  const allClosed = new Promise<void>((resolve) => tcp.close(() => resolve()));
  for (const session of ctx.h2Sessions) session.close();
  for (const socket of ctx.sockets) {
    const protocol = ctx.protocols.get(socket);
    // Still sniffing, or an HTTP/1.1 keep-alive connection with no request in flight.
    if (protocol === undefined || (protocol === 'http1' && (ctx.http1Busy.get(socket) ?? 0) === 0)) socket.destroy();
  }
  const timer = setTimeout(() => {
    for (const socket of ctx.sockets) socket.destroy();
  }, graceMs);
  return allClosed.finally(() => clearTimeout(timer));
}
