/**
 * The in-process transport: a `fetch` to hand the faunadb driver (its `fetch` option), so a
 * Netlify function or a test runs the unmodified driver against the engine with no socket, no
 * port and no server process. It speaks the same EngineRequest/EngineResponse as the HTTP
 * server, so both transports mean the same thing.
 *
 * Shaped after what faunadb 4.8.2's fetchAdapter does with fetch: it passes a URL string, an
 * init with method, a plain headers object (some values are numbers), a string body (none for
 * GET), an extra `agent` (ignored here) and an AbortSignal from the `node-abort-controller`
 * polyfill, which is not a real AbortSignal, so the signal is duck-typed. It reads back
 * `status`, `ok`, `headers.entries()` and `text()`. The answer is a real Response whose body
 * becomes a stream only if someone asks for one (text-response.ts): the driver never does.
 * Streams (the driver's `stream` API, POST /stream) are refused here with 400 `bad request`:
 * the driver reads a streamed fetch body in Node as node-fetch's Node stream (`body.on('data')`),
 * which a standard Response's body is not. The HTTP server serves them.
 */
import type { EngineRequest, EngineResponse, RequestHandler } from '../protocol.ts';
import { TextResponse } from './text-response.ts';

/** What is used of a signal; the driver's polyfilled signal has exactly this much. */
interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

const STREAMS_REFUSED = JSON.stringify({
  errors: [{ position: [], code: 'bad request', description: 'Streams are served over HTTP (startHttpServer), not by the in-process fetch.' }],
});

/** A stream is closed at once (even when the caller stopped waiting), and refused. */
function withoutStream(answer: EngineResponse): EngineResponse {
  if (answer.stream === undefined) return answer;
  answer.stream.close();
  return { status: 400, headers: { 'content-type': 'application/json;charset=utf-8' }, body: STREAMS_REFUSED };
}

/** Statuses whose Response must have no body (the Response constructor rejects one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function createInProcessFetch(handler: RequestHandler): typeof fetch {
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const signal = signalOf(input, init);
    throwIfAborted(signal);
    const request = quickRequest(input, init) ?? (await toEngineRequest(input, init));
    throwIfAborted(signal);
    const answer = await untilAborted(handler.handle(request).then(withoutStream), signal);
    const answerInit = { status: answer.status, headers: answer.headers };
    if (NULL_BODY_STATUSES.has(answer.status) || request.method === 'HEAD') return new Response(null, answerInit);
    return new TextResponse(answer.body, answerInit);
  };
}

/**
 * The driver's own call shape (a URL string, a plain headers object, a string body) read
 * without building URL and Headers objects: this sits on the path of every query a function
 * makes, so it is kept cheap. Anything else takes the general path below.
 */
function quickRequest(input: string | URL | Request, init: RequestInit | undefined): EngineRequest | null {
  const headers = init?.headers;
  const body = init?.body;
  if (typeof input !== 'string' || (body !== undefined && body !== null && typeof body !== 'string')) return null;
  if (headers !== undefined && (typeof headers !== 'object' || headers instanceof Headers || Array.isArray(headers))) return null;
  const target = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(input);
  const path = target?.[1];
  if (path === undefined) return null;
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) lower[name.toLowerCase()] = String(value);
  }
  // The driver's queries have no query string; only a ping's does.
  const params = target?.[2] ? new URLSearchParams(target[2]) : undefined;
  return { method: (init?.method ?? 'GET').toUpperCase(), path: path || '/', params, headers: lower, body: body ?? '' };
}

async function toEngineRequest(input: string | URL | Request, init: RequestInit | undefined): Promise<EngineRequest> {
  const isRequest = typeof input === 'object' && !(input instanceof URL);
  const url = new URL(isRequest ? input.url : String(input));
  const headers: Record<string, string> = {};
  // new Headers() lower-cases names and stringifies the driver's numeric values.
  const copy = (value: string, name: string): void => void (headers[name] = value);
  if (isRequest) input.headers.forEach(copy);
  new Headers(init?.headers).forEach(copy);
  const method = (init?.method ?? (isRequest ? input.method : 'GET')).toUpperCase();
  const body = await bodyText(init?.body, isRequest ? input : undefined);
  return { method, path: url.pathname || '/', params: url.search ? url.searchParams : undefined, headers, body };
}

async function bodyText(body: BodyInit | null | undefined, request: Request | undefined): Promise<string> {
  if (typeof body === 'string') return body;
  if (body !== undefined && body !== null) return new Response(body).text();
  return request === undefined ? '' : request.text();
}

function signalOf(input: string | URL | Request, init: RequestInit | undefined): AbortSignalLike | undefined {
  const candidate: unknown = init?.signal ?? (input instanceof Request ? input.signal : undefined);
  return isSignalLike(candidate) ? candidate : undefined;
}

function isSignalLike(value: unknown): value is AbortSignalLike {
  if (typeof value !== 'object' || value === null) return false;
  const signal = value as Partial<AbortSignalLike>;
  return typeof signal.aborted === 'boolean' && typeof signal.addEventListener === 'function';
}

/** fetch's own abort error: the driver recognises it by `name === 'AbortError'`. */
function abortError(): DOMException {
  return new DOMException('This operation was aborted', 'AbortError');
}

function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) throw abortError();
}

/**
 * Settles with the handler's answer, or rejects as soon as the signal aborts. The engine's work
 * is not interrupted (one query is one transaction and commits or rolls back on its own); only
 * the caller stops waiting, as with a real fetch whose connection is dropped.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignalLike | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError());
    signal.addEventListener('abort', onAbort);
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
