/**
 * The engine's defaults, in one place: what an option is when its caller leaves it out. Fauna's
 * own semantics (a page of 64 by default) stay where they are implemented, and the limits that
 * protect the process (how deep a value may nest) are in limits.ts.
 */

/** openEngine's options. */
export const ENGINE_DEFAULTS = {
  /** How deep calls may nest in a query before 'stack overflow'. */
  maxCallDepth: 2000,
  /** bcrypt cost for `credentials` passwords. */
  bcryptCost: 10,
  /** How often expired documents are swept away (they are invisible at once regardless). */
  sweepIntervalMs: 60_000,
  /** Sets are read through SQL where they can be; false evaluates every set in memory. */
  pushdown: true,
  /** Tokens whose identity's place an engine remembers, to read both in one statement (auth.ts). */
  identityHints: 10_000,
} as const;

/** How the JWKS of access providers are fetched and kept (openEngine's `jwks`). */
export const JWKS_DEFAULTS = {
  timeoutMs: 5000,
  /** Fauna fetched a JWKS again for an unknown `kid` at most every 500 ms. */
  cooldownMs: 500,
  /** Fauna refreshed a JWKS every hour. */
  cacheMaxAgeMs: 60 * 60 * 1000,
  maxSets: 1000,
} as const;

/** Streams (POST /stream). */
export const STREAM_DEFAULTS = {
  /**
   * Changes a stream holds while its client reads too slowly. Past it the stream ends with
   * Fauna's congestion error event, so a stalled client costs bounded memory.
   */
  maxQueuedChanges: 1000,
} as const;

/** The HTTP server's options, and what the `fql-engine` command listens on and with. */
export const SERVER_DEFAULTS = {
  /** The address of the retired local Fauna image, which drivers were configured for. */
  host: '127.0.0.1',
  port: 8443,
  /** Request bodies larger than this get 413. */
  maxBodyBytes: 8 * 1024 * 1024,
  /** How long close() lets in-flight requests finish before cutting connections. */
  closeGraceMs: 2000,
  /** A connection that has not said which protocol it speaks within this time is dropped. */
  sniffTimeoutMs: 10_000,
} as const;

/** The `fql-engine` command's storage and admin secret. */
export const CLI_DEFAULTS = {
  /** The local Fauna image's admin secret. */
  secret: 'secret',
  /** A PGlite data directory, relative to the working directory. */
  dataDir: '.data/engine',
} as const;

/** The PostgreSQL storage's options. */
export const POSTGRES_DEFAULTS = {
  /** How many times a transaction is tried in all before `serialization_failure`. */
  tries: 20,
  poolSize: 10,
  connectTimeoutMs: 15_000,
} as const;
