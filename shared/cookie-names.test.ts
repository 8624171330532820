import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { accessCookieName, cookieNames, secureCookiesFor } from './cookie-names.ts';
import { sessionCookies } from './cookies.ts';

describe('cookie names, as the API sets them and the edge guard reads them', () => {
  it('https: the guard, knowing only the origin, reads the __Host- access cookie the API sets', () => {
    const cfg = developmentConfig({ URL: 'https://site.example' });
    expect(cfg.secureCookies).toBe(true);
    expect(cookieNames(cfg)).toEqual({ access: '__Host-access_token', refresh: '__Secure-refresh_token', signup: '__Host-signup_binding' });
    const guardName = accessCookieName({ secureCookies: secureCookiesFor('https://site.example') });
    expect(guardName).toBe('__Host-access_token');
    expect(sessionCookies({ access: 'a', refresh: 'r' }, cfg)[0]).toMatch(new RegExp(`^${guardName}=a;`));
  });

  it('http://localhost: plain names on both sides', () => {
    const cfg = developmentConfig({ URL: 'http://localhost:8888' });
    expect(cfg.secureCookies).toBe(false);
    expect(accessCookieName({ secureCookies: secureCookiesFor('http://localhost:8888') })).toBe(cookieNames(cfg).access);
    expect(cookieNames(cfg).access).toBe('access_token');
  });
});
