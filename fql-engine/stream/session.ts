/**
 * One open stream: the changes its target is interested in, queued as they commit, checked
 * against the caller's access, rendered and written to the client one transaction at a time.
 *
 * - Every committed transaction the storage announces is looked at once, in commit order; the
 *   changes that concern the target are queued as one batch, and batches are written in order.
 * - Backpressure: the queue is bounded (in changes). A client that reads too slowly lets it fill
 *   while writing waits for it to drain; past the bound the stream gets Fauna's congestion error
 *   event and ends, rather than hold an unbounded backlog in memory.
 * - Ending (client gone, server closing, storage lost, error) releases the subscription once.
 */

import { FaunaError } from '../errors.ts';
import type { ResponseStream, StreamSink } from '../protocol.ts';
import type { ChangeBatch, ChangeListener, StorageError } from '../storage/types.ts';
import { readChanges, type Change } from './change.ts';
import { errorEvent, startEvent } from './render.ts';

/** What a session needs from the engine for each batch. */
export interface BatchAuthority {
  /**
   * The lines to write for a batch, rendered for the caller and without what it may not read;
   * throws FaunaError('permission denied') when the caller's secret no longer works.
   */
  render(batch: readonly Change[]): Promise<string>;
}

export interface SessionOptions {
  readonly authority: BatchAuthority;
  readonly maxQueuedChanges: number;
  /** Called once the session ended, whatever the reason. */
  readonly onEnd: () => void;
}

/** What the stream watches, known once its expression was evaluated (at its start time). */
interface Interest {
  readonly concerns: (change: Change) => boolean;
  /** The stream's start time (microseconds): its `start` event. */
  readonly startTs: number;
}

export class StreamSession implements ResponseStream, ChangeListener {
  readonly #options: SessionOptions;
  /**
   * Subscribed before the stream's expression is evaluated, so that nothing committed after its
   * start is missed: what comes before `begin` waits here, and only what is later than the
   * start time is kept of it.
   */
  #interest: Interest | null = null;
  #early: ChangeBatch[] = [];
  readonly #queue: (readonly Change[])[] = [];
  #queued = 0;
  #sink: StreamSink | null = null;
  #pumping = false;
  #ended = false;
  /** Stops the storage subscription; set once subscribed. */
  unsubscribe: (() => Promise<void>) | null = null;

  constructor(options: SessionOptions) {
    this.#options = options;
  }

  // ---- ChangeListener: called by the storage, synchronously, in commit order ----

  changes(batch: ChangeBatch): void {
    if (this.#ended) return;
    if (this.#interest === null) {
      this.#early.push(batch);
      if (this.#early.length > this.#options.maxQueuedChanges) this.#early.shift();
      return;
    }
    this.#accept(batch, this.#interest, 0);
  }

  /** The stream started: it watches what `concerns` says, from `startTs` on. */
  begin(concerns: (change: Change) => boolean, startTs: number): void {
    const interest = { concerns, startTs };
    this.#interest = interest;
    const early = this.#early;
    this.#early = [];
    for (const batch of early) this.#accept(batch, interest, startTs);
  }

  #accept(batch: ChangeBatch, interest: Interest, after: number): void {
    const wanted: Change[] = [];
    for (const json of batch) {
      for (const change of readChanges(json)) if (change.ts > after && interest.concerns(change)) wanted.push(change);
    }
    if (wanted.length === 0) return;
    if (this.#queued + wanted.length > this.#options.maxQueuedChanges) {
      const limit = this.#options.maxQueuedChanges;
      this.#fail(new FaunaError('time out', `Stream closed due to congestion after accumulating ${limit} items.`), true);
      return;
    }
    this.#queue.push(wanted);
    this.#queued += wanted.length;
    void this.#pump();
  }

  failed(error: StorageError): void {
    this.#fail(new FaunaError('unavailable', `The stream cannot go on: ${error.message}.`), true);
  }

  // ---- ResponseStream: called by the transport ----

  open(sink: StreamSink): void {
    this.#sink = sink;
    if (this.#ended) {
      sink.end();
      return;
    }
    sink.write(startEvent(this.#interest?.startTs ?? 0));
    void this.#pump();
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue.length = 0;
    this.#queued = 0;
    this.#sink?.end();
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    void unsubscribe?.().catch(() => undefined);
    this.#options.onEnd();
  }

  // ---- writing ----

  async #pump(): Promise<void> {
    if (this.#pumping || this.#sink === null) return;
    this.#pumping = true;
    try {
      while (!this.#ended && this.#queue.length > 0) {
        const batch = this.#queue[0];
        const lines = await this.#options.authority.render(batch);
        this.#queue.shift();
        this.#queued -= batch.length;
        if (this.#ended) return;
        if (lines !== '' && !this.#sink.write(lines)) await this.#sink.drained();
      }
    } catch (error) {
      // Fauna dated a lost authorization at the transaction that found it lost.
      const txn = this.#queue[0]?.[0]?.ts ?? 0;
      this.#fail(error instanceof FaunaError ? error : new FaunaError('internal server error', 'The stream failed to render an event.'), false, txn);
      if (!(error instanceof FaunaError)) console.error('fql-engine: stream failed:', error);
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Ends the stream with an error event. `dropQueue`: the error overtakes what is queued (a
   * congestion or a lost storage); otherwise it follows what was already written.
   */
  #fail(error: FaunaError, dropQueue: boolean, txn = 0): void {
    if (this.#ended) return;
    if (dropQueue) this.#queue.length = 0;
    this.#sink?.write(errorEvent(error, txn));
    this.close();
  }
}
