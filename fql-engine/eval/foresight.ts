/**
 * Looking ahead for reads, so that reads the evaluator would wait for one after another go out
 * together: on PostgreSQL each wait is a network round trip.
 *
 * The evaluator runs a query in order, one sub-expression after another. Some reads are certain
 * before it gets to them, and their every input is known: `Max(windowWait(a), windowWait(b))`
 * will page the index of `a` and then the index of `b`, whatever the first answers. When the
 * evaluator reaches an expression it has not looked into yet, it walks the part of it that is
 * certain to run (every argument of a function, Let's bindings and body, If's condition, the
 * first argument of And and Or, the collection of Map...; never a lambda's body or anything
 * inside At), and on speculation the branches of If, the rest of And and Or, and what follows a
 * write; it collects the reads there whose inputs fold to constants: Paginate of a Match, Get
 * or Exists of a Match or of a document ref. It hands them to the transaction
 * (`StorageTx.readAhead`), which starts the ones it does not hold yet, together, and answers
 * the evaluator's own calls from them when it makes them. A read on speculation is one the
 * query may not make: it costs a statement in a round trip the query takes anyway, where
 * waiting for the evaluator to get there would cost a round trip (login reads the account in
 * the round trip of its rate limits, though it needs it only when they allow the attempt).
 *
 * Nothing here changes what a query means or where its errors come from: a foreseen read is
 * the very storage call the evaluator will make (the same key in the read cache), it is checked
 * for access when the evaluator makes it, a write in between forgets it as it would any read,
 * and whatever cannot be worked out (an unknown variable, an error, a function with effects) is
 * simply not foreseen. What may change is that a read is made that the evaluator does not reach
 * (an error stopped it first, or the branch was not taken): under SERIALIZABLE it is then one
 * more thing the transaction read, which can make a conflict with a concurrent write to it more
 * likely (the transaction is then run again); and should the statement itself fail (a server
 * short of lock memory), the transaction fails with it, as for any read. What a query answers
 * when it commits never depends on it.
 */

import type { Json, Value } from '../values.ts';
import { Ref, SetValue, makeObject } from '../values.ts';
import { encodeKey } from '../ordering.ts';
import type { ReadAhead } from '../storage/types.ts';
import { decodeTagged, isPlainJsonObject } from '../wire.ts';
import { indexOf } from './catalog.ts';
import type { QueryContext } from './context.ts';
import { docTarget } from './documents.ts';
import type { Env } from './env.ts';
import type { SpecTable } from './evaluate.ts';
import { MAX_PAGE, matchSet, readsDocuments } from './forms/collections.ts';
import { isValidDocId } from './ids.ts';
import type { Args, PureContext, RawArgs, Spec } from './spec.ts';
import { WRITING_FORMS } from './writing-forms.ts';

const UNKNOWN = Symbol('unknown');
type Folded = Value | typeof UNKNOWN;

/** A name a Let of the walked expression binds: its expression, folded once when first needed. */
interface Binding {
  readonly expr: Json;
  readonly scope: Scope;
  folded?: Folded;
}

/** The names bound inside the walked expression, innermost first; past them, the evaluator's Env. */
type Scope = { readonly name: string; readonly binding: Binding; readonly parent: Scope } | null;

type Foreseen =
  | { readonly kind: 'page'; readonly set: SetValue; readonly size: number }
  | { readonly kind: 'first'; readonly set: SetValue }
  | { readonly kind: 'doc'; readonly ref: Ref };

/** Functions that answer something new each time: folding one would foresee a read nobody makes. */
const UNREPEATABLE = new Set(['new_id', 'next_id']);

/**
 * The largest page read on speculation (past a branch or a write): the lookups of one key that
 * queries make there (a rate-limit window, an account by address) are small, and a page the
 * query then does not read should cost the server little.
 */
const SPECULATIVE_PAGE = 100;

/**
 * The expressions of a query walked on speculation, for each query's `foreseen` set: walked once
 * so, they are walked again (certain then, and with more of the query known) when the evaluator
 * reaches them.
 */
const speculatedFor = new WeakMap<WeakSet<object>, WeakSet<object>>();

/**
 * Looks ahead of `expr` (about to be evaluated in `env`) once, and starts the reads it foresees.
 * Resolves when they are started (not answered); null when there was nothing to start.
 */
export function lookAhead(table: SpecTable, expr: object, env: Env, ctx: QueryContext, foreseen: WeakSet<object>): Promise<void> | null {
  // A snapshot (At) reads history, and without pushdown sets are read whole: neither is a plain scan.
  if (ctx.snapshot !== undefined || !ctx.settings.pushdown) return null;
  let speculated = speculatedFor.get(foreseen);
  if (speculated === undefined) {
    speculated = new WeakSet();
    speculatedFor.set(foreseen, speculated);
  }
  const walk = new Walk(table, env, foreseen, speculated);
  walk.visit(expr as Json, null, ctx.prefetchDocs);
  if (walk.reads.length < 2) return null;
  return start(ctx, walk.reads);
}

async function start(ctx: QueryContext, reads: readonly Foreseen[]): Promise<void> {
  const planned = await Promise.all(reads.map((read) => plan(ctx, read).catch(() => null)));
  ctx.tx.readAhead?.(planned.filter((read): read is ReadAhead => read !== null));
}

/** The storage call the evaluator will make for the read (sets.ts's matchSource, documents.ts's loadState). */
async function plan(ctx: QueryContext, read: Foreseen): Promise<ReadAhead | null> {
  if (read.kind === 'doc') {
    if (!isValidDocId(read.ref.id)) return null;
    const target = await docTarget(ctx, read.ref);
    return { kind: 'doc', db: target.db, coll: target.coll.iid, id: target.id, now: ctx.nowMicros };
  }
  if (read.set.spec.type !== 'match') return null;
  const { db, def } = await indexOf(ctx, read.set.spec.index);
  const limit = read.kind === 'first' ? 1 : read.size + 1;
  const range = { gte: undefined, lt: undefined, reverse: false, limit, now: ctx.nowMicros };
  return { kind: 'scan', db, indexId: def.iid, terms: encodeKey(read.set.spec.terms), range };
}

class Walk {
  readonly reads: Foreseen[] = [];
  /**
   * Set past the first form that writes. A read past it is made before the write instead of
   * after; the transaction's read cache forgets what the write may change (a new document's
   * entries forget the scans of their terms, an update every scan), and the evaluator then reads
   * it again, so it costs a statement, never a round trip. What lies past it is walked on
   * speculation: left unmarked, to be looked into again when the evaluator gets there.
   */
  private pastWrite = false;

  constructor(
    private readonly table: SpecTable,
    private readonly env: Env,
    private readonly foreseen: WeakSet<object>,
    private readonly speculated: WeakSet<object>,
  ) {}

  /**
   * Collects the reads of `expr` whose inputs are known: certain ones, and, on speculation, those
   * of a branch (If's, the rest of And and Or) or past a write. A read on speculation may be one
   * the query does not make, but the query's next round trip is then one it would have taken
   * anyway (the walk starts where the evaluator is about to read), and the read rides in it
   * instead of costing one of its own later: login's account, register's limits of the address.
   * `docs`: inside a Map that reads documents (its set is read another way).
   */
  visit(expr: Json, scope: Scope, docs: boolean, speculative = false): void {
    if (expr === null || typeof expr !== 'object' || this.foreseen.has(expr)) return;
    const guessing = speculative || this.pastWrite;
    if (guessing) {
      if (this.speculated.has(expr)) return;
      this.speculated.add(expr);
    } else {
      this.foreseen.add(expr);
    }
    this.walk(expr, scope, docs, guessing);
  }

  private walk(expr: object, scope: Scope, docs: boolean, speculative: boolean): void {
    if (Array.isArray(expr)) {
      for (const item of expr as readonly Json[]) this.visit(item, scope, docs, speculative);
      return;
    }
    const call = expr as RawArgs;
    const keys = Object.keys(call);
    if (keys.some((k) => k.startsWith('@'))) return;
    if (keys.length === 1 && keys[0] === 'object') {
      const fields = call.object;
      if (!isPlainJsonObject(fields)) return;
      for (const k of Object.keys(fields)) this.visit(fields[k], scope, docs, speculative);
      return;
    }
    const spec = this.table.find(keys);
    if (spec === undefined) return;
    if (!docs && this.foresee(spec, call, scope, speculative)) return;
    this.visitArguments(spec, call, scope, docs, speculative);
    // Its arguments come before its write; what follows it, after.
    if (WRITING_FORMS.has(spec.key)) this.pastWrite = true;
  }

  /** The arguments a call certainly evaluates, and (on speculation) those of its branches. */
  private visitArguments(spec: Spec, call: RawArgs, scope: Scope, docs: boolean, speculative: boolean): void {
    if (spec.kind === 'eager' || spec.evaluatesAll === true) {
      for (const k of Object.keys(call)) this.visit(call[k], scope, docs, speculative);
      return;
    }
    switch (spec.key) {
      case 'let': {
        let inner = scope;
        for (const [name, expr] of bindingsOf(call.let)) {
          this.visit(expr, inner, docs, speculative);
          inner = { name, binding: { expr, scope: inner }, parent: inner };
        }
        this.visit(call.in, inner, docs, speculative);
        return;
      }
      case 'if':
        this.visit(call.if, scope, docs, speculative);
        this.visit(call.then, scope, docs, true);
        this.visit(call.else, scope, docs, true);
        return;
      case 'do':
        this.visit(call.do, scope, docs, speculative);
        return;
      case 'and':
      case 'or': {
        const operands = Array.isArray(call[spec.key]) ? (call[spec.key] as readonly Json[]) : [call[spec.key]];
        operands.forEach((operand, i) => this.visit(operand, scope, docs, speculative || i > 0));
        return;
      }
      case 'map':
      case 'foreach':
        this.visit(call.collection, scope, docs || readsDocuments(call[spec.key]), speculative);
        return;
      case 'filter':
        this.visit(call.collection, scope, docs, speculative);
        return;
      default:
        // Any other form decides itself what it evaluates, and when: nothing in it is certain.
        return;
    }
  }

  /** Records the call as a read when it is one whose inputs are known; false otherwise. */
  private foresee(spec: Spec, call: RawArgs, scope: Scope, speculative: boolean): boolean {
    const keys = Object.keys(call);
    if (spec.key === 'paginate' && keys.every((k) => k === 'paginate' || k === 'size')) {
      const set = this.fold(call.paginate, scope);
      const size = call.size === undefined ? 64 : this.fold(call.size, scope);
      if (!isMatch(set) || typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE) return false;
      if (speculative && size > SPECULATIVE_PAGE) return false;
      this.reads.push({ kind: 'page', set, size });
      return true;
    }
    if ((spec.key === 'get' || spec.key === 'exists') && keys.length === 1) {
      const target = this.fold(call[spec.key], scope);
      if (isMatch(target)) this.reads.push({ kind: 'first', set: target });
      else if (isDocumentRef(target)) this.reads.push({ kind: 'doc', ref: target });
      else return false;
      return true;
    }
    return false;
  }

  /** The value of an expression that reads and writes nothing, when it can be known now. */
  private fold(expr: Json, scope: Scope): Folded {
    if (expr === null || typeof expr !== 'object') return expr;
    if (Array.isArray(expr)) {
      const items: Value[] = [];
      for (const item of expr as readonly Json[]) {
        const v = this.fold(item, scope);
        if (v === UNKNOWN) return UNKNOWN;
        items.push(v);
      }
      return items;
    }
    const call = expr as RawArgs;
    const keys = Object.keys(call);
    try {
      if (keys.some((k) => k.startsWith('@'))) return decodeTagged(call) ?? UNKNOWN;
      if (keys.length === 1 && keys[0] === 'object') return this.foldObject(call.object, scope);
      if (keys.length === 1 && keys[0] === 'var') return typeof call.var === 'string' ? this.lookup(call.var, scope) : UNKNOWN;
      const spec = this.table.find(keys);
      if (spec === undefined) return UNKNOWN;
      if (spec.key === 'match') {
        const args = this.foldArguments(call, scope);
        return args === null ? UNKNOWN : matchSet(args);
      }
      if (spec.kind !== 'eager' || UNREPEATABLE.has(spec.key)) return UNKNOWN;
      const args = this.foldArguments(call, scope);
      if (args === null) return UNKNOWN;
      const value = spec.run(args, FOLDING);
      if (value instanceof Promise) {
        value.catch(() => undefined);
        return UNKNOWN;
      }
      return value;
    } catch {
      // The evaluator will meet the same error where it belongs.
      return UNKNOWN;
    }
  }

  private foldObject(fields: Json, scope: Scope): Folded {
    if (!isPlainJsonObject(fields)) return UNKNOWN;
    const entries: [string, Value][] = [];
    for (const k of Object.keys(fields)) {
      const v = this.fold(fields[k], scope);
      if (v === UNKNOWN) return UNKNOWN;
      entries.push([k, v]);
    }
    return makeObject(entries);
  }

  private foldArguments(call: RawArgs, scope: Scope): Args | null {
    const args: Record<string, Value> = {};
    for (const k of Object.keys(call)) {
      const v = this.fold(call[k], scope);
      if (v === UNKNOWN) return null;
      args[k] = v;
    }
    return args;
  }

  private lookup(name: string, scope: Scope): Folded {
    for (let s = scope; s !== null; s = s.parent) {
      if (s.name !== name) continue;
      const binding = s.binding;
      binding.folded ??= this.fold(binding.expr, binding.scope);
      return binding.folded;
    }
    return this.env.has(name) ? (this.env.lookup(name) as Value) : UNKNOWN;
  }
}

/**
 * What a folded function may know of the query: nothing. One that reads the time (Now, TimeAdd...)
 * or applies a lambda throws, and its value stays unknown: keys of reads hardly ever need either,
 * and the walk stays free of the query's clock.
 */
const FOLDING: PureContext = {
  get now(): never {
    throw new Error('not folded');
  },
  apply: () => Promise.reject(new Error('not folded')),
};

function isMatch(v: Folded): v is SetValue {
  return v instanceof SetValue && v.spec.type === 'match';
}

/** A document of a user collection (what Get reads through loadState). */
function isDocumentRef(v: Folded): v is Ref {
  if (!(v instanceof Ref) || v.isNative()) return false;
  const coll = v.collection;
  return coll !== undefined && !coll.isNative() && coll.collection?.id === 'collections' && coll.collection.isNative();
}

/** Let's bindings, in order (control.ts's bindingList, without its errors: a malformed Let is not walked). */
function bindingsOf(raw: Json): (readonly [string, Json])[] {
  const objects = Array.isArray(raw) ? (raw as readonly Json[]) : [raw];
  const out: (readonly [string, Json])[] = [];
  for (const b of objects) {
    if (!isPlainJsonObject(b)) return [];
    for (const k of Object.keys(b)) out.push([k, b[k]]);
  }
  return out;
}
