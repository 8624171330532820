/**
 * Committed changes on PostgreSQL, where several engine processes may share one database.
 *
 * Why LISTEN/NOTIFY and not a change table polled by transaction time: a transaction's time is
 * taken by its process when it begins, not when it commits, so two processes (or two pool
 * connections) commit out of time order, and a poller reading "everything after the last time
 * I saw" misses a late committer. Postgres delivers notifications only for transactions that
 * commit, exactly once to each listening session, in commit order, and a transaction's own
 * notifications together and in the order it sent them (NOTIFY takes a database-wide lock from
 * pre-commit to commit). That is the guarantee streams need, with no table to sweep.
 *
 * The cost: every transaction that changed a document sends its announcement in the same round
 * trip as its COMMIT, and NOTIFY's commit lock serialises those commits for an instant.
 * A payload is limited to 8000 bytes, so a large announcement travels as several numbered
 * parts (pure ASCII: non-ASCII characters are JSON-escaped, so a part never splits one).
 */

import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { ChangeBus } from './change-bus.ts';
import { StorageError } from './types.ts';
import type { ChangeBatch, ChangeListener } from './types.ts';
import type { Json } from '../values.ts';

/** Characters of announcement per notification: the header and quoting stay well under 8000 bytes. */
const PART_CHARS = 7000;

/** One channel per storage schema, so tests (and tenants) kept in separate schemas do not hear each other. */
export function changeChannel(schema: string | null): string {
  if (schema === null) return 'fql_changes';
  return `fql_changes_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`;
}

/** The statements that announce a batch, to be sent before COMMIT in the same round trip; '' for none. */
export function notifyStatements(channel: string, batch: ChangeBatch): string {
  if (batch.length === 0) return '';
  const text = asciiJson(batch);
  const id = randomBytes(6).toString('hex');
  const count = Math.ceil(text.length / PART_CHARS);
  let statements = '';
  for (let part = 0; part < count; part++) {
    const payload = `${id}:${part}:${count}:${text.slice(part * PART_CHARS, (part + 1) * PART_CHARS)}`;
    statements += `SELECT pg_notify(${literal(channel)}, ${literal(payload)}); `;
  }
  return statements;
}

/** JSON with every non-ASCII character escaped: what splitting by characters cannot break. */
function asciiJson(value: Json): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An escape-string literal: its meaning does not depend on standard_conforming_strings. */
function literal(text: string): string {
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** Puts a batch's numbered parts back together. */
class Reassembler {
  readonly #pending = new Map<string, string[]>();

  /** The batch, once its last part has come; null until then, or for a malformed payload. */
  add(payload: string): ChangeBatch | null {
    const match = /^([0-9a-f]+):(\d+):(\d+):/.exec(payload);
    if (match === null) return null;
    const [head, id, partText, countText] = match;
    const part = Number(partText);
    const count = Number(countText);
    const parts = this.#pending.get(id) ?? [];
    parts[part] = payload.slice(head.length);
    if (parts.filter((p) => p !== undefined).length < count) {
      this.#pending.set(id, parts);
      return null;
    }
    this.#pending.delete(id);
    const batch: unknown = JSON.parse(parts.join(''));
    return Array.isArray(batch) ? (batch as ChangeBatch) : null;
  }
}

/**
 * The subscribers of one PostgreSQL storage. One connection, outside the pool, LISTENs while
 * anyone subscribes, and is closed when the last one leaves, so an idle engine holds none.
 */
export class PgChangeFeed {
  readonly #bus = new ChangeBus();
  #connection: Promise<pg.Client> | null = null;

  constructor(
    private readonly url: string,
    readonly channel: string,
  ) {}

  async subscribe(listener: ChangeListener): Promise<() => Promise<void>> {
    const remove = this.#bus.add(listener);
    try {
      await (this.#connection ??= this.#listen());
    } catch (error) {
      remove();
      throw error;
    }
    return async () => {
      remove();
      if (this.#bus.size === 0) await this.#stop();
    };
  }

  /** Closes the listening connection and tells whoever still listens that nothing more comes. */
  async close(): Promise<void> {
    this.#bus.fail(new StorageError('unavailable', 'the PostgreSQL storage is closed'));
    await this.#stop();
  }

  async #listen(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    const parts = new Reassembler();
    client.on('notification', (message) => {
      if (message.channel !== this.channel || message.payload === undefined) return;
      const batch = parts.add(message.payload);
      if (batch !== null) this.#bus.deliver(batch);
    });
    // A lost connection may have lost changes: streams must end rather than skip them silently.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
    } catch (error) {
      this.#connection = null;
      await client.end().catch(() => undefined);
      throw new StorageError('unavailable', `PostgreSQL is unavailable: ${error instanceof Error ? error.message : String(error)}`);
    }
    return client;
  }

  #lost(client: pg.Client): void {
    void this.#connection?.then((current) => {
      if (current !== client) return;
      this.#connection = null;
      this.#bus.fail(new StorageError('unavailable', 'the connection that listened for changes was lost'));
    }, () => undefined);
  }

  async #stop(): Promise<void> {
    const connection = this.#connection;
    this.#connection = null;
    if (connection === null) return;
    const client = await connection.catch(() => null);
    client?.removeAllListeners('end');
    await client?.end().catch(() => undefined);
  }
}
