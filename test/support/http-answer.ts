/**
 * What the API tests read from an answer, and the request side they share: the in-process
 * Browser of test/auth (the functions called directly) and the SiteClient of test/e2e (real HTTP
 * through netlify dev) differ only in how a request reaches the function.
 */

import { parseSetCookie, type SetCookie } from './cookie-jar.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly body: unknown;
  readonly setCookies: readonly SetCookie[];
}

export async function answerOf(response: Response): Promise<Answer> {
  const text = await response.text();
  const body = (response.headers.get('content-type') ?? '').includes('application/json') ? (JSON.parse(text) as unknown) : undefined;
  return { status: response.status, headers: response.headers, text, body, setCookies: response.headers.getSetCookie().map(parseSetCookie) };
}

export interface BodyOptions {
  readonly json?: unknown;
  readonly form?: Readonly<Record<string, string>>;
}

/** The body of a JSON or form request, with its content-type set on `headers`; undefined for neither. */
export function encodeBody(headers: Headers, options: BodyOptions): string | undefined {
  if (options.json !== undefined) {
    headers.set('content-type', 'application/json');
    return JSON.stringify(options.json);
  }
  if (options.form !== undefined) {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    return new URLSearchParams(options.form).toString();
  }
  return undefined;
}

/** The error envelope's code, or undefined when the body is not one. */
export function errorCode(answer: Answer): string | undefined {
  const body = answer.body as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** GET, POST and PATCH with a JSON body, and DELETE, on top of one `call`. */
export abstract class HttpVerbs<Options extends BodyOptions> {
  abstract call(method: string, url: string, options?: Options): Promise<Answer>;

  get(url: string, options?: Options): Promise<Answer> {
    return this.call('GET', url, options);
  }

  post(url: string, json?: unknown, options?: Options): Promise<Answer> {
    return this.call('POST', url, json === undefined ? options : ({ ...options, json } as Options));
  }

  patch(url: string, json?: unknown, options?: Options): Promise<Answer> {
    return this.call('PATCH', url, json === undefined ? options : ({ ...options, json } as Options));
  }

  delete(url: string, options?: Options): Promise<Answer> {
    return this.call('DELETE', url, options);
  }
}
