import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../../test/support/config.ts';
import { HttpError } from '../errors.ts';
import { errorPage, linkKindOf } from './error-page.ts';
import { html } from './html.ts';
import { sitePage } from './layout.ts';

const site = developmentConfig({ URL: 'https://auth.example.com', SITE_NAME: 'Example & Co' });

describe('sitePage', () => {
  it("serves a page with a strict CSP, no referrer, an escaped title, and the site's name linking home", async () => {
    const res = sitePage(site, 'Reset <password>', html`<form method="post"><input name="token" value="${'t"k'}"></form>`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toContain('<title>Reset &lt;password&gt; · Example &amp; Co</title>');
    expect(body).toContain('value="t&quot;k"');
    expect(body).toContain('<header><a href="https://auth.example.com/">Example &amp; Co</a></header>');
    expect(body).toContain('<a href="https://auth.example.com/">Back to Example &amp; Co</a>');
    expect(body.startsWith('<!doctype html>')).toBe(true);
  });

  it('allows its own stylesheet by hash, and styles buttons like the app', async () => {
    const res = sitePage(site, 't', html`<p>x</p>`, { status: 400 });
    const style = /<style>(.*?)<\/style>/s.exec(await res.text())?.[1] ?? '';
    expect(style).toContain('button,.button{');
    expect(style).toContain('#0b5cad'); // the app's accent (public/style.css)
    const hash = createHash('sha256').update(style).digest('base64');
    expect(res.headers.get('content-security-policy')).toContain(`'sha256-${hash}'`);
    expect(res.status).toBe(400);
  });

  it('names the site by its host when SITE_NAME is not set', async () => {
    const plain = developmentConfig({ URL: 'https://auth.example.com' });
    expect(plain.siteName).toBe('auth.example.com');
    expect(await sitePage(plain, 't', html``).text()).toContain('Back to auth.example.com');
  });
});

describe('errorPage', () => {
  it('says why a link cannot be used and offers a new one of the same kind', async () => {
    const res = errorPage(site, new HttpError('used_token', { message: 'This link has already been used.' }), 'reset');
    const body = await res.text();
    expect(res.status).toBe(400);
    expect(body).toContain('This link cannot be used');
    expect(body).toContain('This link has already been used.');
    expect(body).toContain('<a class="button" href="https://auth.example.com/#forgot-password">Send me a new reset link</a>');
  });

  it('speaks to a person for every failure, with its status and headers; a bug is a plain 500 page', async () => {
    const limited = errorPage(site, new HttpError('rate_limited', { message: 'Too many attempts.', headers: { 'Retry-After': '60' } }), null);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '60']);
    const bug = errorPage(site, new Error('secret detail'), 'verify');
    const text = await bug.text();
    expect(bug.status).toBe(500);
    expect(text).toContain('Something went wrong on our side');
    expect(text).not.toContain('secret detail');
  });

  it('knows the link kind of each link page', () => {
    expect(['/api/auth/verify', '/api/auth/password/reset', '/api/auth/magic/login', '/api/auth/magic/signup', '/api/auth/login'].map(linkKindOf)).toEqual([
      'verify',
      'reset',
      'magic_login',
      'magic_signup',
      null,
    ]);
  });
});
