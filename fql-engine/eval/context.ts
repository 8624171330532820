/**
 * Everything one query knows while it runs: its transaction, its database, its time and
 * who is asking. One QueryContext lives exactly as long as one storage transaction.
 */

import type { DbId, StorageTx } from '../storage/types.ts';
import type { FaunaTime, Ref } from '../values.ts';
import type { SchemaCache } from './schema-cache.ts';

export type Role = 'admin' | 'server';

export interface Caller {
  readonly role: Role;
  /** The key used, when the secret was a key's (not the engine's admin secret). */
  readonly key?: Ref;
}

export interface EngineSettings {
  /** When false, every set is evaluated in memory: proves the SQL shortcuts change no answer. */
  readonly pushdown: boolean;
  /** How deep calls may nest before 'stack overflow'. */
  readonly maxDepth: number;
}

export class QueryContext {
  depth = 0;

  constructor(
    readonly tx: StorageTx,
    readonly db: DbId,
    readonly now: FaunaTime,
    readonly caller: Caller,
    readonly settings: EngineSettings,
    readonly schema: SchemaCache,
  ) {}

  /** Transaction time in microseconds (the unit of `ts` and of storage's clocks). */
  get nowMicros(): number {
    return this.now.epochMicros;
  }

  /** The same query, acting in another database (a scoped ref, or a key for a child database). */
  inDatabase(db: DbId): QueryContext {
    if (db === this.db) return this;
    const ctx = new QueryContext(this.tx, db, this.now, this.caller, this.settings, this.schema);
    ctx.depth = this.depth;
    return ctx;
  }
}
