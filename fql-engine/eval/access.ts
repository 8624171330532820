/**
 * Attribute-based access control: what a caller acting through roles may do.
 *
 * Principles:
 * - admin and server callers are never asked (server's limits on databases and keys are
 *   checked where those objects are touched), except that a `server-readonly` key only reads.
 * - A `roles` caller may do an action on a resource when one of its roles has a privilege on
 *   that resource whose action is `true`, or a predicate (`Query(Lambda)`) that answers true.
 *   A caller whose roles grant nothing is refused everything: 403 `permission denied`.
 * - Membership and privilege predicates are evaluated on every query, as the server would
 *   evaluate them (they may read anything) but with the caller's identity, so that
 *   `CurrentIdentity()` works inside them. Evaluating them under the caller's own roles could
 *   recurse forever.
 */

import { FaunaError } from '../errors.ts';
import { QueryValue, Ref, isArray, isObject, valueEquals, type Value } from '../values.ts';
import type { AccessChecker, Action, CheckOptions, QueryContext } from './context.ts';
import type { Evaluator } from './evaluate.ts';
import type { SchemaRecord } from './schema-cache.ts';
import { isLambdaLiteral } from './capture.ts';
import { UNKNOWN, runCompiled } from './compiled-predicates.ts';

/** What a `server-readonly` key may do (Fauna's ServerReadOnlyPermissions): read, nothing else. */
const READ_ONLY_ACTIONS: ReadonlySet<Action> = new Set<Action>(['read', 'history_read']);

function denied(): FaunaError {
  return new FaunaError('permission denied', 'Insufficient privileges to perform the action.');
}

export class RoleAccess implements AccessChecker {
  constructor(private readonly evaluator: Evaluator) {}

  async check(ctx: QueryContext, action: Action, resource: Ref, args: readonly Value[], options: CheckOptions = {}): Promise<void> {
    if (ctx.caller.readOnly === true && !READ_ONLY_ACTIONS.has(action)) throw denied();
    if (ctx.caller.role !== 'roles') return;
    const names = ctx.caller.roles ?? (await this.memberships(ctx));
    // A token whose identity is a member of no role may read its own document (Fauna's Login
    // docs); one that is a member of any role reads itself only if a role grants it. A function
    // running with a role (`roles` named) acts with that role's privileges alone.
    if (names.length === 0 && ctx.caller.roles === undefined && isSelfRead(ctx, action, args)) return;
    for (const name of names) {
      const record = await ctx.schema.get(ctx.db, 'roles', name, ctx.nowMicros);
      if (record && (await this.grants(ctx, record, action, resource, args, options))) return;
    }
    throw denied();
  }

  /** The roles whose membership takes the caller's identity, worked out once per query. */
  private async memberships(ctx: QueryContext): Promise<readonly string[]> {
    if (ctx.memberships) return ctx.memberships;
    const identity = ctx.caller.identity;
    const names: string[] = [];
    for (const role of identity ? await ctx.schema.list(ctx.db, 'roles', ctx.nowMicros) : []) {
      if (identity && (await this.admits(ctx, role, identity))) names.push(role.id);
    }
    ctx.memberships = names;
    return names;
  }

  private async admits(ctx: QueryContext, role: SchemaRecord, identity: Ref): Promise<boolean> {
    for (const m of listOf(role.public.membership)) {
      if (!isObject(m) || !(m.resource instanceof Ref) || !sameResource(m.resource, identity.collection)) continue;
      if (m.predicate === undefined || m.predicate === null) return true;
      if (await this.predicate(ctx, m.predicate, [identity])) return true;
    }
    return false;
  }

  private async grants(ctx: QueryContext, role: SchemaRecord, action: Action, resource: Ref, args: readonly Value[], options: CheckOptions): Promise<boolean> {
    for (const p of listOf(role.public.privileges)) {
      if (!isObject(p) || !(p.resource instanceof Ref) || !sameResource(p.resource, resource)) continue;
      const rule = isObject(p.actions) ? p.actions[action] : undefined;
      if (rule === true) return true;
      // Listing a collection: a per-document predicate is applied when each document is read.
      if (rule instanceof QueryValue && options.perDocumentLater) return true;
      if (rule instanceof QueryValue && (await this.predicate(ctx, rule, args))) return true;
    }
    return false;
  }

  /**
   * A predicate answers true, or it does not grant (any other answer is a no). The commonest
   * shapes run compiled (compiled-predicates.ts), the rest, and whatever those cannot tell,
   * through the evaluator.
   */
  private async predicate(ctx: QueryContext, lambda: Value, args: readonly Value[]): Promise<boolean> {
    const asServer = ctx.as({ ...ctx.caller, role: 'server', roles: undefined });
    const arg = argumentFor(lambda, args);
    const compiled = await runCompiled(lambda, asServer, arg);
    const result = compiled !== UNKNOWN ? compiled : await this.evaluator.applyValue(lambda, arg, asServer, []);
    return result === true;
  }
}

function isSelfRead(ctx: QueryContext, action: Action, args: readonly Value[]): boolean {
  const identity = ctx.caller.identity;
  return action === 'read' && identity !== undefined && args.length === 1 && valueEquals(args[0], identity);
}

/**
 * What a predicate receives: one argument bare; several as an array, cut to the number of
 * names the lambda declares (older predicates take `[oldData, newData]` where newer ones
 * also take the ref).
 */
function argumentFor(lambda: Value, args: readonly Value[]): Value {
  const params = lambda instanceof QueryValue && isLambdaLiteral(lambda.lambda) ? lambda.lambda.lambda : null;
  if (Array.isArray(params)) return args.slice(0, params.length);
  return args.length === 1 ? args[0] : args;
}

function listOf(v: Value | undefined): readonly Value[] {
  if (v === undefined || v === null) return [];
  return isArray(v) ? v : [v];
}

/** Roles live in one database, so two refs name the same resource when kind and name match. */
export function sameResource(a: Ref, b: Ref | undefined): boolean {
  if (!b) return false;
  if (a.isNative() || b.isNative()) return a.isNative() && b.isNative() && a.id === b.id;
  return a.id === b.id && a.collection?.id === b.collection?.id;
}
