/**
 * POST /stream: the driver's `client.stream(expr)` and `client.stream.document(ref)`.
 *
 * The body is an FQL expression, evaluated once, read-only, as the secret's caller: it must
 * give a document (ref or version), a Match of an index, or the Documents of a collection.
 * The answer is 200 with a body that never ends on its own: a `start` event at the stream's
 * start time, then an event for each committed change of its target that the caller may read,
 * checked again at each transaction (a secret that stopped working ends the stream with
 * Fauna's "Authorization lost" error event). The stream ends when the client closes it.
 */

import { FaunaError } from '../errors.ts';
import type { QueryContext } from '../eval/context.ts';
import type { EngineResponse } from '../protocol.ts';
import type { Storage } from '../storage/types.ts';
import { decodeValue } from '../wire.ts';
import { Ref, type Json, type Value } from '../values.ts';
import type { Change } from './change.ts';
import { documentsEvent, parseFields, setEvent, versionEvent, type EventField } from './render.ts';
import { StreamSession } from './session.ts';
import { concerns, streamTarget, type StreamTarget } from './target.ts';

/** What the stream endpoint needs of the engine. */
export interface StreamHost {
  readonly storage: Storage;
  readonly maxQueuedChanges: number;
  /** Runs `fn` in one read-only transaction as the secret's caller; throws FaunaError as a query would. */
  asCaller<T>(secret: string, fn: (ctx: QueryContext) => Promise<T>): Promise<{ value: T; txnTime: number }>;
  /** Evaluates an expression as a query would. */
  evaluate(ctx: QueryContext, expr: Json): Promise<Value>;
  /** Open sessions, so that closing the engine ends them. */
  readonly sessions: Set<StreamSession>;
}

let streamCounter = 0;

/** Opens a stream, or throws the FaunaError to answer instead. */
export async function openStream(host: StreamHost, secret: string, expr: Json, params: URLSearchParams | undefined): Promise<EngineResponse> {
  const fields = parseFields(params?.get('fields'));
  const session = new StreamSession({
    maxQueuedChanges: host.maxQueuedChanges,
    authority: { render: (batch) => renderBatch(host, secret, target, fields, batch) },
    onEnd: () => host.sessions.delete(session),
  });
  let target: StreamTarget | null = null;
  host.sessions.add(session);
  try {
    session.unsubscribe = await host.storage.subscribe(session);
    const started = await host.asCaller(secret, async (ctx) => streamTarget(ctx, await host.evaluate(ctx, expr)));
    target = started.value;
    session.begin((change) => concerns(started.value, change), started.txnTime);
    const headers = {
      'content-type': 'application/json;charset=utf-8',
      'x-txn-time': String(started.txnTime),
      'x-fauna-stream-id': String(++streamCounter),
    };
    return { status: 200, headers, body: '', stream: session };
  } catch (error) {
    session.close();
    throw error;
  }
}

/** The lines of one committed transaction's changes, as the caller may see them now. */
async function renderBatch(
  host: StreamHost,
  secret: string,
  target: StreamTarget | null,
  fields: ReadonlySet<EventField>,
  batch: readonly Change[],
): Promise<string> {
  if (target === null) return '';
  try {
    const { value } = await host.asCaller(secret, async (ctx) => {
      let lines = '';
      for (const change of batch) if (await readable(ctx, change)) lines += render(target, change, fields);
      return lines;
    });
    return value;
  } catch (error) {
    if (error instanceof FaunaError && error.code === 'unauthorized') {
      throw new FaunaError('permission denied', 'Authorization lost during stream evaluation.');
    }
    throw error;
  }
}

function render(target: StreamTarget, change: Change, fields: ReadonlySet<EventField>): string {
  if (change.kind === 'set') return setEvent(change, fields);
  return target.kind === 'documents' ? documentsEvent(change, fields) : versionEvent(change, fields);
}

/**
 * Whether the caller may read the changed document (and, for an index entry, the index at its
 * terms) as of the change's own transaction: an event carries the document as that write left
 * it, so a role predicate must judge that version, not a later one (a document turned blue and
 * then red must not show its blue version to a role that reads only red ones). Where the
 * collection keeps no history of that version, the read at that time finds nothing and the
 * event is not sent: when in doubt, nothing is shown.
 */
async function readable(now: QueryContext, change: Change): Promise<boolean> {
  const ctx = now.at(change.ts);
  const ref = decodeValue(change.ref);
  if (!(ref instanceof Ref) || ref.collection === undefined) return false;
  try {
    if (change.kind === 'set') {
      const index = decodeValue(change.indexRef);
      if (index instanceof Ref) await ctx.access.check(ctx, 'read', index, [decodeValue(change.termValues)]);
    }
    await ctx.access.check(ctx, 'read', ref.collection, [ref]);
    return true;
  } catch (error) {
    // A predicate that fails (it may Get the deleted document) grants nothing, as one answering false.
    if (error instanceof FaunaError) return false;
    throw error;
  }
}
