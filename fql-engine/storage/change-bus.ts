/**
 * The listeners of one storage's committed changes (`Storage.subscribe`), and what a backend
 * calls to reach them. A listener that throws is the listener's bug: it is reported and the
 * others still hear the batch, so one broken stream cannot silence the rest.
 */

import type { Json } from '../values.ts';
import type { ChangeBatch, ChangeListener, StorageError } from './types.ts';

/**
 * A committed transaction's announcements, built. One that fails to build is the evaluator's bug:
 * it is reported and left out, and never turns a committed (or committing) write into an error.
 */
export function buildBatch(published: readonly (() => Json)[]): Json[] {
  const batch: Json[] = [];
  for (const build of published) {
    try {
      batch.push(build());
    } catch (error) {
      console.error('fql-engine: an announcement failed to build:', error);
    }
  }
  return batch;
}

export class ChangeBus {
  readonly #listeners = new Set<ChangeListener>();

  get size(): number {
    return this.#listeners.size;
  }

  /** Adds a listener; the function returned removes it (idempotently). */
  add(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  deliver(batch: ChangeBatch): void {
    if (batch.length === 0) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener.changes(batch);
      } catch (error) {
        console.error('fql-engine: a change listener failed:', error);
      }
    }
  }

  /** Tells every listener nothing more will come, and forgets them. */
  fail(error: StorageError): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener.failed(error);
  }
}
