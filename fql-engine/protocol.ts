/**
 * What a transport hands the engine, and what it gets back. Both transports (the HTTP
 * server and the in-process fetch) speak only this, so they cannot disagree on meaning.
 */

export interface EngineRequest {
  readonly method: string;
  /** Path without the query string, e.g. '/' or '/ping'. */
  readonly path: string;
  /** The query string's parameters (`/ping?scope=node`), when there is one. */
  readonly params?: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

export interface EngineResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RequestHandler {
  handle(request: EngineRequest): Promise<EngineResponse>;
}
