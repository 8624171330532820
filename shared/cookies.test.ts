import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { clearedCookies, readCookies, sessionCookies, sessionTokens } from './cookies.ts';

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
      name: 'access_token', value: tokens.access,
      attributes: new Set(['HttpOnly', 'SameSite=Lax', 'Path=/', 'Max-Age=900', 'Secure']),
    });
    expect(refresh).toEqual({
      name: 'refresh_token', value: tokens.refresh,
      attributes: new Set(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth', 'Max-Age=2592000', 'Secure']),
    });
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
    expect(cleared.map((c) => [c.name, c.value])).toEqual([['access_token', ''], ['refresh_token', '']]);
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

  it('picks the session tokens, treating empty values as absent', () => {
    expect(sessionTokens(request('access_token=A; refresh_token=R'))).toEqual({ access: 'A', refresh: 'R' });
    expect(sessionTokens(request('access_token=; other=1'))).toEqual({ access: undefined, refresh: undefined });
  });

  it('reads back what it wrote', () => {
    const header = sessionCookies(tokens, https).map((line) => line.split(';')[0]).join('; ');
    expect(sessionTokens(request(header))).toEqual(tokens);
  });
});
