import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { HttpError } from './errors.ts';
import { assertSameOrigin, isAllowedOrigin } from './origin.ts';

const config = developmentConfig({ URL: 'https://auth.example.com', ALLOWED_ORIGINS: 'https://app.example.org, http://localhost:3000' });

function request(method: string, headers: Record<string, string>): Request {
  return new Request('https://auth.example.com/api/auth/logout', { method, headers });
}

function outcome(req: Request): string {
  try {
    assertSameOrigin(req, config);
    return 'allowed';
  } catch (err) {
    if (err instanceof HttpError) return `${err.status} ${err.code}`;
    throw err;
  }
}

const COOKIE = { cookie: 'access_token=x' };
const REFUSED = '403 cross_origin';

describe('assertSameOrigin', () => {
  it('refuses a cookie-carrying POST from another site, by Origin', () => {
    expect(outcome(request('POST', { ...COOKIE, origin: 'https://evil.example' }))).toBe(REFUSED);
  });

  it('refuses every write method, not only POST', () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(outcome(request(method, { ...COOKIE, origin: 'https://evil.example' }))).toBe(REFUSED);
    }
  });

  it('accepts the site origin and ALLOWED_ORIGINS', () => {
    for (const origin of ['https://auth.example.com', 'https://app.example.org', 'http://localhost:3000', 'https://AUTH.example.com:443']) {
      expect(outcome(request('POST', { ...COOKIE, origin }))).toBe('allowed');
    }
  });

  it('refuses look-alikes: other scheme, port, subdomain, suffix, null', () => {
    for (
      const origin of [
        'http://auth.example.com',
        'https://auth.example.com:8443',
        'https://x.auth.example.com',
        'https://auth.example.com.evil.example',
        'null',
        'not a url',
        '',
      ]
    ) {
      expect(outcome(request('POST', { ...COOKIE, origin }))).toBe(REFUSED);
    }
  });

  it("reads `Origin: null` (a no-referrer page's form, or a sandboxed frame) by Sec-Fetch-Site", () => {
    expect(outcome(request('POST', { origin: 'null', 'sec-fetch-site': 'same-origin' }))).toBe('allowed');
    expect(outcome(request('POST', { origin: 'null', 'sec-fetch-site': 'cross-site' }))).toBe(REFUSED);
    expect(outcome(request('POST', { origin: 'null', 'sec-fetch-site': 'none' }))).toBe(REFUSED);
    expect(outcome(request('POST', { origin: 'null' }))).toBe(REFUSED);
  });

  it('lets Origin decide over Sec-Fetch-Site', () => {
    expect(outcome(request('POST', { ...COOKIE, origin: 'https://app.example.org', 'sec-fetch-site': 'cross-site' }))).toBe('allowed');
    expect(outcome(request('POST', { ...COOKIE, origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }))).toBe(REFUSED);
  });

  it('falls back to Sec-Fetch-Site without Origin', () => {
    expect(outcome(request('POST', { ...COOKIE, 'sec-fetch-site': 'same-origin' }))).toBe('allowed');
    expect(outcome(request('POST', { ...COOKIE, 'sec-fetch-site': 'none' }))).toBe('allowed');
    expect(outcome(request('POST', { ...COOKIE, 'sec-fetch-site': 'same-site' }))).toBe(REFUSED);
    expect(outcome(request('POST', { ...COOKIE, 'sec-fetch-site': 'cross-site' }))).toBe(REFUSED);
    expect(outcome(request('POST', { ...COOKIE, 'sec-fetch-site': 'something-new' }))).toBe(REFUSED);
  });

  it('lets a client that sends neither header through (not a browser, so not a CSRF victim)', () => {
    expect(outcome(request('POST', COOKIE))).toBe('allowed');
  });

  it('does not check reads', () => {
    expect(outcome(request('GET', { ...COOKIE, origin: 'https://evil.example' }))).toBe('allowed');
    expect(outcome(request('GET', { 'sec-fetch-site': 'cross-site' }))).toBe('allowed');
  });

  it("refuses a cross-site write without cookies too (login CSRF with the attacker's own link)", () => {
    expect(outcome(request('POST', { origin: 'https://evil.example' }))).toBe(REFUSED);
    expect(outcome(request('POST', { cookie: '  ', origin: 'https://evil.example' }))).toBe(REFUSED);
    expect(outcome(request('POST', { 'sec-fetch-site': 'cross-site' }))).toBe(REFUSED);
    expect(outcome(request('POST', { origin: 'https://auth.example.com' }))).toBe('allowed');
  });
});

describe('isAllowedOrigin', () => {
  it('compares whole origins', () => {
    expect(isAllowedOrigin('https://auth.example.com', config)).toBe(true);
    expect(isAllowedOrigin('https://auth.example.co', config)).toBe(false);
    expect(isAllowedOrigin('file://', config)).toBe(false);
  });
});
