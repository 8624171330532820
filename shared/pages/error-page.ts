/**
 * The page a person sees when something they did in a browser fails: a form posted from one of
 * the link pages, or a link that cannot be used. It says what happened in plain words, what to
 * do next, and links back to the site: a person who clicked a button must never land on JSON.
 */

import { HttpError, type ApiErrorCode } from '../errors.ts';
import { SITE_PAGES, TOKEN_LINK_PATHS } from '../email-templates.ts';
import { html } from './html.ts';
import { sitePage, type SiteInfo } from './layout.ts';

export type LinkKind = keyof typeof TOKEN_LINK_PATHS;

interface Step {
  readonly label: string;
  readonly path: string;
}

/** Where, on the site, a person asks for a new link of each kind (an invitation comes only from an admin). */
const NEW_LINK: Readonly<Record<LinkKind, Step | null>> = {
  verify: { label: 'Send me a new confirmation link', path: SITE_PAGES.resendVerification },
  reset: { label: 'Send me a new reset link', path: SITE_PAGES.forgotPassword },
  magic_login: { label: 'Send me a new link', path: SITE_PAGES.magic },
  magic_signup: { label: 'Send me a new link', path: SITE_PAGES.magic },
  invitation: null,
  // Securing the account again is choosing a new password: a reset link does it.
  secure_account: { label: 'Send me a reset link', path: SITE_PAGES.forgotPassword },
};

interface PageText {
  readonly title: string;
  /** What to do next, said after the error's own message. */
  readonly next: string;
  /** The button; without one, the page links back to the site only. */
  readonly step?: (kind: LinkKind | null) => Step | null;
}

const newLink = (kind: LinkKind | null): Step | null => (kind === null ? null : NEW_LINK[kind]);

const CANNOT_USE_LINK: PageText = { title: 'This link cannot be used', next: 'Ask for a new link: it arrives in a minute.', step: newLink };
const UNREADABLE_FORM: PageText = { title: 'The form could not be read', next: 'Open the link from your email again, and press its button.' };
const OUR_FAULT: PageText = { title: 'Something went wrong on our side', next: 'Nothing was changed. Please try again in a minute.' };

const PAGE_TEXTS: Partial<Record<ApiErrorCode, PageText>> = {
  invalid_token: CANNOT_USE_LINK,
  expired_token: CANNOT_USE_LINK,
  used_token: CANNOT_USE_LINK,
  weak_password: {
    title: 'Choose another password',
    next: "Go back to the form with your browser's Back button and choose another one. The link still works.",
  },
  account_exists: {
    title: 'You already have an account',
    next: 'Log in instead, with a password or a login link.',
    step: () => ({ label: 'Log in', path: SITE_PAGES.login }),
  },
  invitation_required: { title: 'Accounts are by invitation only', next: 'Ask the people who run the site to invite this address.' },
  invalid_body: UNREADABLE_FORM,
  invalid_json: UNREADABLE_FORM,
  payload_too_large: UNREADABLE_FORM,
  unsupported_media_type: UNREADABLE_FORM,
  cross_origin: { title: 'This form came from another site', next: 'Open the link from your email again, and press its button there.' },
  rate_limited: { title: 'Too many attempts', next: 'Please wait a little, then try again.' },
  internal_error: OUR_FAULT,
  db_unavailable: OUR_FAULT,
  email_failed: OUR_FAULT,
};

const FALLBACK: PageText = { title: 'That did not work', next: 'Go back to the site and try again.' };

/** The link kind of a link page's path (its GET or its form's POST), or null. */
export function linkKindOf(pathname: string): LinkKind | null {
  const found = (Object.entries(TOKEN_LINK_PATHS) as [LinkKind, string][]).find(([, path]) => path === pathname);
  return found === undefined ? null : found[0];
}

/**
 * An error as a page, with the error's status. Anything but an HttpError is a bug: it is logged,
 * and the page says only that something went wrong.
 */
export function errorPage(site: SiteInfo, err: unknown, kind: LinkKind | null): Response {
  if (!(err instanceof HttpError)) console.error('[page] unhandled error:', err);
  const known = err instanceof HttpError ? err : new HttpError('internal_error', { message: 'Something went wrong on our side.' });
  const text = PAGE_TEXTS[known.code] ?? FALLBACK;
  const step = text.step?.(kind) ?? null;
  const button = step === null ? html`` : html`<p class="next"><a class="button" href="${site.siteUrl}${step.path}">${step.label}</a></p>`;
  return sitePage(
    site,
    text.title,
    html`<h1>${text.title}</h1><p class="error">${known.message}</p><p>${text.next}</p>${button}`,
    { status: known.status, headers: known.headers },
  );
}
