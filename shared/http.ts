/**
 * HTTP helpers for the Functions v2 endpoints: bounded body reading, JSON answers, the error
 * envelope, small HTML pages, and the `endpoint` wrapper every function exports.
 *
 *   export default endpoint({
 *     POST: async (req, context) => {
 *       const body = await readJson(req);               // or readBody(req) where a page POSTs a form
 *       ...
 *       return json(200, { user }, { headers: { 'Set-Cookie': sessionCookies(tokens, cfg) } });
 *     },
 *   });
 *
 * The wrapper answers 405 (with Allow) for undeclared methods, runs the origin check on every
 * request (it only acts on cookie-carrying writes, so no endpoint can forget it), and turns any
 * throw into a Response: an HttpError into `{error:{code,message}}` with its status and
 * headers; anything else into 500 internal_error with a fixed message, the real error going
 * only to console.error. No answer ever carries a stack.
 *
 * Bodies are read from the stream with a byte counter: Content-Length is only a hint (it may be
 * absent or wrong), so an oversized body is cut off at the limit, never buffered whole.
 */

import { createHash } from 'node:crypto';
import type { Context } from '@netlify/functions';
import { config as processConfig, type Config } from './config.ts';
import { HttpError } from './errors.ts';
import { assertSameOrigin } from './origin.ts';

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
const FORM_TYPE = 'application/x-www-form-urlencoded';

function mediaType(req: Request): string | null {
  const raw = req.headers.get('content-type');
  if (raw === null) return null;
  return raw.split(';')[0].trim().toLowerCase();
}

function unsupported(): HttpError {
  return new HttpError('unsupported_media_type', `Send the body as ${JSON_TYPE}.`);
}

function tooLarge(limit: number): HttpError {
  return new HttpError('payload_too_large', `The body must be at most ${limit} bytes.`);
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
    throw new HttpError(onBadText, 'The body is not valid UTF-8.');
  }
}

function parseJsonObject(text: string): Body {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError('invalid_json', 'The body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError('invalid_body', 'The body must be a JSON object.');
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
    throw new HttpError('invalid_json', 'A JSON body is required.');
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

const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again later.';

/** The error envelope; for anything but an HttpError, a fixed message and the details in the log. */
export function errorResponse(err: unknown): Response {
  if (err instanceof HttpError) {
    return json(err.status, { error: { code: err.code, message: err.message } }, { headers: err.headers });
  }
  console.error('[endpoint] unhandled error:', err);
  return json(500, { error: { code: 'internal_error', message: INTERNAL_MESSAGE } });
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type Handler = (req: Request, context: Context) => Response | Promise<Response>;
export type Handlers = Readonly<Partial<Record<Method, Handler>>>;
/** What a Functions v2 file exports as its default. */
export type NetlifyHandler = (req: Request, context: Context) => Promise<Response>;

export interface EndpointOptions {
  /** Where the origin check gets its configuration; tests pass their own. */
  readonly config?: () => Config;
}

const METHODS: readonly Method[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

function isMethod(method: string): method is Method {
  return (METHODS as readonly string[]).includes(method);
}

export function endpoint(handlers: Handlers, options: EndpointOptions = {}): NetlifyHandler {
  const allow = METHODS.filter((m) => handlers[m] !== undefined).join(', ');
  const getConfig = options.config ?? processConfig;
  return async (req, context) => {
    try {
      const method = req.method.toUpperCase();
      const handler = isMethod(method) ? handlers[method] : undefined;
      if (!handler) throw new HttpError('method_not_allowed', `Use ${allow}.`, { Allow: allow });
      assertSameOrigin(req, getConfig());
      return await handler(req, context);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Markup that is already safe to embed: made only by `html` or `rawHtml`. */
export class SafeHtml {
  constructor(readonly value: string) {}

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** What `html` puts into markup: text (escaped), markup already safe, or nothing (null, undefined, false). */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function interpolate(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(interpolate).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose every `${value}` is escaped, unless it is SafeHtml (or an array of it). */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += interpolate(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

/** For markup that is trusted by construction (never for anything from a request). */
export function rawHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

const PAGE_STYLE = [
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f6f6f4;color:#1d1d1b}',
  'main{max-width:28rem;margin:0 auto;background:#fff;padding:2rem;border-radius:.5rem;box-shadow:0 1px 3px #0002}',
  'h1{font-size:1.4rem;margin-top:0}label{display:block;margin:1rem 0 .25rem}',
  'input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit}',
  'button{margin-top:1.25rem;padding:.6rem 1.2rem;font:inherit;cursor:pointer}',
  '.error{color:#a40000}',
].join('');

/** The page allows nothing but its own stylesheet (by hash) and forms posting to this origin. */
const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageOptions extends ResponseOptions {
  readonly status?: number;
}

/**
 * A complete HTML page. No scripts can run (CSP), it cannot be framed, and no Referer leaves
 * it: these pages are reached through links whose query string holds a token.
 */
export function htmlPage(title: string, body: SafeHtml, init: PageOptions = {}): Response {
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${rawHtml(PAGE_STYLE)}</style></head>
<body><main>${body}</main></body></html>`;
  const headers = baseHeaders('text/html; charset=utf-8');
  headers.set('Content-Security-Policy', PAGE_CSP);
  headers.set('Referrer-Policy', 'no-referrer');
  headers.set('X-Frame-Options', 'DENY');
  applyHeaders(headers, init.headers);
  return new Response(page.value, { status: init.status ?? 200, headers });
}
