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
  /** A body that keeps coming (POST /stream): `body` is then empty, and the transport hands this a sink. */
  readonly stream?: ResponseStream;
}

/** A response body written over time, one chunk after another, until either side ends it. */
export interface ResponseStream {
  /** Called once, when the headers are sent: chunks go to `sink` from then on. */
  open(sink: StreamSink): void;
  /** The client went away, or the server is closing: stop, and release everything. Idempotent. */
  close(): void;
}

export interface StreamSink {
  /** Sends a chunk. False when the client's buffer is full: write no more until `drained()` resolves. */
  write(chunk: string): boolean;
  /** Resolves once the client has read enough for writing to go on (at once if it already may). */
  drained(): Promise<void>;
  /** Ends the body: nothing more will be written. */
  end(): void;
}

export interface RequestHandler {
  handle(request: EngineRequest): Promise<EngineResponse>;
}
