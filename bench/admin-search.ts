/**
 * The admin search part of `npm run bench:api`: 10,000 accounts written straight into the
 * database in batches of FQL Creates (as registration writes them: address, prefixes, creation
 * time), then GET /api/admin/accounts?q=<prefix> through the function, as an admin, with a
 * different prefix each time (3 to 8 characters, so a page holds from one to 25 accounts).
 */

import faunadb from 'faunadb';
import { measure, type Measurement } from '../fql-engine/bench/measure.ts';
import { emailPrefixes } from '../shared/fql/fragments.ts';
import type { NetlifyHandler } from '../shared/endpoint.ts';

const q = faunadb.query;
// Larger transactions are slower per account on the engine (measured: 50 beats 25, 100 and 500).
const BATCH = 50;

export function benchEmail(i: number): string {
  return `user${String(i).padStart(5, '0')}@bench.example`;
}

/** Writes `count` verified accounts in batches of BATCH Creates, one transaction each. */
export async function seedAccounts(client: faunadb.Client, count: number): Promise<void> {
  for (let start = 0; start < count; start += BATCH) {
    const creates = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      const email = benchEmail(i);
      creates.push(
        q.Create(q.Collection('accounts'), { data: { email, email_verified: i % 3 !== 0, created_at: q.Now(), email_prefixes: emailPrefixes(email) } }),
      );
    }
    await client.query(q.Do(...creates, true));
  }
}

/** GET /api/admin/accounts with a rotating prefix of one of the `accounts` seeded, `searches` times, as the admin of `cookie`. */
export async function measureAdminSearch(
  handler: NetlifyHandler,
  site: string,
  cookie: string,
  options: { accounts: number; searches: number },
  context: Parameters<NetlifyHandler>[1],
): Promise<Measurement> {
  const { accounts, searches } = options;
  return measure(`GET /api/admin/accounts?q= (${accounts} accounts)`, searches, async (i) => {
    // The warm-up counts from below zero.
    const n = (((i * 7919) % accounts) + accounts) % accounts;
    const prefix = benchEmail(n).slice(0, 3 + (i % 6));
    const res = await handler(
      new Request(`${site}/api/admin/accounts?q=${encodeURIComponent(prefix)}&limit=25`, { headers: { cookie, 'user-agent': 'api-bench' } }),
      context,
    );
    if (res.status !== 200) throw new Error(`admin search answered ${res.status}: ${await res.text()}`);
    const body = (await res.json()) as { accounts: unknown[] };
    if (body.accounts.length === 0) throw new Error(`no account starts with ${prefix}`);
  });
}
