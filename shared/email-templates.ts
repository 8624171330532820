/**
 * The emails the auth API sends, each as a subject, an HTML body and a text body that say
 * plainly what the email is and what happens if it is ignored. Links are absolute (built on
 * config.siteUrl, since a mail client has no base URL), tokens are URL-encoded, and every value
 * put into HTML is escaped, the site's own URL included.
 *
 * Rendering is pure and separate from sending (email.ts) so that each template is tested on
 * its own.
 */

import type { NoticeKind, OutgoingEmail } from './auth/context.ts';
import type { Config } from './config.ts';
import { EMAIL_STYLE } from './pages/style.ts';

export type { EmailKind, NoticeKind, OutgoingEmail } from './auth/context.ts';

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** Where each emailed token is spent: the GET page of that endpoint (docs/API.md, "Link pages"). */
export const TOKEN_LINK_PATHS = {
  verify: '/api/auth/verify',
  reset: '/api/auth/password/reset',
  magic_login: '/api/auth/magic/login',
  magic_signup: '/api/auth/magic/signup',
  invitation: '/api/auth/invitation',
  // The "this wasn't me" link of every security notice.
  secure_account: '/api/auth/secure-account',
} as const satisfies Record<string, string>;

/**
 * The site's pages that emails and the server's own pages send people to; the demo SPA routes on
 * these fragments (a site of your own serves the same ones).
 */
export const SITE_PAGES = { login: '/#login', forgotPassword: '/#forgot-password', magic: '/#magic', resendVerification: '/#register' } as const;

interface Action {
  readonly label: string;
  readonly url: string;
}

interface Content {
  readonly subject: string;
  readonly heading: string;
  readonly paragraphs: readonly string[];
  readonly actions: readonly Action[];
  /** Said after the links: how long they last, and what ignoring the email means. */
  readonly notes: readonly string[];
}

export function renderEmail(config: Config, email: OutgoingEmail): RenderedEmail {
  const content = contentFor(config, email);
  return { subject: content.subject, html: toHtml(config, content), text: toText(content) };
}

/** The absolute link that carries `token` to the page that spends it. */
export function tokenLink(config: Config, kind: keyof typeof TOKEN_LINK_PATHS, token: string | undefined): string {
  if (!token) throw new Error(`a ${kind} email needs a token for its link`);
  return `${config.siteUrl}${TOKEN_LINK_PATHS[kind]}?token=${encodeQueryValue(token)}`;
}

/**
 * encodeURIComponent, plus the five characters it leaves as they are (! ' ( ) *): mail clients
 * and link finders end a bare URL at a quote or a bracket, which would cut the token short.
 */
export function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function contentFor(config: Config, email: OutgoingEmail): Content {
  const site = config.siteName;
  switch (email.kind) {
    case 'verify':
      return {
        subject: `Confirm your email address for ${site}`,
        heading: 'Confirm your email address',
        paragraphs: [
          `Someone, hopefully you, created an account on ${site} with this email address. Confirm that the address is yours to start using the account.`,
        ],
        actions: [{ label: 'Confirm my email address', url: tokenLink(config, 'verify', email.token) }],
        notes: [
          `The link expires in ${duration(config.verifyTokenTtlSeconds)}.`,
          'If you did not create an account, ignore this email: the account stays unconfirmed.',
        ],
      };
    case 'already_registered':
      return alreadyRegistered(config, site);
    case 'invitation':
      return invitation(config, site, email.token);
    case 'invitation_only':
      return invitationOnly(site);
    case 'notice_password_changed':
    case 'notice_password_reset':
    case 'notice_email_verified':
    case 'notice_token_reuse':
    case 'notice_new_device':
      return notice(config, site, email.kind, email);
    case 'reset':
      return {
        subject: `Reset your password for ${site}`,
        heading: 'Reset your password',
        paragraphs: [
          `Someone asked to reset the password of your account on ${site}. Choose a new password with the link below; doing so logs you out on every device.`,
        ],
        actions: [{ label: 'Choose a new password', url: tokenLink(config, 'reset', email.token) }],
        notes: [
          `The link works once and expires in ${duration(config.resetTokenTtlSeconds)}.`,
          'If you did not ask for this, ignore this email: your password stays the same.',
        ],
      };
    case 'magic_login':
      return {
        subject: `Log in to ${site}`,
        heading: `Log in to ${site}`,
        paragraphs: [`Here is the link you asked for to log in to ${site}. No password is needed.`],
        actions: [{ label: `Log in to ${site}`, url: tokenLink(config, 'magic_login', email.token) }],
        notes: [
          `The link works once and expires in ${duration(config.magicLoginTtlSeconds)}.`,
          'If you did not ask for this, ignore this email: nobody can log in without the link.',
        ],
      };
    case 'magic_signup':
      return {
        subject: `Finish creating your account on ${site}`,
        heading: 'Finish creating your account',
        paragraphs: [
          `Someone, hopefully you, asked to sign up on ${site} with this email address. Follow the link to choose your name and finish creating the account.`,
        ],
        actions: [{ label: 'Finish creating your account', url: tokenLink(config, 'magic_signup', email.token) }],
        notes: [
          `The link expires in ${duration(config.magicSignupTtlSeconds)}.`,
          'If you did not ask for this, ignore this email: no account is created without the link.',
        ],
      };
    default:
      return unknownKind(email.kind);
  }
}

function alreadyRegistered(config: Config, site: string): Content {
  return {
    subject: `Someone tried to sign up on ${site} with your email address`,
    heading: 'You already have an account',
    paragraphs: [
      `Someone just tried to create an account on ${site} with this email address. You already have an account with it, so no new account was created and nothing about yours changed.`,
      'If it was you, log in instead, or reset your password if you have forgotten it.',
    ],
    actions: [
      { label: 'Log in', url: `${config.siteUrl}${SITE_PAGES.login}` },
      { label: 'Reset my password', url: `${config.siteUrl}${SITE_PAGES.forgotPassword}` },
    ],
    notes: ['If it was not you, ignore this email: your account is safe.'],
  };
}

function invitation(config: Config, site: string, token: string | undefined): Content {
  const link = tokenLink(config, 'invitation', token);
  return {
    subject: `You are invited to ${site}`,
    heading: `You are invited to ${site}`,
    paragraphs: [
      `Someone who runs ${site} invited this email address to create an account. Choose a password, or go on without one: the link logs you in, and you can log in later with a link sent to this address.`,
    ],
    actions: [
      { label: 'Choose a password', url: link },
      { label: 'Continue with a magic link', url: `${link}&via=link` },
    ],
    notes: [
      `The invitation works once and expires in ${duration(config.invitationTtlSeconds)}.`,
      'If you do not want an account, ignore this email: none is created without the link.',
    ],
  };
}

function invitationOnly(site: string): Content {
  return {
    subject: `${site} is open by invitation only`,
    heading: 'Accounts are by invitation only',
    paragraphs: [
      `Someone, hopefully you, asked to sign up on ${site} with this email address. New accounts there are made by invitation only, and this address has no invitation, so no account was created.`,
      'If you expected an invitation, ask the people who run the site to send one to this address.',
    ],
    actions: [],
    notes: ['If it was not you, ignore this email: nothing was created.'],
  };
}

const NOTICES: Readonly<Record<NoticeKind, { readonly subject: string; readonly heading: string; readonly what: (site: string, device: string) => string }>> = {
  notice_password_changed: {
    subject: 'Your password was changed',
    heading: 'Your password was changed',
    what: (site) => `The password of your account on ${site} was just changed, from a logged-in session. Every other session was logged out.`,
  },
  notice_password_reset: {
    subject: 'Your password was reset',
    heading: 'Your password was reset',
    what: (site) => `The password of your account on ${site} was just set with a reset link sent to this address. Every session was logged out.`,
  },
  notice_email_verified: {
    subject: 'Your email address was confirmed',
    heading: 'Your email address was confirmed',
    what: (site) => `This email address was just confirmed for an account on ${site}.`,
  },
  notice_token_reuse: {
    subject: 'A session of your account was ended',
    heading: 'A session of your account was ended',
    what: (site) =>
      `One of your sessions on ${site} presented a login token that had already been used, which is what a copied token looks like. That session was ended.`,
  },
  notice_new_device: {
    subject: 'A new login to your account',
    heading: 'A new login to your account',
    what: (site, device) => `Your account on ${site} was just logged in to from ${device}, a browser and system not seen on this account before.`,
  },
};

/** A security notice: what happened, and the "this wasn't me" link that ends every session and leads to a new password. */
function notice(config: Config, site: string, kind: NoticeKind, email: OutgoingEmail): Content {
  const n = NOTICES[kind];
  return {
    subject: `${n.subject} on ${site}`,
    heading: n.heading,
    paragraphs: [
      n.what(site, email.device ?? 'an unknown browser'),
      'If it was you, there is nothing to do. If it was not, secure your account: the link logs out every session, removes the password, and leads you to choose a new one.',
    ],
    actions: [{ label: 'This was not me: secure my account', url: tokenLink(config, 'secure_account', email.token) }],
    notes: [`The link works once and expires in ${duration(config.securityLinkTtlSeconds)}.`],
  };
}

function unknownKind(kind: never): never {
  throw new Error(`no email template for '${String(kind)}'`);
}

/** The pages' look (pages/style.ts) as inline styles, with the site's name on top linking home. */
function toHtml(config: Config, c: Content): string {
  const paragraphs = c.paragraphs.map((p) => `<p style="${EMAIL_STYLE.paragraph}">${escapeHtml(p)}</p>`).join('');
  const buttons = c.actions.map((a) => button(a)).join(' ');
  const fallbacks = c.actions.map((a) => `${escapeHtml(a.label)}:<br><a href="${escapeHtml(a.url)}" style="${EMAIL_STYLE.link}">${escapeHtml(a.url)}</a>`).join(
    '<br><br>',
  );
  const notes = c.notes.map((n) => `<p style="${EMAIL_STYLE.small}">${escapeHtml(n)}</p>`).join('');
  const home = `<a href="${escapeHtml(`${config.siteUrl}/`)}" style="color:inherit;text-decoration:none">${escapeHtml(config.siteName)}</a>`;
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(c.subject)}</title></head>` +
    `<body style="${EMAIL_STYLE.body}">` +
    `<div style="${EMAIL_STYLE.header}">${home}</div>` +
    `<div style="${EMAIL_STYLE.card}">` +
    `<h1 style="${EMAIL_STYLE.heading}">${escapeHtml(c.heading)}</h1>${paragraphs}` +
    (c.actions.length === 0
      ? ''
      : `<p style="margin:24px 0">${buttons}</p>` +
        `<p style="${EMAIL_STYLE.small};margin-bottom:16px">If a button does not work, copy the link into your browser.<br>${fallbacks}</p>`) +
    `${notes}</div></body></html>`
  );
}

function button(action: Action): string {
  return `<a href="${escapeHtml(action.url)}" style="${EMAIL_STYLE.button}">${escapeHtml(action.label)}</a>`;
}

function toText(c: Content): string {
  const actions = c.actions.map((a) => `${a.label}:\n${a.url}`);
  return [c.heading, ...c.paragraphs, ...actions, c.notes.join('\n')].join('\n\n') + '\n';
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** "30 minutes", "24 hours", "7 days": the largest unit that states the lifetime exactly (days from 2 on). */
export function duration(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3_600, 'hour'],
    [60, 'minute'],
  ];
  const fits = ([unit]: [number, string]): boolean => seconds % unit === 0 && seconds >= (unit === 86_400 ? 2 * unit : unit);
  const [size, name] = units.find(fits) ?? [1, 'second'];
  const count = seconds / size;
  return `${count} ${name}${count === 1 ? '' : 's'}`;
}
