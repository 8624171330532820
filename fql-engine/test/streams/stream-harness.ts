/**
 * Streams through the unmodified driver: `client.stream(expr, {fields})` over HTTP/2 (the
 * driver's own adapter) against an engine on a port, on PGlite or on PostgreSQL.
 *
 * A stream case is data (stream-cases.ts): a setup run as the case database's admin, the
 * expression to stream, who streams it, the writes to make once the stream has started, and
 * either the events expected (in order, `ts` values replaced by '<ts>', `txn` checked apart:
 * never below the start event's) or the error code the stream must fail with.
 */

import faunadb, { type Client } from 'faunadb';
import { openEngine, type Engine, type EngineOptions } from '../../engine.ts';
import { startHttpServer, type RunningHttpServer } from '../../transport/http-server.ts';

export const q = faunadb.query;
export type Q = typeof faunadb.query;
export type Expr = Parameters<typeof faunadb.query.Do>[0];
export const ADMIN_SECRET = 'secret';

export interface StreamCase {
  readonly name: string;
  readonly setup?: (q: Q) => readonly Expr[];
  readonly stream: (q: Q) => Expr;
  readonly fields?: readonly string[];
  /** Streams as a key with this role (made in the case database) instead of its admin. */
  readonly asRole?: string;
  /** Run one after another, as the admin, once the stream has started. */
  readonly writes?: (q: Q) => readonly Expr[];
  readonly expectEvents?: readonly unknown[];
  /** The code of the error the stream fails with: an HTTP error when it opens, or an error event. */
  readonly expectError?: string;
}

export type Received = { readonly type: string; readonly txn: number; readonly event: unknown };

/** An engine on a port, and drivers that reach it over HTTP/2. */
export class StreamRig {
  private constructor(
    readonly engine: Engine,
    readonly server: RunningHttpServer,
  ) {}

  static async open(options: Partial<EngineOptions>): Promise<StreamRig> {
    const engine = await openEngine({ adminSecret: ADMIN_SECRET, ...options });
    return new StreamRig(engine, await startHttpServer(engine, { host: '127.0.0.1', port: 0 }));
  }

  client(secret: string): Client {
    return new faunadb.Client({ secret, domain: '127.0.0.1', port: this.server.port, scheme: 'http' });
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.engine.close();
  }
}

let dbCounter = 0;

/** A fresh database for a case, and its admin's client. */
export async function caseDatabase(rig: StreamRig, label: string): Promise<{ name: string; admin: Client }> {
  const name = `s_${label}_${process.pid}_${++dbCounter}`;
  const root = rig.client(ADMIN_SECRET);
  await root.query(q.CreateDatabase({ name }));
  await root.close();
  return { name, admin: rig.client(`${ADMIN_SECRET}:${name}:admin`) };
}

export interface Collected {
  readonly start: number | null;
  readonly events: Received[];
  readonly error: { readonly code: string; readonly description: string } | null;
}

/**
 * Opens a stream, runs `afterStart` once it started, and collects what comes until `count`
 * events (or an error) have come, then a little longer to catch any extra, or until `timeoutMs`.
 */
export function collect(
  client: Client,
  expr: Expr,
  fields: readonly string[] | undefined,
  afterStart: () => Promise<void>,
  count: number,
  timeoutMs = 5000,
): Promise<Collected> {
  return new Promise((resolve) => {
    const events: Received[] = [];
    let start: number | null = null;
    let done = false;
    // Not the driver's field names only: a case may send one the engine must refuse.
    type DriverFields = NonNullable<NonNullable<Parameters<Client['stream']>[1]>['fields']>;
    const stream = client.stream(expr as faunadb.Expr, fields === undefined ? undefined : { fields: [...fields] as DriverFields });
    const finish = (error: Collected['error']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.close();
      resolve({ start, events, error });
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    const settleSoon = (): void => void setTimeout(() => finish(null), 150);
    const record = (type: string) => (event: unknown, full: { txn?: number }) => {
      events.push({ type, txn: full.txn ?? -1, event });
      if (events.length === count) settleSoon();
    };
    stream.on('start', (ts: number) => {
      start = ts;
      afterStart().then(() => count === 0 && settleSoon(), (error: unknown) => finish({ code: 'setup failed', description: String(error) }));
    });
    for (const type of ['version', 'set', 'history_rewrite'] as const) stream.on(type, record(type));
    stream.on('error', (error: unknown) => finish(errorOf(error)));
    stream.start();
  });
}

/** The code of a driver error (an HTTP answer) or of an error event ({code, description}). */
function errorOf(error: unknown): { code: string; description: string } {
  if (typeof error === 'object' && error !== null && 'code' in error && 'description' in error && !(error instanceof Error)) {
    return { code: String(error.code), description: String(error.description) };
  }
  const result = (error as { requestResult?: { responseContent?: { errors?: { code: string; description: string }[] } } }).requestResult;
  const first = result?.responseContent?.errors?.[0];
  if (first !== undefined) return { code: first.code, description: first.description };
  // An error event: the driver wraps it in StreamErrorEvent with the event's fields.
  const event = (error as { event?: { event?: { code?: string; description?: string } } }).event?.event;
  return { code: String(event?.code ?? (error as Error).name), description: String(event?.description ?? (error as Error).message) };
}

/** Events as comparable data: driver values to their JSON form, every `ts` to '<ts>'. */
export function normalise(value: unknown): unknown {
  const plain: unknown = JSON.parse(JSON.stringify(value));
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v !== 'object' || v === null) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'ts' ? '<ts>' : walk(x)]));
  };
  return walk(plain);
}
