/**
 * A browser without a browser: real HTTP to the site that `npm run dev` serves, with a cookie
 * jar, an Origin header on writes (as browsers send on fetch and form POSTs), and redirects
 * left for the test to look at.
 */

import { CookieJar } from '../support/cookie-jar.ts';
import { answerOf, encodeBody, HttpVerbs, type Answer, type BodyOptions } from '../support/http-answer.ts';

export interface SiteRequest extends BodyOptions {
  /** Default: the site's own origin on writes, none on reads. null sends none. */
  readonly origin?: string | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export class SiteClient extends HttpVerbs<SiteRequest> {
  readonly jar = new CookieJar();

  constructor(
    readonly siteUrl: string,
    readonly userAgent = 'e2e-http/1.0',
  ) {
    super();
  }

  async call(method: string, pathOrUrl: string, options: SiteRequest = {}): Promise<Answer> {
    const url = new URL(pathOrUrl, this.siteUrl);
    const headers = new Headers({ 'user-agent': this.userAgent, ...options.headers });
    const write = method !== 'GET' && method !== 'HEAD';
    const origin = options.origin === undefined ? (write ? new URL(this.siteUrl).origin : null) : options.origin;
    if (origin !== null) headers.set('origin', origin);
    const cookie = this.jar.header(url.pathname);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { method, headers, body: encodeBody(headers, options), redirect: 'manual' });
    this.jar.apply(response);
    return answerOf(response);
  }
}
