/** Reading the audit log (writing it is shared/audit, composed into each action's query). */

import faunadb from 'faunadb';
import type { Expr } from './run-query.ts';
import { whileSessionLive } from './sessions.ts';
import type { Caller } from './users.ts';

const q = faunadb.query;

/** The newest audit entries of an account, as documents. */
export function recentActivity(account: Expr, size: number): Expr {
  return q.Select('data', q.Map(q.Paginate(q.Match(q.Index('audit_events_by_account'), account), { size }), q.Lambda(['at', 'ref'], q.Get(q.Var('ref')))));
}

/** The caller's own recent activity, while their session is live. */
export function ownActivityQuery(caller: Caller, size: number): Expr {
  return whileSessionLive(caller, recentActivity(q.Ref(q.Collection('accounts'), caller.accountId), size));
}
