/**
 * public/auth-client.js against the real endpoints: its `fetch` hands every request to a
 * harness Browser (which keeps the cookies and sends Origin on writes, as a browser does), so
 * what is tested is the refresh policy meeting the server's real rotation, not a mock of it.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Browser, PASSWORD, SITE, latestLink, signedIn, sleep, tokenOf, useAuthWorld } from '../auth/harness.ts';
import { AuthError, createAuthClient } from '../../public/auth-client.js';

const world = useAuthWorld();
const REFRESH = 'POST /api/auth/refresh';

interface Wire {
  readonly fetch: typeof fetch;
  /** Requests made so far, as "METHOD /path". */
  readonly requests: string[];
  count(request: string): number;
}

interface WireOptions {
  /** Runs after each answer has updated the jar: lets a test play a browser that loses a cookie. */
  readonly afterAnswer?: (request: string) => void;
  /** Holds an answer back until the promise it returns settles (a slow network, for one request). */
  readonly holdAnswer?: (request: string) => Promise<void> | undefined;
}

/** A fetch for the client that goes through `browser`, logging each request. */
function wireTo(browser: Browser, options: WireOptions = {}): Wire {
  const requests: string[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    if (typeof input !== 'string') throw new Error('the client passes URLs as strings');
    // Without it a browser would not send the http-only cookies at all.
    if (init.credentials !== 'same-origin') throw new Error(`credentials is ${String(init.credentials)}, not same-origin`);
    const method = init.method ?? 'GET';
    const url = new URL(input, SITE);
    const request = `${method} ${url.pathname}`;
    requests.push(request);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const answer = await browser.call(method, `${url.pathname}${url.search}`, { raw: init.body ?? undefined, headers });
    options.afterAnswer?.(request);
    await options.holdAnswer?.(request);
    // A 204 may not carry a body, not even an empty string.
    return new Response(answer.status === 204 ? null : answer.text, { status: answer.status, headers: answer.headers });
  };
  return { fetch: fetchImpl, requests, count: (r) => requests.filter((x) => x === r).length };
}

type Client = ReturnType<typeof createAuthClient>;
const clients: Client[] = [];
const channels: BroadcastChannel[] = [];

/** A client with no channel unless given one: an open channel would keep the worker alive. */
function clientFor(wire: Wire, channel: BroadcastChannel | null = null): Client {
  const client = createAuthClient({ fetch: wire.fetch, channel });
  clients.push(client);
  return client;
}

function channel(name: string): BroadcastChannel {
  const c = new BroadcastChannel(name);
  channels.push(c);
  return c;
}

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  for (const c of channels.splice(0)) c.close();
});

async function rejection(promise: Promise<unknown>): Promise<AuthError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AuthError) return err;
    throw err;
  }
  throw new Error('the call resolved; an AuthError was expected');
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await sleep(10);
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('auth-client: logging in', () => {
  it('register, verify and login go through; session() then returns the user and sessions() lists one current session', async () => {
    const signUp = clientFor(wireTo(new Browser()));
    expect(await signUp.register({ email: 'ann@example.com', password: PASSWORD })).toEqual({
      status: 'verification_sent',
      mailbox: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    const { link } = await latestLink(world.mailbox, 'ann@example.com', '/api/auth/verify');
    const verified = await signUp.verifyEmail(tokenOf(link));
    expect(verified.user).toMatchObject({ email: 'ann@example.com', emailVerified: true });

    // Another browser, so that what follows is this login's session alone.
    const wire = wireTo(new Browser('client-test/1.0'));
    const client = clientFor(wire);
    expect(await client.session()).toBeNull();
    const { user } = await client.login({ email: 'ann@example.com', password: PASSWORD });
    expect(user.email).toBe('ann@example.com');
    const current = await client.session();
    expect(current?.user).toEqual(user);
    expect(current?.session.id).toMatch(/\S/);
    const sessions = await client.sessions();
    const mine = sessions.filter((s) => s.current);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ id: current?.session.id, userAgent: 'client-test/1.0' });
    expect(typeof mine[0].createdAt).toBe('string');
    // Only the first session() refreshed: it was made before the login, with no cookies at all.
    expect(wire.count(REFRESH)).toBe(1);
  });
});

describe('auth-client: verification from another browser (issue 19, item 3)', () => {
  it('verifyEmail answers setPasswordUrl when the browser that registered is not the one confirming', async () => {
    const signUp = clientFor(wireTo(new Browser('registering/1.0')));
    await signUp.register({ email: 'elsewhere@example.com', password: PASSWORD });
    const { link } = await latestLink(world.mailbox, 'elsewhere@example.com', '/api/auth/verify');
    const confirmed = await clientFor(wireTo(new Browser('phone/1.0'))).verifyEmail(tokenOf(link));
    expect(confirmed.user).toMatchObject({ email: 'elsewhere@example.com', emailVerified: true });
    expect(new URL(confirmed.setPasswordUrl ?? '').pathname).toBe('/api/auth/password/reset');
  });
});

describe('auth-client: refresh', () => {
  it('parallel calls that all get 401 share ONE refresh, then all succeed', async () => {
    const browser = await signedIn(world, 'ben@example.com');
    browser.jar.delete('access_token');
    const wire = wireTo(browser);
    const client = clientFor(wire);
    const results = await Promise.all([client.session(), client.sessions(), client.session(), client.sessions(), client.session()]);
    for (const r of results) expect(r).not.toBeNull();
    expect(results[0]).toMatchObject({ user: { email: 'ben@example.com' } });
    expect(results[1]).toContainEqual(expect.objectContaining({ current: true }));
    expect(wire.count(REFRESH)).toBe(1);
    // Each call was sent twice: once with no access cookie, once after the refresh.
    expect(wire.count('GET /api/auth/session')).toBe(6);
    expect(wire.count('GET /api/auth/sessions')).toBe(4);
    expect(browser.jar.get('access_token')).toBeDefined();
  });

  it('with both cookies gone, session() resolves null after one refresh attempt and listeners hear session_ended', async () => {
    const browser = await signedIn(world, 'cat@example.com');
    browser.jar.delete('access_token');
    browser.jar.delete('refresh_token');
    const wire = wireTo(browser);
    const client = clientFor(wire);
    const heard: string[] = [];
    client.onLogout((reason) => heard.push(reason));
    expect(await client.session()).toBeNull();
    expect(wire.count(REFRESH)).toBe(1);
    expect(wire.count('GET /api/auth/session')).toBe(1);
    expect(heard).toEqual(['session_ended']);
    // A call that needs the session rejects with the 401 instead.
    const err = await rejection(client.sessions());
    expect(err.status).toBe(401);
    expect(wire.count(REFRESH)).toBe(2);
  });

  it('retries a call at most once: a refresh that works but a retry that still gets 401 rejects', async () => {
    const browser = await signedIn(world, 'dan@example.com');
    browser.jar.delete('access_token');
    // A browser that drops every new access cookie: the refresh works, the retry is still unauthenticated.
    const wire = wireTo(browser, { afterAnswer: (request) => request === REFRESH && browser.jar.delete('access_token') });
    const client = clientFor(wire);
    const heard: string[] = [];
    client.onLogout((reason) => heard.push(reason));
    const err = await rejection(client.sessions());
    expect(err.status).toBe(401);
    expect(err.code).toBe('unauthenticated');
    expect(wire.count(REFRESH)).toBe(1);
    expect(wire.count('GET /api/auth/sessions')).toBe(2);
    // The refresh worked, so the session did not end.
    expect(heard).toEqual([]);
  });

  it('a 401 that arrives after a refresh finished retries with the new cookie instead of refreshing again', async () => {
    const browser = await signedIn(world, 'dee@example.com');
    browser.jar.delete('access_token');
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    const wire = wireTo(browser, {
      holdAnswer: (request) => {
        if (request !== 'GET /api/auth/sessions' || held) return undefined;
        held = true;
        return gate;
      },
    });
    const client = clientFor(wire);
    const slow = client.sessions();
    expect(await client.session()).not.toBeNull();
    expect(wire.count(REFRESH)).toBe(1);
    release();
    expect(await slow).toContainEqual(expect.objectContaining({ current: true }));
    expect(wire.count(REFRESH)).toBe(1);
    expect(wire.count('GET /api/auth/sessions')).toBe(2);
  });

  it('never refreshes for calls that do not need a session', async () => {
    await signedIn(world, 'eve@example.com');
    const wire = wireTo(new Browser());
    const client = clientFor(wire);
    const err = await rejection(client.login({ email: 'eve@example.com', password: 'not the password' }));
    expect(err.status).toBe(401);
    expect(wire.requests).toEqual(['POST /api/auth/login']);
  });
});

describe('auth-client: logout', () => {
  it('tells the other tabs over BroadcastChannel, and its own listeners', async () => {
    const name = `auth-test-${randomBytes(6).toString('hex')}`;
    const tabA = await signedIn(world, 'fay@example.com');
    const a = clientFor(wireTo(tabA), channel(name));
    const b = clientFor(wireTo(tabA.fork()), channel(name));
    const heardA: string[] = [];
    const heardB: string[] = [];
    a.onLogout((reason) => heardA.push(reason));
    b.onLogout((reason) => heardB.push(reason));

    await a.logout();
    expect(heardA).toEqual(['logout']);
    await until(() => heardB.length > 0, "tab B's logout message");
    expect(heardB).toEqual(['other_tab']);
    expect(tabA.jar.get('access_token')).toBeUndefined();
    expect(await a.session()).toBeNull();
  });

  it('an unsubscribed listener hears nothing', async () => {
    const a = clientFor(wireTo(await signedIn(world, 'gus@example.com')));
    const heard: string[] = [];
    const stop = a.onLogout((reason) => heard.push(reason));
    stop();
    await a.logout();
    expect(heard).toEqual([]);
  });

  it('logout({all: true}) ends the other devices too: their next refresh fails and they hear session_ended', async () => {
    const one = await signedIn(world, 'hal@example.com');
    const two = new Browser('second-device');
    await two.post('/api/auth/login', { email: 'hal@example.com', password: PASSWORD });
    const first = clientFor(wireTo(one));
    const secondWire = wireTo(two);
    const second = clientFor(secondWire);
    const heard: string[] = [];
    second.onLogout((reason) => heard.push(reason));

    await first.logout({ all: true });
    two.jar.delete('access_token');
    expect(await second.session()).toBeNull();
    expect(secondWire.count(REFRESH)).toBe(1);
    expect(heard).toEqual(['session_ended']);
  });
});

describe('auth-client: account calls', () => {
  it('revokeSession ends another session and sessions() no longer lists it', async () => {
    const one = await signedIn(world, 'ida@example.com');
    const two = new Browser('other-device/2.0');
    await two.post('/api/auth/login', { email: 'ida@example.com', password: PASSWORD });
    const client = clientFor(wireTo(one));
    const before = await client.sessions();
    const other = before.find((s) => s.userAgent === 'other-device/2.0');
    expect(other?.current).toBe(false);
    await client.revokeSession(other?.id ?? '');
    const after = await client.sessions();
    expect(after.map((s) => s.id)).not.toContain(other?.id);
    expect(after).toHaveLength(before.length - 1);
    expect(after).toContainEqual(expect.objectContaining({ current: true }));
    const unknown = await rejection(client.revokeSession('999999999'));
    expect(unknown.status).toBe(404);
  });

  it('changePassword, forgotPassword and resetPassword work end to end', async () => {
    const browser = await signedIn(world, 'jon@example.com');
    const client = clientFor(wireTo(browser));
    const wrong = await rejection(client.changePassword({ currentPassword: 'not the password', newPassword: 'another long password' }));
    expect(wrong.code).toBe('invalid_credentials');
    await client.changePassword({ currentPassword: PASSWORD, newPassword: 'another long password' });
    expect((await client.login({ email: 'jon@example.com', password: 'another long password' })).user.email).toBe('jon@example.com');

    await client.forgotPassword('jon@example.com');
    const { link } = await latestLink(world.mailbox, 'jon@example.com', '/api/auth/password/reset');
    await client.resetPassword({ token: tokenOf(link), password: 'a third long password' });
    expect((await client.login({ email: 'jon@example.com', password: 'a third long password' })).user.email).toBe('jon@example.com');
  });

  it('requestMagicLink and resendVerification send their emails', async () => {
    const client = clientFor(wireTo(new Browser()));
    expect(await client.requestMagicLink('kay@example.com')).toEqual({ status: 'link_sent' });
    await latestLink(world.mailbox, 'kay@example.com', '/api/auth/magic/signup');
    await client.register({ email: 'lou@example.com', password: PASSWORD });
    const before = (await world.mailbox.messages()).length;
    await client.resendVerification('lou@example.com');
    expect(await world.mailbox.messages()).toHaveLength(before + 1);
  });

  it('a filled honeypot gets the same answer and no email', async () => {
    const client = clientFor(wireTo(new Browser()));
    expect(await client.requestMagicLink('mel@example.com', { website: 'http://spam.example' })).toEqual({ status: 'link_sent' });
    expect(await world.mailbox.messages()).toHaveLength(0);
  });
});

describe('auth-client: errors', () => {
  it('a wrong password is AuthError 401 invalid_credentials; a bad email is 400 invalid_email', async () => {
    await signedIn(world, 'ned@example.com');
    const client = clientFor(wireTo(new Browser()));
    const login = await rejection(client.login({ email: 'ned@example.com', password: 'not the password' }));
    expect(login).toBeInstanceOf(Error);
    expect([login.status, login.code, login.retryAfter]).toEqual([401, 'invalid_credentials', null]);
    expect(login.message).toMatch(/\S/);
    const register = await rejection(client.register({ email: 'not an email', password: PASSWORD }));
    expect([register.status, register.code]).toEqual([400, 'invalid_email']);
  });

  it('429 carries Retry-After in seconds', async () => {
    world.configure({ LOGIN_MAX_FAILURES: '1', LOGIN_FAILURE_WINDOW_SECONDS: '120' });
    await signedIn(world, 'oli@example.com');
    const client = clientFor(wireTo(new Browser()));
    await rejection(client.login({ email: 'oli@example.com', password: 'not the password' }));
    const limited = await rejection(client.login({ email: 'oli@example.com', password: PASSWORD }));
    expect([limited.status, limited.code, limited.retryAfter]).toEqual([429, 'rate_limited', 120]);
  });

  it('no answer is network_error (status 0); an answer that is not the JSON envelope is unexpected_response', async () => {
    const down = createAuthClient({ channel: null, fetch: () => Promise.reject(new TypeError('fetch failed')) });
    const offline = await rejection(down.login({ email: 'pat@example.com', password: PASSWORD }));
    expect([offline.status, offline.code]).toEqual([0, 'network_error']);

    const proxy = createAuthClient({ channel: null, fetch: () => Promise.resolve(new Response('<h1>Bad gateway</h1>', { status: 502 })) });
    const html = await rejection(proxy.login({ email: 'pat@example.com', password: PASSWORD }));
    expect([html.status, html.code]).toEqual([502, 'unexpected_response']);
    // A 2xx that is not JSON is no answer to trust either.
    const odd = createAuthClient({ channel: null, fetch: () => Promise.resolve(new Response('ok', { status: 200 })) });
    expect((await rejection(odd.login({ email: 'pat@example.com', password: PASSWORD }))).code).toBe('unexpected_response');
  });
});

describe('auth-client: authFetch, for the site’s own endpoints', () => {
  it('sends the request as given; on a 401 refreshes once and sends it again, body and all', async () => {
    const browser = await signedIn(world, 'nina@example.com');
    const wire = wireTo(browser);
    const client = clientFor(wire);
    const created = await client.authFetch('/api/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'one' }),
    });
    expect(created.status).toBe(201);
    browser.jar.delete('access_token');
    const again = await client.authFetch('/api/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'two' }),
    });
    expect(again.status).toBe(201);
    expect(wire.requests).toEqual(['POST /api/notes', 'POST /api/notes', REFRESH, 'POST /api/notes']);
    const list = (await (await client.authFetch('/api/notes')).json()) as { notes: { text: string }[] };
    expect(list.notes.map((n) => n.text)).toEqual(['two', 'one']);
  });

  it('parallel calls share one refresh with the auth calls', async () => {
    const browser = await signedIn(world, 'olga@example.com');
    browser.jar.delete('access_token');
    const wire = wireTo(browser);
    const client = clientFor(wire);
    const [a, b, session] = await Promise.all([client.authFetch('/api/notes'), client.authFetch('/api/notes'), client.session()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(session).not.toBeNull();
    expect(wire.count(REFRESH)).toBe(1);
  });

  it('answers the 401 itself when the session is over, and listeners hear session_ended; other statuses pass through untouched', async () => {
    const browser = await signedIn(world, 'pia@example.com');
    const wire = wireTo(browser);
    const client = clientFor(wire);
    const missing = await client.authFetch('/api/notes/123');
    expect(missing.status).toBe(404);
    expect(wire.count(REFRESH)).toBe(0);
    browser.jar.delete('access_token');
    browser.jar.delete('refresh_token');
    const heard: string[] = [];
    client.onLogout((reason) => heard.push(reason));
    const refused = await client.authFetch('/api/notes');
    expect(refused.status).toBe(401);
    expect(heard).toEqual(['session_ended']);
    expect(wire.count('GET /api/notes')).toBe(1);
  });
});
