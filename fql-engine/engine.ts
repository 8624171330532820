/**
 * The engine: a RequestHandler that answers the faunadb driver's requests. It checks the
 * secret, runs the query as one storage transaction, and writes Fauna's response shapes.
 * Both transports (HTTP and in-process fetch) call `handle`; nothing else reaches the evaluator.
 */

import { ENGINE_DEFAULTS, JWKS_DEFAULTS, STREAM_DEFAULTS } from './defaults.ts';
import { FaunaError, type FaunaErrorDetail } from './errors.ts';
import { assertExpressionDepth } from './limits.ts';
import { IdentityHints, resolveCaller, verifyJwtSecret, type VerifiedJwt } from './auth.ts';
import { JwksVerifier, looksLikeJwt, type JwksOptions } from './jwt.ts';
import { withProviderRoles } from './eval/access-providers.ts';
import { hashSecret } from './keys.ts';
import { Env } from './eval/env.ts';
import { Evaluator } from './eval/evaluate.ts';
import { QueryContext, type EngineSettings } from './eval/context.ts';
import { PasswordWork } from './eval/passwords.ts';
import { SchemaCache, SharedSchemaCache, StaleSchemaError } from './eval/schema-cache.ts';
import { buildSpecTable } from './eval/table.ts';
import { mayWrite } from './eval/writing-forms.ts';
import { RoleAccess } from './eval/access.ts';
import type { EngineRequest, EngineResponse, RequestHandler } from './protocol.ts';
import { openStorage } from './storage/open-storage.ts';
import { ReadCachingTx } from './storage/read-cache.ts';
import { ROOT_DB, StorageError, type Storage, type StorageTx } from './storage/types.ts';
import { encodeValue } from './wire.ts';
import { QueryMeter, metered } from './metrics.ts';
import { openStream, type StreamHost } from './stream/endpoint.ts';
import { readOnly } from './stream/read-only.ts';
import { FaunaTime, type Json } from './values.ts';

export interface EngineOptions {
  /** PostgreSQL connection string; when set, PostgreSQL is the storage. */
  readonly databaseUrl?: string;
  /** PGlite data directory (file-backed). */
  readonly dataDir?: string;
  /** PGlite in memory: nothing is kept. */
  readonly memory?: boolean;
  /** The admin secret of the root database. */
  readonly adminSecret: string;
  /** A storage already opened (tests share one); the engine then does not close it. */
  readonly storage?: Storage;
  /** Milliseconds since the epoch; tests inject a clock to make time pass. */
  readonly clock?: () => number;
  readonly pushdown?: boolean;
  /**
   * Look ahead for reads a query is certain to make and start them together (eval/foresight.ts).
   * Default: on PostgreSQL, where each read waited for is a round trip; off on PGlite, where it saves nothing.
   */
  readonly readAhead?: boolean;
  /** bcrypt cost for `credentials` passwords. Every default is in defaults.ts. */
  readonly bcryptCost?: number;
  /** How often expired documents are swept away (they are invisible at once regardless). */
  readonly sweepIntervalMs?: number;
  /** How access providers' JWKS are fetched and cached. */
  readonly jwks?: Partial<JwksOptions>;
  /** How many changes a stream holds for a client that reads too slowly before it ends it (defaults.ts). */
  readonly streamQueueLimit?: number;
}

export interface Engine extends RequestHandler {
  readonly storage: Storage;
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/json;charset=utf-8';

/**
 * Storages that more than one engine of this process writes: given to openEngine by a caller
 * (tests share one between engines). Their engines, the first one included, must check the
 * schema version like engines on a PostgreSQL that other processes share.
 */
const sharedStorages = new WeakSet<Storage>();

export async function openEngine(options: EngineOptions): Promise<Engine> {
  if (options.storage !== undefined) sharedStorages.add(options.storage);
  const storage = options.storage ?? (await openStorage({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, memory: options.memory }));
  return new FqlEngine(storage, options, options.storage === undefined);
}

class FqlEngine implements Engine {
  private readonly evaluator = new Evaluator(buildSpecTable());
  private readonly access = new RoleAccess(this.evaluator);
  private readonly settings: EngineSettings;
  private readonly clock: () => number;
  private readonly sweeper: NodeJS.Timeout;
  private lastMicros = 0;
  /** Schema kept between queries: trusted where this process is the storage's only writer, else checked against its version. */
  private readonly sharedSchema: SharedSchemaCache;
  /** Kept like every key's secret, as its hash: a presented secret is compared with it in constant time. */
  private readonly adminSecretHash: string;
  private readonly jwks: JwksVerifier;
  private readonly streamHost: StreamHost;
  /** Where tokens' identities are kept, so that a token and its identity are read in one statement (auth.ts). */
  private readonly identityHints = new IdentityHints(ENGINE_DEFAULTS.identityHints);

  constructor(
    readonly storage: Storage,
    options: EngineOptions,
    private readonly ownsStorage: boolean,
  ) {
    this.streamHost = {
      storage,
      sessions: new Set(),
      maxQueuedChanges: options.streamQueueLimit ?? STREAM_DEFAULTS.maxQueuedChanges,
      // A stream's transactions fail the way a query's do: a storage failure is `unavailable`.
      asCaller: (secret, fn) =>
        this.asCaller(secret, new QueryMeter(), { readOnlyStorage: true, refuseWrites: true }, fn).catch((err: unknown) => {
          throw toFaunaError(err);
        }),
      evaluate: (ctx, expr) => this.evaluator.evaluate(expr, Env.empty, ctx, []),
    };
    this.settings = {
      pushdown: options.pushdown ?? ENGINE_DEFAULTS.pushdown,
      maxDepth: ENGINE_DEFAULTS.maxCallDepth,
      bcryptCost: options.bcryptCost ?? ENGINE_DEFAULTS.bcryptCost,
      readAhead: options.readAhead ?? storage.backend === 'postgres',
    };
    // PGlite's data directory is locked to this process: alone on it, the engine can trust its cache.
    this.sharedSchema = new SharedSchemaCache(() => storage.backend === 'postgres' || sharedStorages.has(storage));
    this.clock = options.clock ?? Date.now;
    this.adminSecretHash = hashSecret(options.adminSecret);
    this.jwks = new JwksVerifier({ ...JWKS_DEFAULTS, ...options.jwks });
    this.sweeper = setInterval(() => void this.sweep(), options.sweepIntervalMs ?? ENGINE_DEFAULTS.sweepIntervalMs);
    this.sweeper.unref();
  }

  async handle(req: EngineRequest): Promise<EngineResponse> {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path === '/ping') return this.ping(req.params);
    if (req.path === '/stream' && req.method !== 'POST') {
      return errorResponse(new FaunaError('method not allowed', `Method ${req.method} is not allowed on /stream: streams are opened with POST.`));
    }
    if (req.method !== 'POST' || (req.path !== '/' && req.path !== '/stream')) {
      return errorResponse(new FaunaError('bad request', `Unsupported endpoint: ${req.method} ${req.path}.`));
    }
    const secret = secretFrom(req.headers.authorization);
    if (secret === null) return errorResponse(new FaunaError('unauthorized', 'Unauthorized'));
    let expr: Json;
    try {
      expr = JSON.parse(req.body) as Json;
    } catch {
      return errorResponse(new FaunaError('invalid expression', 'The request body is not valid JSON.'));
    }
    if (req.path === '/stream') return this.stream(secret, expr, req.params);
    const started = performance.now();
    const meter = new QueryMeter();
    const answer = await this.run(secret, expr, meter);
    // Object.assign, not spread syntax: on Node 20, spreading these 14 headers into a new object
    // cost about 13 µs a query, Object.assign 0.7.
    const headers: Record<string, string> = Object.assign(
      {},
      answer.headers,
      meter.headers(performance.now() - started, Buffer.byteLength(req.body), Buffer.byteLength(answer.body)),
      traceHeaders(req),
    );
    return { status: answer.status, headers, body: answer.body };
  }

  private async run(secret: string, expr: Json, meter: QueryMeter): Promise<EngineResponse> {
    try {
      assertExpressionDepth(expr);
      const { value, txnTime } = await this.asCaller(
        secret,
        meter,
        { readOnlyStorage: !mayWrite(expr), refuseWrites: false },
        (ctx) => this.evaluator.evaluate(expr, Env.empty, ctx, []),
      );
      return json(200, { resource: encodeValue(value) }, txnTime);
    } catch (err) {
      return errorResponse(toFaunaError(err));
    }
  }

  /**
   * One transaction as the secret's caller: a query's, or a stream's (which may not write). A
   * provider's JWT is verified first, outside the transaction: fetching a JWKS may take seconds.
   * The transaction runs again while the schema changes under the version this process cached.
   */
  private async asCaller<T>(
    secret: string,
    meter: QueryMeter,
    mode: CallerMode,
    fn: (ctx: QueryContext) => Promise<T>,
  ): Promise<{ value: T; txnTime: number }> {
    const passwords = new PasswordWork(this.settings.bcryptCost);
    const jwt: VerifiedJwt | undefined = looksLikeJwt(secret)
      ? await verifyJwtSecret(this.storage, this.sharedSchema, this.jwks, secret, this.clock())
      : undefined;
    for (let attempt = 1;; attempt += 1) {
      try {
        return await this.storage.transaction((storageTx) => this.evaluate(storageTx, { secret, jwt }, mode, { passwords, meter }, fn), {
          readOnly: mode.readOnlyStorage,
        });
      } catch (err) {
        if (!(err instanceof StaleSchemaError) || attempt >= STALE_SCHEMA_TRIES) throw err;
      }
    }
  }

  /** POST /stream (stream/endpoint.ts). */
  private async stream(secret: string, expr: Json, params: URLSearchParams | undefined): Promise<EngineResponse> {
    try {
      assertExpressionDepth(expr);
      return await openStream(this.streamHost, secret, expr, params);
    } catch (err) {
      return errorResponse(toFaunaError(err));
    }
  }

  /**
   * GET /ping?scope=…&timeout=…, as Fauna answered it: `node` (and any scope it does not know)
   * says the process is up; `read`, `write` and `all` (`local` and `global` are their old names)
   * also run a transaction on the storage, and answer 503 when it fails or takes longer than
   * the timeout (milliseconds; Fauna's defaults per scope).
   */
  private async ping(params: URLSearchParams | undefined): Promise<EngineResponse> {
    const { scope, defaultTimeoutMs } = pingScope(params?.get('scope') ?? 'write');
    if (scope === 'node') return json(200, { resource: 'Scope node is OK' });
    const asked = Number(params?.get('timeout'));
    const timeoutMs = Number.isSafeInteger(asked) && asked > 0 ? asked : defaultTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const outcome = await Promise.race([this.storage.transaction((tx) => tx.schemaVersion(ROOT_DB)), timedOut]);
      if (outcome === 'timeout') return errorResponse(new FaunaError('unavailable', `Scope ${scope} timed out after ${timeoutMs} milliseconds`));
      return json(200, { resource: `Scope ${scope} is OK` });
    } catch {
      return errorResponse(new FaunaError('unavailable', `Scope ${scope} is unavailable`));
    } finally {
      clearTimeout(timer);
    }
  }

  private async evaluate<T>(
    storageTx: StorageTx,
    credential: { secret: string; jwt: VerifiedJwt | undefined },
    mode: CallerMode,
    work: { passwords: PasswordWork; meter: QueryMeter },
    fn: (ctx: QueryContext) => Promise<T>,
  ): Promise<{ value: T; txnTime: number }> {
    work.meter.startAttempt();
    const cached = new ReadCachingTx(storageTx);
    const tx = metered(mode.refuseWrites ? readOnly(cached) : cached, work.meter);
    const now = this.nextTime();
    const schema = new SchemaCache(tx, this.sharedSchema);
    let value: T;
    try {
      const caller = await resolveCaller(tx, schema, credential.secret, this.adminSecretHash, this.identityHints, now.epochMicros, credential.jwt);
      const queryTx = caller.caller.readOnly === true ? readOnly(tx, refuseReadOnlyWrite) : tx;
      const query = new QueryContext(queryTx, caller.db, now, caller.caller, this.settings, schema, this.access, work.passwords, this.evaluator, work.meter);
      if (this.settings.readAhead) query.foreseen = new WeakSet();
      const ctx = await withProviderRoles(query);
      value = await fn(ctx);
    } catch (err) {
      // An error that stale schema may have caused is not the answer: verify throws first.
      await schema.verify();
      throw err;
    }
    await schema.verify();
    return { value, txnTime: now.epochMicros };
  }

  /** Transaction time: microseconds, strictly increasing within this process. */
  private nextTime(): FaunaTime {
    const micros = Math.max(Math.floor(this.clock() * 1000), this.lastMicros + 1);
    this.lastMicros = micros;
    return FaunaTime.fromMicros(micros);
  }

  private async sweep(): Promise<void> {
    try {
      await this.storage.sweepExpired(Math.floor(this.clock() * 1000));
    } catch (err) {
      console.error(`fql-engine: sweeping expired documents failed: ${(err as Error).message}`);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const session of [...this.streamHost.sessions]) session.close();
    if (this.ownsStorage) await this.storage.close();
  }
}

/** Fauna answered a query's `traceparent` and `x-fauna-tags` (the driver sends both) with themselves. */
function traceHeaders(req: EngineRequest): Record<string, string> {
  const echoed: Record<string, string> = {};
  for (const name of ['traceparent', 'x-fauna-tags']) {
    const value = req.headers[name];
    if (value !== undefined && value !== '') echoed[name] = value;
  }
  return echoed;
}

type PingScope = 'node' | 'read' | 'write' | 'all';

function pingScope(asked: string): { scope: PingScope; defaultTimeoutMs: number } {
  switch (asked) {
    case 'all':
      return { scope: 'all', defaultTimeoutMs: 5000 };
    case 'write':
    case 'global':
      return { scope: 'write', defaultTimeoutMs: 1000 };
    case 'read':
    case 'local':
      return { scope: 'read', defaultTimeoutMs: 500 };
    default:
      return { scope: 'node', defaultTimeoutMs: 100 };
  }
}

/** `Bearer <secret>`, or `Basic base64(<secret>:)` from older drivers. */
function secretFrom(header: string | undefined): string | null {
  if (!header) return null;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!value) return null;
  if (scheme.toLowerCase() === 'bearer') return value;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString();
    const secret = decoded.endsWith(':') ? decoded.slice(0, -1) : decoded.split(':')[0];
    return secret || null;
  }
  return null;
}

/** How a caller's transaction runs: READ ONLY in storage, and whether the evaluator may write at all (a stream's may not). */
interface CallerMode {
  readonly readOnlyStorage: boolean;
  readonly refuseWrites: boolean;
}

/** How many times a query runs when the schema keeps changing under it. */
const STALE_SCHEMA_TRIES = 5;

function toFaunaError(err: unknown): FaunaError {
  if (err instanceof FaunaError) return err;
  if (err instanceof StorageError && err.code === 'serialization_failure') {
    return new FaunaError('contended transaction', 'Transaction was aborted due to detection of concurrent modifications.');
  }
  if (err instanceof StorageError && err.code === 'unavailable') {
    return new FaunaError('unavailable', 'The storage is not available right now.');
  }
  if (err instanceof StorageError && err.code === 'resource_exhausted') {
    // What ran out is the server's configuration to fix: the log says which, the client that it was not unavailability.
    console.error(`fql-engine: ${err.message}`);
    return new FaunaError('unavailable', 'The storage ran out of a resource (see the engine log).');
  }
  // The query itself outgrew what this process can hold: its fault, not the engine's. V8 throws
  // these before it runs out of stack or builds an oversized string, and nothing was committed.
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new FaunaError('stack overflow', 'The query is nested too deeply, or builds a value nested too deeply.');
  }
  if (err instanceof RangeError && /string length/i.test(err.message)) {
    return new FaunaError('invalid argument', 'The query builds a string larger than the engine can hold.');
  }
  // Anything else is a bug: say so without leaking internals to the client.
  console.error('fql-engine: internal error:', err);
  return new FaunaError('internal server error', 'The engine failed to answer this query.');
}

function errorResponse(err: FaunaError): EngineResponse {
  const detail: FaunaErrorDetail = err.toDetail();
  return json(err.status, { errors: [detail as unknown as Json] });
}

function json(status: number, body: Json, txnTime?: number): EngineResponse {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE };
  if (txnTime !== undefined) headers['x-txn-time'] = String(txnTime);
  return { status, headers, body: JSON.stringify(body) };
}

/** A `server-readonly` key's write, wherever it is attempted: Fauna denied it. */
function refuseReadOnlyWrite(): never {
  throw new FaunaError('permission denied', 'Insufficient privileges to perform the action.');
}
