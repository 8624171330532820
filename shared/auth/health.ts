/** Whether the database answers a trivial query within a short time. */

import faunadb from 'faunadb';
import type { AuthContext } from './context.ts';

const q = faunadb.query;
const HEALTH_TIMEOUT_MS = 3000;

export async function databaseAnswers(ctx: AuthContext): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), HEALTH_TIMEOUT_MS);
  });
  try {
    return await Promise.race([ctx.db.query<number>(q.Add(1, 1)).then((n) => n === 2), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
