/**
 * A browser without a browser: real HTTP to the site that `npm run dev` serves, with a cookie
 * jar, an Origin header on writes (as browsers send on fetch and form POSTs), and redirects
 * left for the test to look at.
 */

import { CookieJar, parseSetCookie, type SetCookie } from '../support/cookie-jar.ts';

export interface SiteAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body when it is JSON, else undefined. */
  readonly body: unknown;
  readonly setCookies: readonly SetCookie[];
}

export interface SiteRequest {
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
  /** Default: the site's own origin on writes, none on reads. null sends none. */
  readonly origin?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export class SiteClient {
  readonly jar = new CookieJar();

  constructor(
    readonly siteUrl: string,
    readonly userAgent = 'e2e-http/1.0',
  ) {}

  async request(method: string, pathOrUrl: string, options: SiteRequest = {}): Promise<SiteAnswer> {
    const url = new URL(pathOrUrl, this.siteUrl);
    const headers = new Headers({ 'user-agent': this.userAgent, ...options.headers });
    const write = method !== 'GET' && method !== 'HEAD';
    const origin = options.origin === undefined ? (write ? new URL(this.siteUrl).origin : null) : options.origin;
    if (origin !== null) headers.set('origin', origin);
    const cookie = this.jar.header(url.pathname);
    if (cookie) headers.set('cookie', cookie);
    let body: string | undefined;
    if (options.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.json);
    } else if (options.form !== undefined) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(options.form).toString();
    }
    const response = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.jar.apply(response);
    const text = await response.text();
    const json = (response.headers.get('content-type') ?? '').includes('application/json') ? (JSON.parse(text) as unknown) : undefined;
    return { status: response.status, headers: response.headers, text, body: json, setCookies: response.headers.getSetCookie().map(parseSetCookie) };
  }

  get(path: string, options?: SiteRequest): Promise<SiteAnswer> {
    return this.request('GET', path, options);
  }

  post(path: string, json?: unknown, options: SiteRequest = {}): Promise<SiteAnswer> {
    return this.request('POST', path, json === undefined ? options : { ...options, json });
  }

  delete(path: string, options?: SiteRequest): Promise<SiteAnswer> {
    return this.request('DELETE', path, options);
  }
}

/** The error envelope's code, or undefined. */
export function errorCodeOf(answer: SiteAnswer): string | undefined {
  const body = answer.body as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}
