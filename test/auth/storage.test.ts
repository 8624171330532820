import { describe, expect, it } from 'vitest';
import { sha256 } from '../../shared/tokens.ts';
import { Browser, PASSWORD, everyDocument, jtiOf, latestLink, pageForm, tokenOf, useAuthWorld } from './harness.ts';

const world = useAuthWorld();

describe('nothing is stored in clear', () => {
  it('after a full flow, no raw document holds an emailed token, a refresh jti, a JWT or a password', async () => {
    const email = 'clear@example.com';
    const passwords = [PASSWORD, 'the reset passphrase 42', 'the changed passphrase 43'];
    const tokens: string[] = [];
    const jwts: string[] = [];
    const b = new Browser();

    await b.post('/api/auth/register', { email, password: passwords[0] });
    const verify = await latestLink(world.mailbox, email, '/api/auth/verify');
    tokens.push(tokenOf(verify.link));
    const form = pageForm((await b.get(verify.link)).text);
    expect((await b.call('POST', form.action, { form: { token: form.token } })).status).toBe(303);

    expect((await b.post('/api/auth/login', { email, password: passwords[0] })).status).toBe(200);
    tokens.push(jtiOf(b.jar.get('refresh_token')));
    expect((await b.post('/api/auth/refresh')).status).toBe(200);
    tokens.push(jtiOf(b.jar.get('refresh_token')));
    jwts.push(b.jar.get('refresh_token') ?? '', b.jar.get('access_token') ?? '');

    expect((await b.post('/api/auth/password/forgot', { email })).status).toBe(202);
    const reset = await latestLink(world.mailbox, email, '/api/auth/password/reset');
    tokens.push(tokenOf(reset.link));
    expect((await b.post('/api/auth/password/reset', { token: tokenOf(reset.link), password: passwords[1] })).status).toBe(200);

    expect((await b.post('/api/auth/login', { email, password: passwords[1] })).status).toBe(200);
    tokens.push(jtiOf(b.jar.get('refresh_token')));
    expect((await b.post('/api/auth/password/change', { currentPassword: passwords[1], newPassword: passwords[2] })).status).toBe(200);
    await b.post('/api/auth/verify/resend', { email });

    const docs = await everyDocument(world.db.adminClient);
    const dump = JSON.stringify(docs);
    // The scan sees the data it should: the hashes are there (so an absence below means something).
    for (const token of tokens) expect(dump).toContain(sha256(token));
    expect(dump).toContain(email);
    for (const secret of [...tokens, ...jwts, ...passwords]) {
      expect(dump.includes(secret), `found in clear: ${secret.slice(0, 12)}…`).toBe(false);
    }
    // No JWT-looking string, and no bcrypt hash either (credentials live only in the engine).
    expect(dump).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(dump).not.toMatch(/\$2[aby]\$\d\d\$/);
  });
});
