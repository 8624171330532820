import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { messageLinks, startMailbox, type Mailbox } from '../netlify/mailbox/server.ts';
import { developmentConfig } from '../test/support/config.ts';
import type { Config } from './config.ts';
import { duration, renderEmail, type EmailKind } from './email-templates.ts';
import { localMailbox, postmarkClientOptions, sendEmail } from './email.ts';
import { HttpError } from './errors.ts';

// A token with every character that needs encoding in a query string, and escaping in HTML.
const TOKEN = 'a+b/c=d&e<f>"g\'h';
const ENCODED = 'a%2Bb%2Fc%3Dd%26e%3Cf%3E%22g%27h';

function configFor(env: Record<string, string>): Config {
  return developmentConfig({ URL: 'https://auth.example.test', ...env });
}

/** Every href in the HTML, with the entities an attribute may hold decoded. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((m) =>
    m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
  );
}

describe('email templates', () => {
  const config = configFor({});

  it.each(
    [
      ['verify', '/api/auth/verify', /confirm your email/i, '24 hours'],
      ['reset', '/api/auth/password/reset', /reset your password/i, '30 minutes'],
      ['magic_login', '/api/auth/magic/login', /^Log in to auth\.example\.test$/, '30 minutes'],
      ['magic_signup', '/api/auth/magic/signup', /finish creating your account/i, '8 hours'],
    ] as const,
  )('%s: one absolute link with the token encoded, in HTML and text', (kind, path, subject, lifetime) => {
    const email = renderEmail(config, { kind, to: 'ada@example.com', token: TOKEN });
    const link = `https://auth.example.test${path}?token=${ENCODED}`;
    expect(email.subject).toMatch(subject);
    // The site's name on top links home; the only other link is the token's.
    expect(new Set(hrefs(email.html))).toEqual(new Set(['https://auth.example.test/', link]));
    expect(email.text).toContain(`\n${link}\n`);
    expect(email.text).toContain(lifetime);
    expect(email.html).not.toContain(TOKEN);
    expect(email.text).not.toContain(TOKEN);
    expect(new URL(link).searchParams.get('token')).toBe(TOKEN);
  });

  it('already_registered: says an account exists and links to log in and to reset, without a token', () => {
    const email = renderEmail(config, { kind: 'already_registered', to: 'ada@example.com' });
    expect(email.subject).toMatch(/tried to sign up/i);
    expect(email.html).toContain('>auth.example.test</a>');
    expect(email.text).toMatch(/already have an account/i);
    expect(hrefs(email.html)).toEqual([
      'https://auth.example.test/',
      'https://auth.example.test/#login',
      'https://auth.example.test/#forgot-password',
      'https://auth.example.test/#login',
      'https://auth.example.test/#forgot-password',
    ]);
    expect(email.text).toContain('https://auth.example.test/#forgot-password');
    expect(email.html + email.text).not.toMatch(/token=/);
  });

  it('invitation: a password link and a magic-link one, on one token, with the lifetime', () => {
    const email = renderEmail(config, { kind: 'invitation', to: 'ada@example.com', token: TOKEN });
    const link = `https://auth.example.test/api/auth/invitation?token=${ENCODED}`;
    expect(email.subject).toBe('You are invited to auth.example.test');
    expect(new Set(hrefs(email.html))).toEqual(new Set(['https://auth.example.test/', link, `${link}&via=link`]));
    expect(email.text).toContain('7 days');
  });

  it('invitation_only: says no account was made, with no link at all', () => {
    const email = renderEmail(config, { kind: 'invitation_only', to: 'ada@example.com' });
    expect(email.text).toMatch(/invitation only/);
    // Only the site's name on top, linking home.
    expect(hrefs(email.html)).toEqual(['https://auth.example.test/']);
  });

  it.each(['notice_password_changed', 'notice_password_reset', 'notice_email_verified', 'notice_token_reuse', 'notice_new_device'] as const)(
    '%s: says what happened, with one "this was not me" link carrying the token',
    (kind) => {
      const email = renderEmail(config, { kind, to: 'ada@example.com', token: TOKEN, device: 'Firefox on <Linux>' });
      const link = `https://auth.example.test/api/auth/secure-account?token=${ENCODED}`;
      expect(new Set(hrefs(email.html))).toEqual(new Set(['https://auth.example.test/', link]));
      expect(email.text).toContain('This was not me');
      expect(() => renderEmail(config, { kind, to: 'ada@example.com' })).toThrow(/needs a token/);
      if (kind === 'notice_new_device') {
        expect(email.text).toContain('Firefox on <Linux>');
        expect(email.html).toContain('Firefox on &lt;Linux&gt;');
      }
    },
  );

  it('escapes every interpolated value in the HTML, the site URL included', () => {
    const odd = configFor({ URL: `https://odd.example.test/x"><script>alert(1)</script>` });
    const email = renderEmail(odd, { kind: 'verify', to: 'ada@example.com', token: TOKEN });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(hrefs(email.html)[1]).toBe(`https://odd.example.test/x"><script>alert(1)</script>/api/auth/verify?token=${ENCODED}`);
  });

  it('names the site by SITE_NAME in the subject, the text and on top of the HTML', () => {
    const email = renderEmail(configFor({ SITE_NAME: 'Ada & Co' }), { kind: 'magic_login', to: 'ada@example.com', token: TOKEN });
    expect(email.subject).toBe('Log in to Ada & Co');
    expect(email.text).toContain('Log in to Ada & Co');
    expect(email.html).toContain('>Ada &amp; Co</a></div>');
  });

  it('names the local mailbox in development only', () => {
    expect(localMailbox(configFor({ POSTMARK_API_URL: 'http://127.0.0.1:8025' }))).toBe('http://127.0.0.1:8025');
    expect(localMailbox(configFor({ POSTMARK_API_URL: 'https://api.postmarkapp.com' }))).toBeNull();
    const production = {
      NODE_ENV: 'production',
      JWT_SECRETS: 'x'.repeat(32),
      DATABASE_URL: 'postgres://db/auth',
      FAUNA_SECRET: 's',
      POSTMARK_SERVER_TOKEN: 't',
      EMAIL_FROM: 'a@b.c',
    };
    expect(localMailbox(configFor({ ...production, POSTMARK_API_URL: 'http://127.0.0.1:8025' }))).toBeNull();
  });

  it.each(['verify', 'reset', 'magic_login', 'magic_signup'] as const)('%s: refuses to render without a token', (kind: EmailKind) => {
    expect(() => renderEmail(config, { kind, to: 'ada@example.com' })).toThrow(/needs a token/);
  });

  it('states lifetimes in the largest exact unit', () => {
    expect([duration(1800), duration(86_400), duration(8 * 3600), duration(7 * 86_400), duration(90)]).toEqual([
      '30 minutes',
      '24 hours',
      '8 hours',
      '7 days',
      '90 seconds',
    ]);
  });
});

describe('Postmark client options', () => {
  it('derive useHttps and requestHost (host:port) from POSTMARK_API_URL', () => {
    expect(postmarkClientOptions('https://api.postmarkapp.com')).toMatchObject({ useHttps: true, requestHost: 'api.postmarkapp.com' });
    expect(postmarkClientOptions('http://127.0.0.1:8025')).toMatchObject({ useHttps: false, requestHost: '127.0.0.1:8025' });
  });
});

describe('sendEmail through the real postmark client', () => {
  let mailbox: Mailbox;
  let logged: MockInstance<typeof console.error>;

  beforeEach(async () => {
    mailbox = await startMailbox({});
    logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    logged.mockRestore();
    await mailbox.close();
  });

  it('delivers a verify email whose link can be read back out of the mailbox', async () => {
    const config = configFor({ POSTMARK_API_URL: mailbox.url, EMAIL_FROM: 'Auth <auth@example.test>' });
    await sendEmail(config, { kind: 'verify', to: 'Ada@Example.com', token: TOKEN });
    const [message] = await mailbox.messages();
    expect(message).toMatchObject({ from: { name: 'Auth', email: 'auth@example.test' }, to: [{ email: 'ada@example.com' }], tag: 'verify' });
    expect(message.subject).toMatch(/confirm your email/i);
    expect(messageLinks(message)).toEqual([`https://auth.example.test/api/auth/verify?token=${ENCODED}`, 'https://auth.example.test/']);
    expect(logged).not.toHaveBeenCalled();
  });

  async function failure(config: Config): Promise<HttpError> {
    try {
      await sendEmail(config, { kind: 'reset', to: 'ada@example.com', token: TOKEN });
    } catch (err) {
      if (err instanceof HttpError) return err;
      throw err;
    }
    throw new Error('expected sendEmail to fail');
  }

  function expectEmailFailed(err: HttpError, providerText: string): void {
    expect(err).toMatchObject({ code: 'email_failed', status: 502, message: 'The email could not be sent.' });
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(providerText);
    // The provider's words are kept, but only in the server log.
    expect(logged.mock.calls.flat().join(' ')).toContain(providerText);
  }

  it('turns a 500 from Postmark into email_failed without the provider’s text', async () => {
    mailbox.failWith({ status: 500, message: 'Postmark internal detail 4711' });
    const err = await failure(configFor({ POSTMARK_API_URL: mailbox.url }));
    expectEmailFailed(err, 'Postmark internal detail 4711');
    expect(await mailbox.messages()).toEqual([]);
  });

  it('turns a refusal (422) into email_failed', async () => {
    const err = await failure(configFor({ POSTMARK_API_URL: mailbox.url, EMAIL_FROM: 'not-an-address' }));
    expectEmailFailed(err, "Invalid 'From' address");
  });

  it('turns an unreachable Postmark into email_failed', async () => {
    await mailbox.close(); // afterEach closes it again, which is harmless
    const err = await failure(configFor({ POSTMARK_API_URL: mailbox.url }));
    expectEmailFailed(err, 'ECONNREFUSED');
  });
});
