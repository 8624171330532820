/**
 * HTTP helpers for the Functions v2 endpoints: bounded body reading, JSON answers, the error
 * envelope. Pages live in `pages/`; the wrapper every function exports is shared/endpoint.ts.
 *
 * errorResponse turns any throw into a Response: an HttpError into `{error:{code,message}}`
 * with its status and headers; anything else into 500 internal_error with a fixed message, the
 * real error going only to console.error. No answer ever carries a stack.
 *
 * Bodies are read from the stream with a byte counter: Content-Length is only a hint (it may be
 * absent or wrong), so an oversized body is cut off at the limit, never buffered whole.
 */

import { API_ERRORS, HttpError } from './errors.ts';

export { escapeHtml, html, rawHtml, SafeHtml } from './pages/html.ts';

/** Extra response headers; an array value becomes one header line per item (Set-Cookie). */
export type HeaderMap = Readonly<Record<string, string | readonly string[]>>;

export interface ResponseOptions {
  readonly headers?: HeaderMap;
}

/** A request body: always a plain object (JSON objects, or a form's first value per field). */
export type Body = Readonly<Record<string, unknown>>;

export interface ParsedBody {
  /** Endpoints answer forms with a 303 to a page, JSON with JSON. */
  readonly kind: 'json' | 'form';
  readonly data: Body;
}

export interface ReadOptions {
  /** Bytes; defaults to JSON_LIMIT_BYTES. */
  readonly limit?: number;
  /** An empty body reads as `{}` instead of 400, for endpoints whose fields are all optional. */
  readonly allowEmpty?: boolean;
}

export const JSON_LIMIT_BYTES = 16 * 1024;

const JSON_TYPE = 'application/json';
export const FORM_TYPE = 'application/x-www-form-urlencoded';

export function mediaType(req: Request): string | null {
  const raw = req.headers.get('content-type');
  if (raw === null) return null;
  return raw.split(';')[0].trim().toLowerCase();
}

function unsupported(): HttpError {
  return new HttpError('unsupported_media_type');
}

function tooLarge(limit: number): HttpError {
  return new HttpError('payload_too_large', { message: `The body must be at most ${limit} bytes.` });
}

/** The body's bytes, refusing (and cancelling the stream) as soon as more than `limit` arrive. */
async function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > limit) {
    await req.body?.cancel().catch(() => undefined);
    throw tooLarge(limit);
  }
  if (req.body === null) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

async function readText(req: Request, limit: number, onBadText: 'invalid_json' | 'invalid_body'): Promise<string> {
  const bytes = await readLimited(req, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(onBadText);
  }
}

function parseJsonObject(text: string): Body {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError('invalid_json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError('invalid_body');
  }
  // JSON.parse defines "__proto__" as an own property, so no prototype is ever replaced here.
  return value as Body;
}

/**
 * A JSON object body: 415 unless Content-Type is application/json, 413 past the limit,
 * 400 invalid_json when it does not parse, 400 invalid_body when it is not an object.
 */
export async function readJson(req: Request, options: ReadOptions = {}): Promise<Body> {
  const type = mediaType(req);
  if (type !== null && type !== JSON_TYPE) throw unsupported();
  const text = await readText(req, options.limit ?? JSON_LIMIT_BYTES, 'invalid_json');
  if (text.trim() === '') {
    if (options.allowEmpty) return {};
    throw new HttpError('invalid_json');
  }
  // Checked after reading so that an empty body with no type can still mean "no fields".
  if (type === null) throw unsupported();
  return parseJsonObject(text);
}

function parseForm(text: string): Body {
  const fields = new Map<string, string>();
  // The first value of a repeated field wins, so a field appended later cannot override it.
  for (const [name, value] of new URLSearchParams(text)) if (!fields.has(name)) fields.set(name, value);
  return Object.fromEntries(fields);
}

/** JSON (as readJson) or an HTML form (application/x-www-form-urlencoded, same size limit). */
export async function readBody(req: Request, options: ReadOptions = {}): Promise<ParsedBody> {
  if (mediaType(req) !== FORM_TYPE) return { kind: 'json', data: await readJson(req, options) };
  const text = await readText(req, options.limit ?? JSON_LIMIT_BYTES, 'invalid_body');
  return { kind: 'form', data: parseForm(text) };
}

function applyHeaders(headers: Headers, extra: HeaderMap | undefined): void {
  for (const [name, value] of Object.entries(extra ?? {})) {
    if (typeof value === 'string') {
      if (name.toLowerCase() === 'set-cookie') headers.append(name, value);
      else headers.set(name, value);
    } else {
      for (const item of value) headers.append(name, item);
    }
  }
}

/** Headers every answer gets: auth answers are per user and must never be cached or sniffed. */
function baseHeaders(contentType?: string): Headers {
  const headers = new Headers({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  if (contentType) headers.set('Content-Type', contentType);
  return headers;
}

export function json(status: number, body: unknown, init: ResponseOptions = {}): Response {
  const headers = baseHeaders('application/json; charset=utf-8');
  applyHeaders(headers, init.headers);
  return new Response(JSON.stringify(body), { status, headers });
}

export function noContent(init: ResponseOptions = {}): Response {
  const headers = baseHeaders();
  applyHeaders(headers, init.headers);
  return new Response(null, { status: 204, headers });
}

/** 303 See Other: where a form POST lands, as a GET, after it did its work. */
export function seeOther(location: string, init: ResponseOptions = {}): Response {
  const headers = baseHeaders();
  headers.set('Location', location);
  applyHeaders(headers, init.headers);
  return new Response(null, { status: 303, headers });
}

/** The error envelope; for anything but an HttpError, a fixed message and the details in the log. */
export function errorResponse(err: unknown): Response {
  // A Response thrown on purpose (requireUser and friends, shared/user) is the answer itself.
  if (err instanceof Response) return err;
  if (err instanceof HttpError) {
    return json(err.status, { error: { code: err.code, message: err.message } }, { headers: err.headers });
  }
  console.error('[endpoint] unhandled error:', err);
  return json(500, { error: { code: 'internal_error', message: API_ERRORS.internal_error.message } });
}
