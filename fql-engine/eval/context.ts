/**
 * Everything one query knows while it runs: its transaction, its database, its time and
 * who is asking. One QueryContext lives exactly as long as one storage transaction.
 */

import type { Position } from '../errors.ts';
import type { QueryMeter } from '../metrics.ts';
import type { DbId, StorageTx } from '../storage/types.ts';
import type { FaunaTime, ObjectValue, Ref, Value } from '../values.ts';
import type { SchemaCache } from './schema-cache.ts';
import type { PasswordWork } from './passwords.ts';

/**
 * Who a query acts as. `admin` and `server` may do anything in their database (`server`
 * no database or key management); `roles` may do only what its roles grant: the named
 * roles (a key made with `Role("x")`, a function running as one), or, with none named, the
 * roles whose membership takes the identity.
 */
export type Role = 'admin' | 'server' | 'roles';

export interface Caller {
  readonly role: Role;
  /** For `roles`: the roles named by the key or function; undefined means "by membership". */
  readonly roles?: readonly string[];
  /** The key used, when the secret was a key's acting in the database it was made in (CurrentToken). */
  readonly key?: Ref;
  /** The document the token belongs to, when the secret was a token's. */
  readonly identity?: Ref;
  /** The token used, when the secret was a token's. */
  readonly token?: Ref;
  /** The access provider whose JWT the secret was (its name, in the query's database). */
  readonly provider?: string;
  /** That JWT's claims: CurrentToken() answers them, CurrentIdentity() their `sub`. */
  readonly claims?: ObjectValue;
  /**
   * A `server-readonly` key's: a server caller that may only read (no write, no Call), as
   * Fauna's ServerReadOnlyPermissions.
   */
  readonly readOnly?: boolean;
}

export interface EngineSettings {
  /** When false, every set is evaluated in memory: proves the SQL shortcuts change no answer. */
  readonly pushdown: boolean;
  /** How deep calls may nest before 'stack overflow'. */
  readonly maxDepth: number;
  /** bcrypt cost for `credentials` passwords. */
  readonly bcryptCost: number;
  /** Look ahead for reads and start them together (eval/foresight.ts): worth it where a read is a round trip. */
  readonly readAhead: boolean;
}

/** Decides whether the caller may do something (ABAC). Set by the engine; see access.ts. */
export interface AccessChecker {
  check(ctx: QueryContext, action: Action, resource: Ref, args: readonly Value[], options?: CheckOptions): Promise<void>;
}

export interface CheckOptions {
  /** A listing: a predicate rule is checked later, on each document read, not on the listing. */
  readonly perDocumentLater?: boolean;
}

/** Applies a lambda value: the sets of Filter and Join keep one and apply it when they are read. */
export interface LambdaApplier {
  applyValue(lambda: Value, arg: Value, ctx: QueryContext, pos: Position): Promise<Value>;
}

export type Action = 'read' | 'write' | 'create' | 'create_with_id' | 'delete' | 'call' | 'unrestricted_read' | 'history_read' | 'history_write';

export class QueryContext {
  depth = 0;
  /** Role names granted by membership, worked out once per query (see access.ts). */
  memberships: readonly string[] | undefined;
  /**
   * Set while the set that a Map or Foreach reads documents from is being paged: an index scan
   * then brings the documents of its entries along in the same statement (see forms/collections.ts).
   */
  prefetchDocs = false;
  /**
   * Inside At(ts, ...): the valid time reads see, in microseconds. Documents and sets are read
   * from history as of then, and writes are refused (see history.ts).
   */
  snapshot: number | undefined;
  /**
   * The expressions the evaluator has already looked ahead of for reads (eval/foresight.ts), or
   * undefined where it does not look ahead (a backend with no round trips to save).
   */
  foreseen: WeakSet<object> | undefined;

  constructor(
    readonly tx: StorageTx,
    readonly db: DbId,
    readonly now: FaunaTime,
    readonly caller: Caller,
    readonly settings: EngineSettings,
    readonly schema: SchemaCache,
    readonly access: AccessChecker,
    /** bcrypt of this query, kept across its attempts (see PasswordWork). */
    readonly passwords: PasswordWork,
    readonly lambdas: LambdaApplier,
    /** What the query costs (its calls, reads and writes): the response's metrics headers. */
    readonly meter: QueryMeter,
  ) {}

  /** Transaction time in microseconds (the unit of `ts` and of storage's clocks). */
  get nowMicros(): number {
    return this.now.epochMicros;
  }

  /** The same query, acting in another database (a scoped ref, or a key for a child database). */
  inDatabase(db: DbId): QueryContext {
    if (db === this.db) return this;
    return this.derive(db, this.caller);
  }

  /** The same query acting as someone else: a function with its own role, or a predicate. */
  as(caller: Caller): QueryContext {
    return this.derive(this.db, caller);
  }

  /** The same query reading as of `ts` (At). */
  at(ts: number): QueryContext {
    const ctx = this.derive(this.db, this.caller);
    ctx.snapshot = ts;
    return ctx;
  }

  private derive(db: DbId, caller: Caller): QueryContext {
    const ctx = new QueryContext(this.tx, db, this.now, caller, this.settings, this.schema, this.access, this.passwords, this.lambdas, this.meter);
    ctx.depth = this.depth;
    ctx.snapshot = this.snapshot;
    ctx.foreseen = this.foreseen;
    if (caller === this.caller) ctx.memberships = this.memberships;
    return ctx;
  }
}
