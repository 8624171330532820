/**
 * Queries for the site's own functions (shared/user): the account as the database has it now,
 * roles and metadata, and the engine tokens that let a function act as its user.
 */

import faunadb from 'faunadb';
import { auditEntry, type Actor, type AuditScope } from '../audit/audit.ts';
import { accountByEmail, getOrNull, userOf } from './fragments.ts';
import type { Expr } from './run-query.ts';
import { whileSessionLive, type User } from './sessions.ts';

const q = faunadb.query;

/** A JSON object as the database keeps it: plain data, no FQL values. */
export type Metadata = Readonly<Record<string, unknown>>;

/** The user with everything the database knows of them, for a function that asked for it. */
export interface FreshUser extends User {
  /** Set by an admin or the server only. */
  readonly appMetadata: Metadata;
  /** The user's own (PATCH /api/auth/user). */
  readonly userMetadata: Metadata;
}

export interface Caller {
  readonly accountId: string;
  readonly sessionId: string;
}

function accountRef(id: string): Expr {
  return q.Ref(q.Collection('accounts'), id);
}

function sessionRef(id: string): Expr {
  return q.Ref(q.Collection('sessions'), id);
}

function freshUserOf(account: Expr): Expr {
  return q.Merge(userOf(account), {
    appMetadata: q.Select(['data', 'app_metadata'], account, {}),
    userMetadata: q.Select(['data', 'user_metadata'], account, {}),
  });
}

/** The caller's account, read now, while the session is live (else Abort unauthenticated). */
export function freshUserQuery(caller: Caller): Expr {
  return whileSessionLive(caller, freshUserOf(q.Get(accountRef(caller.accountId))));
}

/**
 * Replaces the user's own metadata. Update merges nested objects, so the old object is dropped
 * first: what the user sends is what is kept.
 */
export function setUserMetadataQuery(caller: Caller, metadata: Metadata): Expr {
  const ref = accountRef(caller.accountId);
  return whileSessionLive(
    caller,
    q.Do(q.Update(ref, { data: { user_metadata: null } }), freshUserOf(q.Update(ref, { data: { user_metadata: q.Object(metadata as Record<string, faunadb.ExprArg>) } }))),
  );
}

/** An account by id or by address; a missing one aborts not_found. */
export type AccountKey = { readonly id: string } | { readonly email: string };

export function accountDoc(key: AccountKey): Expr {
  const doc = 'id' in key ? q.If(q.Exists(accountRef(key.id)), q.Get(accountRef(key.id)), null) : getOrNull(accountByEmail(key.email));
  return q.Let({ account: doc }, q.If(q.IsNull(q.Var('account')), q.Abort('not_found'), q.Var('account')));
}

/** Who changes an account (an admin, or the server: npm run admin, ADMIN_EMAILS), for its audit entry. */
export interface Audited {
  readonly scope: AuditScope;
  readonly actor: Actor;
}

/** Sets the account's roles (already validated and de-duplicated); answers the fresh user. */
export function setRolesQuery(key: AccountKey, change: (current: Expr) => Expr, audited: Audited): Expr {
  const ref = q.Select('ref', q.Var('account'));
  return q.Let(
    { account: accountDoc(key) },
    q.Let(
      { before: q.Select(['data', 'roles'], q.Var('account'), []), after: change(q.Select(['data', 'roles'], q.Var('account'), [])) },
      q.Do(
        auditEntry(audited.scope, { account: ref, actor: audited.actor, event: 'role_change', detail: { before: q.Var('before'), after: q.Var('after') } }),
        freshUserOf(q.Update(ref, { data: { roles: q.Var('after') } })),
      ),
    ),
  );
}

/** Replaces the roles whole (the admin API's PUT). */
export function replaceRoles(roles: readonly string[]): (current: Expr) => Expr {
  return () => q.Distinct([...roles]);
}

export function addRole(role: string): (current: Expr) => Expr {
  return (current) => q.If(q.ContainsValue(role, current), current, q.Append([role], current));
}

export function removeRole(role: string): (current: Expr) => Expr {
  return (current) => q.Filter(current, q.Lambda('r', q.Not(q.Equals(q.Var('r'), role))));
}

/** Replaces the account's app metadata (admin or server only: no session is asked for). */
export function setAppMetadataQuery(key: AccountKey, metadata: Metadata, audited: Audited): Expr {
  return q.Let(
    { ref: q.Select('ref', accountDoc(key)) },
    q.Do(
      auditEntry(audited.scope, { account: q.Var('ref'), actor: audited.actor, event: 'app_metadata_change' }),
      q.Update(q.Var('ref'), { data: { app_metadata: null } }),
      freshUserOf(q.Update(q.Var('ref'), { data: { app_metadata: q.Object(metadata as Record<string, faunadb.ExprArg>) } })),
    ),
  );
}

export function accountQuery(key: AccountKey): Expr {
  return freshUserOf(accountDoc(key));
}

export interface EngineToken {
  readonly secret: string;
}

/**
 * A new engine token acting as the caller's account, for the caller's session only: made only
 * while that session is live, and deleted when it ends (endSession, in fragments.ts). Its ttl
 * bounds how long a function instance may keep it.
 */
export function engineTokenQuery(caller: Caller, ttlSeconds: number): Expr {
  return whileSessionLive(
    caller,
    q.Let(
      {
        token: q.Create(q.Tokens(), {
          instance: accountRef(caller.accountId),
          data: { session: sessionRef(caller.sessionId) },
          ttl: q.TimeAdd(q.Now(), ttlSeconds, 'seconds'),
        }),
      },
      { secret: q.Select('secret', q.Var('token')) },
    ),
  );
}
