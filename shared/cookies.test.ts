import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { clearedCookies, readCookies, sessionCookies, sessionTokens, signupCookie, signupCookieValue } from './cookies.ts';
import { HttpError } from './errors.ts';

/** A Set-Cookie line as name, value and a set of attributes, so attribute order does not matter. */
function dissect(line: string): { name: string; value: string; attributes: Set<string> } {
  const [pair, ...attributes] = line.split('; ');
  const eq = pair.indexOf('=');
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes: new Set(attributes) };
}

const https = developmentConfig({ URL: 'https://auth.example.com', ACCESS_TOKEN_TTL_SECONDS: '900', REFRESH_TOKEN_TTL_SECONDS: '2592000' });
const tokens = { access: 'aaa.bbb.ccc', refresh: 'ddd.eee-_f.ggg' };

describe('session cookies', () => {
  it('writes exactly the attributes of docs/API.md, Secure on an https site', () => {
    const [access, refresh] = sessionCookies(tokens, https).map(dissect);
    expect(access).toEqual({
      name: '__Host-access_token',
      value: tokens.access,
      attributes: new Set(['HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=900', 'Secure']),
    });
    expect(refresh).toEqual({
      name: '__Secure-refresh_token',
      value: tokens.refresh,
      attributes: new Set(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth', 'Max-Age=2592000', 'Secure']),
    });
  });

  it('uses the __Host- and __Secure- prefixes exactly where cookies are Secure (issue 19, item 10)', () => {
    const local = sessionCookies(tokens, developmentConfig({ URL: 'http://localhost:8888' })).map(dissect);
    expect(local.map((c) => c.name)).toEqual(['access_token', 'refresh_token']);
    const [access] = sessionCookies(tokens, https).map(dissect);
    // What a browser demands of __Host-: Secure, Path=/, no Domain.
    expect([...access.attributes].some((a) => a.startsWith('Domain='))).toBe(false);
    const signup = dissect(signupCookie('nonce', https));
    expect(signup.name).toBe('__Host-signup_binding');
    expect(signup.attributes).toEqual(new Set(['HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=86400', 'Secure']));
  });

  it('follows the configured lifetimes', () => {
    const short = developmentConfig({ URL: 'https://auth.example.com', ACCESS_TOKEN_TTL_SECONDS: '60', REFRESH_TOKEN_TTL_SECONDS: '120' });
    const [access, refresh] = sessionCookies(tokens, short).map(dissect);
    expect(access.attributes.has('Max-Age=60')).toBe(true);
    expect(refresh.attributes.has('Max-Age=120')).toBe(true);
  });

  it('leaves out Secure only for http://localhost and http://127.0.0.1', () => {
    for (const url of ['http://localhost:8888', 'http://127.0.0.1:8888', 'http://localhost']) {
      const lines = sessionCookies(tokens, developmentConfig({ URL: url })).map(dissect);
      expect(lines.map((c) => c.attributes.has('Secure'))).toEqual([false, false]);
    }
    for (const url of ['https://localhost:8888', 'http://example.com', 'http://localhost.evil.com']) {
      const lines = sessionCookies(tokens, developmentConfig({ URL: url })).map(dissect);
      expect(lines.map((c) => c.attributes.has('Secure'))).toEqual([true, true]);
    }
  });

  it('clears both with Max-Age=0 and the same Path and attributes', () => {
    const set = sessionCookies(tokens, https).map(dissect);
    const cleared = clearedCookies(https).map(dissect);
    expect(cleared.map((c) => [c.name, c.value])).toEqual([['__Host-access_token', ''], ['__Secure-refresh_token', '']]);
    cleared.forEach((c, i) => {
      expect(c.attributes.has('Max-Age=0')).toBe(true);
      const withoutAge = (s: Set<string>): string[] => [...s].filter((a) => !a.startsWith('Max-Age=')).sort();
      expect(withoutAge(c.attributes)).toEqual(withoutAge(set[i].attributes));
    });
  });
});

describe('reading cookies', () => {
  const request = (cookie?: string): Request => new Request('https://auth.example.com/api/auth/session', cookie ? { headers: { cookie } } : {});

  it('parses the Cookie header', () => {
    expect(readCookies(request('a=1; access_token=x.y.z; b=%20two'))).toEqual({ a: '1', access_token: 'x.y.z', b: ' two' });
    expect(readCookies(request())).toEqual({});
  });

  const local = developmentConfig({ URL: 'http://localhost:8888' });

  it('picks the session tokens, treating empty values as absent', () => {
    expect(sessionTokens(request('access_token=A; refresh_token=R'), local)).toEqual({ access: 'A', refresh: 'R' });
    expect(sessionTokens(request('access_token=; other=1'), local)).toEqual({ access: undefined, refresh: undefined });
  });

  it('reads back what it wrote', () => {
    const header = sessionCookies(tokens, https).map((line) => line.split(';')[0]).join('; ');
    expect(sessionTokens(request(header), https)).toEqual(tokens);
  });

  it('reads only the prefixed names on a Secure site: an unprefixed copy could come from any host', () => {
    expect(sessionTokens(request('access_token=A; refresh_token=R'), https)).toEqual({ access: undefined, refresh: undefined });
  });

  it('refuses a session or registration cookie sent twice, whichever copy comes first (issue 19, item 10)', () => {
    const refusal = (fn: () => unknown): string => {
      try {
        fn();
        return 'accepted';
      } catch (err) {
        if (err instanceof HttpError) return `${err.status} ${err.code}`;
        throw err;
      }
    };
    expect(refusal(() => sessionTokens(request('access_token=planted; access_token=mine'), local))).toBe('400 duplicate_cookie');
    expect(refusal(() => sessionTokens(request('refresh_token=a;refresh_token=b'), local))).toBe('400 duplicate_cookie');
    expect(refusal(() => sessionTokens(request('__Host-access_token=a; __Host-access_token=b'), https))).toBe('400 duplicate_cookie');
    expect(refusal(() => signupCookieValue(request('signup_binding=a; signup_binding=b'), local))).toBe('400 duplicate_cookie');
    // Another cookie twice is none of ours; the session cookies once each are fine.
    expect(refusal(() => sessionTokens(request('theme=a; theme=b; access_token=A'), local))).toBe('accepted');
  });
});
