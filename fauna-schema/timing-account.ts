/**
 * The timing account: a document that only exists so that a login for an unknown address
 * still runs one bcrypt comparison (shared/fql/sessions.ts), and the time of the answer does
 * not tell whether the address has an account. It has no email (no index finds it) and a
 * random password that is never kept anywhere.
 */

import { randomBytes } from 'node:crypto';
import faunadb from 'faunadb';
import { TIMING_ACCOUNT_ID } from '../shared/fql/sessions.ts';

const q = faunadb.query;

/** Creates the timing account when it is missing; true when it did. */
export async function ensureTimingAccount(client: faunadb.Client): Promise<boolean> {
  const ref = q.Ref(q.Collection('accounts'), TIMING_ACCOUNT_ID);
  const password = randomBytes(32).toString('base64url');
  return client.query<boolean>(
    q.If(q.Exists(ref), false, q.Do(q.Create(ref, { data: { timing_only: true }, credentials: { password } }), true)),
  );
}
