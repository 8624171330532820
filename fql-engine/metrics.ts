/**
 * What one query cost, in the response headers Fauna sent and the driver reads
 * (`client.queryWithMetrics`). Fauna billed by them; the engine bills nobody, and reports them
 * so that a program that logs or watches them sees true numbers about its own queries.
 *
 * Each header, as this engine counts it (reads and writes of the attempt that answered; an
 * attempt that was retried counts only in x-txn-retries):
 * - x-query-time: milliseconds from the request's arrival to its answer.
 * - x-compute-ops: function calls evaluated, one op per 50 (Fauna's rate), at least one.
 * - x-byte-read-ops: one per 4 KiB (rounded up) of each document read and of each index range
 *   read, as Fauna charged them; a read the transaction answers from its own cache counts again.
 * - x-byte-write-ops: one per 1 KiB (rounded up) of each document written and of each document's
 *   index entries written; a delete is one.
 * - x-read-ops / x-write-ops: Fauna's older, size-blind counts, which it still sent and the
 *   driver's own tests read: one per document or index range read, one per document written
 *   (with its index entries) or deleted.
 * - x-storage-bytes-read / x-storage-bytes-write: the bytes behind those ops (wire-encoded
 *   document bodies, index entries' keys and values).
 * - x-query-bytes-in / x-query-bytes-out: the request and response bodies, in bytes.
 * - x-txn-retries: how many times the transaction was run again after a serialization failure.
 */

import { storedJsonBytes } from './storage/sql-tx.ts';
import type { StorageTx } from './storage/types.ts';

const READ_OP_BYTES = 4096;
const WRITE_OP_BYTES = 1024;
const CALLS_PER_COMPUTE_OP = 50;

export class QueryMeter {
  /** Function calls evaluated (the evaluator counts them). */
  calls = 0;
  private attempts = 0;
  private bytesRead = 0;
  private readOps = 0;
  private bytesWritten = 0;
  private writeOps = 0;
  private reads = 0;
  private writes = 0;

  /** A transaction attempt begins: what an earlier attempt counted was rolled back with it. */
  startAttempt(): void {
    this.attempts += 1;
    this.calls = 0;
    this.bytesRead =
      this.readOps =
      this.bytesWritten =
      this.writeOps =
      this.reads =
      this.writes =
        0;
  }

  read(bytes: number): void {
    this.reads += 1;
    this.bytesRead += bytes;
    this.readOps += Math.max(1, Math.ceil(bytes / READ_OP_BYTES));
  }

  wrote(bytes: number): void {
    this.writes += 1;
    this.bytesWritten += bytes;
    this.writeOps += Math.max(1, Math.ceil(bytes / WRITE_OP_BYTES));
  }

  headers(elapsedMs: number, bytesIn: number, bytesOut: number): Record<string, string> {
    return {
      'x-query-time': String(Math.round(elapsedMs)),
      'x-compute-ops': String(Math.max(1, Math.ceil(this.calls / CALLS_PER_COMPUTE_OP))),
      'x-byte-read-ops': String(this.readOps),
      'x-byte-write-ops': String(this.writeOps),
      'x-read-ops': String(this.reads),
      'x-write-ops': String(this.writes),
      'x-storage-bytes-read': String(this.bytesRead),
      'x-storage-bytes-write': String(this.bytesWritten),
      'x-query-bytes-in': String(bytesIn),
      'x-query-bytes-out': String(bytesOut),
      'x-txn-retries': String(Math.max(0, this.attempts - 1)),
    };
  }
}

/**
 * The sizes of stored bodies already measured. A transaction's read cache answers every read of
 * a document with the same object, and each read counts (see above): measuring it once is enough.
 */
const measured = new WeakMap<object, number>();

/**
 * A value's size as stored: JSON text, in UTF-8 bytes. What storage decoded was measured on its
 * text as it came (storedJsonBytes); anything else (a body about to be written) is encoded here.
 */
function jsonBytes(value: unknown): number {
  if (value === null || typeof value !== 'object') return Buffer.byteLength(JSON.stringify(value ?? null));
  let bytes = measured.get(value) ?? storedJsonBytes(value);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(JSON.stringify(value));
    measured.set(value, bytes);
  }
  return bytes;
}

type EntryLike = { readonly sortKey: Uint8Array; readonly values: unknown; readonly terms?: Uint8Array };

function entryBytes(entries: readonly EntryLike[]): number {
  let bytes = 0;
  for (const e of entries) bytes += e.sortKey.length + (e.terms?.length ?? 0) + jsonBytes(e.values);
  return bytes;
}

/**
 * The transaction with its reads and writes counted. A Proxy, so that it passes every method it
 * does not count straight through, including ones the storage contract may gain.
 */
export function metered(tx: StorageTx, meter: QueryMeter): StorageTx {
  const counted: Partial<StorageTx> = {
    getDoc: async (...args) => {
      const doc = await tx.getDoc(...args);
      meter.read(doc === null ? 0 : jsonBytes(doc.body));
      return doc;
    },
    getDocs: async (...args) => {
      const docs = await tx.getDocs(...args);
      for (const doc of docs) meter.read(doc === null ? 0 : jsonBytes(doc.body));
      return docs;
    },
    scanDocs: async (...args) => {
      const docs = await tx.scanDocs(...args);
      for (const doc of docs) meter.read(jsonBytes(doc.body));
      if (docs.length === 0) meter.read(0);
      return docs;
    },
    scanIndex: async (...args) => {
      const entries = await tx.scanIndex(...args);
      meter.read(entryBytes(entries));
      return entries;
    },
    scanIndexWithDocs: async (...args) => {
      const entries = await tx.scanIndexWithDocs(...args);
      meter.read(entryBytes(entries));
      for (const e of entries) if (e.doc !== null) meter.read(jsonBytes(e.doc.body));
      return entries;
    },
    insertDoc: async (db, doc) => {
      meter.wrote(jsonBytes(doc.body));
      return tx.insertDoc(db, doc);
    },
    putDoc: async (db, doc) => {
      meter.wrote(jsonBytes(doc.body));
      return tx.putDoc(db, doc);
    },
    deleteDoc: async (...args) => {
      meter.wrote(0);
      return tx.deleteDoc(...args);
    },
    putIndexEntries: async (db, indexId, doc, entries, options) => {
      meter.wrote(entryBytes(entries));
      return tx.putIndexEntries(db, indexId, doc, entries, options);
    },
  };
  return new Proxy(tx, {
    get(target, name, receiver) {
      if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(counted, name)) return counted[name as keyof StorageTx];
      const member: unknown = Reflect.get(target, name, receiver);
      // `Function.bind` is typed `any`; what the proxy hands out is only ever called.
      return typeof member === 'function' ? (member.bind(target) as unknown) : member;
    },
  });
}
