/**
 * One transaction's reads, remembered until the transaction itself writes over them.
 *
 * FQL reads the same things again and again within one query: the article's
 * `If(Exists(m), Update(Select('ref', Get(m)), ...), ...)` looks the index up twice and the
 * document three times. Inside one transaction nothing but the transaction itself can change
 * what a read answers (PGlite runs one transaction at a time; PostgreSQL's SERIALIZABLE
 * snapshot is fixed at the first read), so a repeated read can be answered from memory, as long
 * as every write forgets what it may have changed:
 *
 * - a document write forgets that document, and, but for an insert, every index scan of its
 *   database (a backend may carry a document's expiry into its entries, and deleteDoc drops
 *   them; a new document has no entries until they are written);
 * - an index entry write forgets the scans of that index; a new document's entries, only the
 *   scans of their terms (nothing else of the index changed);
 * - drop forgets everything.
 *
 * Reads the evaluator foresees (`readAhead`, eval/foresight.ts) are started together, before
 * it asks for them one by one: on PostgreSQL they then share one round trip.
 *
 * A scan for a single entry (Get or Exists of a set) brings its document along in the same
 * statement, so the read of it that follows costs nothing.
 *
 * The cache lives and dies with one transaction attempt: a retried transaction starts empty.
 */

import type {
  DbId,
  DocRef,
  DropScope,
  EntryInput,
  EntryOwner,
  IndexEntry,
  IndexEntryWithDoc,
  PutEntriesOptions,
  ReadAhead,
  ScanRange,
  StorageTx,
  StoredDoc,
  StoredVersion,
  VersionRange,
} from './types.ts';
import type { Json } from '../values.ts';

export class ReadCachingTx implements StorageTx {
  private readonly docs = new Map<string, Promise<StoredDoc | null>>();
  private readonly scans = new Map<string, Promise<IndexEntry[]>>();
  /**
   * Counts what writes forgot. A read remembered only once it has answered (the documents a scan
   * brings along) is remembered only if nothing was forgotten meanwhile: a read the evaluator
   * foresaw past a write (foresight.ts) may answer after that write, with what it overwrote.
   */
  private forgotten = 0;

  constructor(private readonly tx: StorageTx) {}

  getDoc(db: DbId, coll: string, id: string, now: number): Promise<StoredDoc | null> {
    const key = docKey(db, coll, id, now);
    let read = this.docs.get(key);
    if (read === undefined) {
      read = this.tx.getDoc(db, coll, id, now);
      this.docs.set(key, read);
      // A failed read is not remembered: the error belongs to the one caller that saw it.
      // A write may have forgotten this read and a newer one taken its place: leave that one.
      read.catch(() => this.docs.get(key) === read && this.docs.delete(key));
    }
    return read;
  }

  /** What is not remembered yet is read in one statement, and remembered each on its own. */
  getDocs(db: DbId, keys: readonly DocRef[], now: number): Promise<(StoredDoc | null)[]> {
    const missing = keys.filter((key) => !this.docs.has(docKey(db, key.coll, key.id, now)));
    if (missing.length > 0) {
      const read = this.tx.getDocs(db, missing, now);
      missing.forEach((key, i) => {
        const docKeyOf = docKey(db, key.coll, key.id, now);
        const one = read.then((docs) => docs[i]);
        this.docs.set(docKeyOf, one);
        // A write may have forgotten this read and a newer one taken its place: leave that one.
        one.catch(() => this.docs.get(docKeyOf) === one && this.docs.delete(docKeyOf));
      });
    }
    return Promise.all(keys.map((key) => this.getDoc(db, key.coll, key.id, now)));
  }

  async insertDoc(db: DbId, doc: StoredDoc): Promise<boolean> {
    this.forgetDoc(db, doc.coll, doc.id);
    return this.tx.insertDoc(db, doc);
  }

  async putDoc(db: DbId, doc: StoredDoc): Promise<void> {
    this.forgetDocWrite(db, doc.coll, doc.id);
    return this.tx.putDoc(db, doc);
  }

  async deleteDoc(db: DbId, coll: string, id: string): Promise<boolean> {
    this.forgetDocWrite(db, coll, id);
    return this.tx.deleteDoc(db, coll, id);
  }

  scanDocs(db: DbId, coll: string, range: ScanRange<string>): Promise<StoredDoc[]> {
    return this.tx.scanDocs(db, coll, range);
  }

  publish(change: () => Json): void {
    this.tx.publish(change);
  }

  async putIndexEntries(
    db: DbId,
    indexId: string,
    doc: EntryOwner,
    entries: readonly EntryInput[],
    options?: PutEntriesOptions,
  ): Promise<void> {
    if (options?.fresh === true) {
      for (const terms of new Set(entries.map((e) => hex(e.terms)))) this.forgetScans(scanPrefix(db, indexId, terms));
    } else {
      this.forgetScans(scanPrefix(db, indexId));
    }
    return this.tx.putIndexEntries(db, indexId, doc, entries, options);
  }

  /**
   * Starts the foreseen reads this transaction does not hold yet, all at once, and keeps them as
   * any read: the calls that follow are answered from them. One read alone gains nothing (the
   * evaluator is about to make it), and it might yet be made after a write that forgets it.
   */
  readAhead(reads: readonly ReadAhead[]): void {
    const missing = new Map<string, ReadAhead>();
    for (const read of reads) {
      const key = read.kind === 'doc' ? docKey(read.db, read.coll, read.id, read.now) : scanKey(read.db, read.indexId, read.terms, read.range);
      if (!(read.kind === 'doc' ? this.docs : this.scans).has(key)) missing.set(key, read);
    }
    if (missing.size < 2) return;
    for (const read of missing.values()) {
      const started = read.kind === 'doc' ? this.getDoc(read.db, read.coll, read.id, read.now) : this.scanIndex(read.db, read.indexId, read.terms, read.range);
      // Its failure is reported to the call that asks for it (the cache keeps no failed read).
      started.catch(() => undefined);
    }
  }

  scanIndex(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): Promise<IndexEntry[]> {
    const key = scanKey(db, indexId, terms, range);
    let scan = this.scans.get(key);
    if (scan === undefined) {
      // A scan for one entry is Get or Exists of a set, which reads that document next: it comes
      // in the same statement, and the read that follows is answered from here.
      scan = range.limit === 1 ? this.scanIndexWithDocs(db, indexId, terms, range) : this.tx.scanIndex(db, indexId, terms, range);
      this.scans.set(key, scan);
      scan.catch(() => this.scans.get(key) === scan && this.scans.delete(key));
    }
    // A copy: the caller may sort or splice what it is given.
    return scan.then((entries) => [...entries]);
  }

  async scanIndexWithDocs(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): Promise<IndexEntryWithDoc[]> {
    const forgottenBefore = this.forgotten;
    const found = await this.tx.scanIndexWithDocs(db, indexId, terms, range);
    if (this.forgotten === forgottenBefore) {
      for (const entry of found) this.docs.set(docKey(db, entry.coll, entry.id, range.now), Promise.resolve(entry.doc));
    }
    return found;
  }

  claimUnique(db: DbId, indexId: string, key: Uint8Array, doc: DocRef): Promise<DocRef | null> {
    return this.tx.claimUnique(db, indexId, key, doc);
  }

  releaseUnique(db: DbId, indexId: string, doc: DocRef): Promise<void> {
    return this.tx.releaseUnique(db, indexId, doc);
  }

  // History is read rarely and never twice in one query: it passes straight through.
  putVersion(db: DbId, version: StoredVersion): Promise<void> {
    return this.tx.putVersion(db, version);
  }

  removeVersion(db: DbId, coll: string, id: string, ts: number): Promise<boolean> {
    return this.tx.removeVersion(db, coll, id, ts);
  }

  scanVersions(db: DbId, coll: string, id: string | null, range: VersionRange): Promise<StoredVersion[]> {
    return this.tx.scanVersions(db, coll, id, range);
  }

  versionsAt(db: DbId, coll: string, ts: number, now: number): Promise<StoredVersion[]> {
    return this.tx.versionsAt(db, coll, ts, now);
  }

  async drop(db: DbId, scope: DropScope): Promise<void> {
    this.forgotten++;
    this.docs.clear();
    this.scans.clear();
    return this.tx.drop(db, scope);
  }

  schemaVersion(db: DbId): Promise<number> {
    return this.tx.schemaVersion(db);
  }

  bumpSchemaVersion(db: DbId): Promise<void> {
    return this.tx.bumpSchemaVersion(db);
  }

  /** A document written: its reads at any time, and every index scan of its database (see above). */
  private forgetDocWrite(db: DbId, coll: string, id: string): void {
    this.forgetDoc(db, coll, id);
    this.forgetScans(scanPrefix(db));
  }

  private forgetDoc(db: DbId, coll: string, id: string): void {
    this.forgotten++;
    const prefix = docPrefix(db, coll, id);
    for (const key of this.docs.keys()) if (key.startsWith(prefix)) this.docs.delete(key);
  }

  private forgetScans(prefix: string): void {
    this.forgotten++;
    for (const key of this.scans.keys()) if (key.startsWith(prefix)) this.scans.delete(key);
  }
}

/** What every read of a document starts with, whatever its time. */
function docPrefix(db: DbId, coll: string, id: string): string {
  return `${db}\u0000${coll}\u0000${id}\u0000`;
}

/** A read of a document at `now`. */
function docKey(db: DbId, coll: string, id: string, now: number): string {
  return `${docPrefix(db, coll, id)}${now}`;
}

function hex(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? '-' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** What every scan of a database (of one of its indexes, at given terms) starts with: a write forgets them by it. */
function scanPrefix(db: DbId, indexId?: string, termsHex?: string): string {
  let prefix = `${db}\u0000`;
  if (indexId !== undefined) prefix += `${indexId}\u0000`;
  if (termsHex !== undefined) prefix += `${termsHex}\u0000`;
  return prefix;
}

function scanKey(db: DbId, indexId: string, terms: Uint8Array, range: ScanRange<Uint8Array>): string {
  const bounds = `${hex(range.gte)}\u0000${hex(range.lt)}\u0000${range.reverse === true}\u0000${range.limit ?? '-'}\u0000${range.now}`;
  return `${scanPrefix(db, indexId, hex(terms))}${bounds}`;
}
