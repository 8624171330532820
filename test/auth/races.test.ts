import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { Browser, PASSWORD, errorCode, messagesTo, signedIn, useAuthWorld } from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld();

describe('races', () => {
  it('20 parallel registrations with one email make exactly one account', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => new Browser(`racer-${i}`).post('/api/auth/register', { email: 'race@example.com', password: `${PASSWORD} ${i}` })),
    );
    for (const res of answers) {
      // Every answer is the same 202; a lost race must not surface as 409 or 500.
      expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: { status: 'verification_sent', mailbox: expect.any(String) } });
    }
    const accounts = await world.db.client.query<{ data: unknown[] }>(q.Paginate(q.Match(q.Index('accounts_by_email'), 'race@example.com')));
    expect(accounts.data).toHaveLength(1);
    const all = await world.db.adminClient.query<{ data: unknown[] }>(q.Paginate(q.Documents(q.Collection('accounts')), { size: 100 }));
    // The timing account (fauna-schema) and the one registered.
    expect(all.data.length).toBeLessThanOrEqual(2);
    const mails = await messagesTo(world.mailbox, 'race@example.com');
    expect(mails.filter((m) => /confirm/i.test(m.subject))).toHaveLength(1);
    expect(mails).toHaveLength(20);
  });

  it('10 parallel refreshes with one token inside the grace period all return valid sessions', async () => {
    const tab = await signedIn(world, 'tabs@example.com');
    const tabs = Array.from({ length: 10 }, (_, i) => tab.fork(`tab-${i}`));
    const answers = await Promise.all(tabs.map((t) => t.post('/api/auth/refresh')));
    for (const res of answers) {
      expect(res.status, res.text).toBe(200);
      expect(res.setCookies.map((c) => c.name).sort()).toEqual(['access_token', 'refresh_token']);
    }
    const refreshTokens = new Set(tabs.map((t) => t.jar.get('refresh_token')));
    expect(refreshTokens.size).toBe(10);
    // Every tab's new pair is a working session of its own.
    for (const t of tabs) {
      expect((await t.get('/api/auth/session')).status).toBe(200);
      const again = await t.post('/api/auth/refresh');
      expect(again.status, errorCode(again)).toBe(200);
    }
  });
});
