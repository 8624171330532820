/** Audit entries as the API shows them (GET /api/auth/activity, GET /api/admin/accounts/:id). */

import type faunadb from 'faunadb';
import type { AuthContext } from '../auth/context.ts';
import { ownActivityQuery } from '../fql/audit.ts';
import { runQuery } from '../fql/run-query.ts';
import { isoMillis } from '../fql/times.ts';
import type { Caller } from '../fql/users.ts';
import { describeUserAgent } from '../user-agent.ts';

/** An audit document as the database holds it. */
export interface AuditDoc {
  readonly ref: faunadb.values.Ref;
  readonly data: {
    readonly at: faunadb.values.FaunaTime;
    readonly event: string;
    readonly actor: 'self' | 'admin' | 'system';
    readonly actor_account: faunadb.values.Ref | null;
    readonly ip: string;
    readonly user_agent: string;
    readonly session: faunadb.values.Ref | null;
    readonly detail: Readonly<Record<string, unknown>>;
  };
}

export interface ActivityEntry {
  readonly id: string;
  readonly at: string;
  readonly event: string;
  readonly actor: 'self' | 'admin' | 'system';
  /** The admin's account id, when an admin acted. */
  readonly actorAccount: string | null;
  readonly ip: string;
  readonly userAgent: string;
  /** The User-Agent as a person says it ("Chrome on Linux"), as the sessions list shows it. */
  readonly device: string;
  readonly session: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export function activityEntryOf(doc: AuditDoc): ActivityEntry {
  const d = doc.data;
  return {
    id: doc.ref.id,
    at: isoMillis(d.at),
    event: d.event,
    actor: d.actor,
    actorAccount: d.actor_account?.id ?? null,
    ip: d.ip,
    userAgent: d.user_agent,
    device: describeUserAgent(d.user_agent),
    session: d.session?.id ?? null,
    detail: d.detail,
  };
}

/** How many entries "Recent activity" shows. */
export const ACTIVITY_SIZE = 20;

/** The caller's own newest entries (401 once the session has ended). */
export async function ownActivity(ctx: AuthContext, caller: Caller): Promise<ActivityEntry[]> {
  const docs = await runQuery<AuditDoc[]>(ctx.db, ownActivityQuery(caller, ACTIVITY_SIZE));
  return docs.map(activityEntryOf);
}
