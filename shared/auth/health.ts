/** Whether the database answers a trivial query within a short time. */

import faunadb from 'faunadb';
import { withDeadline } from '../fql/run-query.ts';
import type { AuthContext } from './context.ts';

const q = faunadb.query;
const HEALTH_TIMEOUT_MS = 3000;

export async function databaseAnswers(ctx: AuthContext): Promise<boolean> {
  const deadlineMs = Math.min(HEALTH_TIMEOUT_MS, ctx.db.deadlineMs);
  try {
    return (await withDeadline(deadlineMs, (signal) => ctx.db.client.query<number>(q.Add(1, 1), { signal }))) === 2;
  } catch {
    return false;
  }
}
