/**
 * The pages an emailed link opens. Opening one spends nothing: the page holds the token in a
 * form that the person submits with a button. Mail scanners that follow links therefore
 * cannot log anyone in or burn a link.
 */

import { HttpError, type ApiErrorCode } from '../errors.ts';
import { html, htmlPage, json, readBody, seeOther, type Body, type HeaderMap } from '../http.ts';

export interface TokenPageOptions {
  readonly title: string;
  readonly intro: string;
  /** Where the form posts (same origin). */
  readonly action: string;
  readonly button: string;
  /** A password to choose on the page (reset). */
  readonly passwordField?: { readonly name: string; readonly label: string; readonly minLength: number };
  /** Another text field to fill in (a name, on magic sign-up). */
  readonly textField?: { readonly name: string; readonly label: string };
}

export function tokenPage(req: Request, options: TokenPageOptions): Response {
  const token = new URL(req.url).searchParams.get('token') ?? '';
  if (token.length === 0 || token.length > 512) {
    return htmlPage('This link is incomplete', html`<h1>This link is incomplete</h1><p>Open the link from your email again, or ask for a new one.</p>`, { status: 400 });
  }
  const password = options.passwordField
    ? html`<label>${options.passwordField.label} <input type="password" name="${options.passwordField.name}" autocomplete="new-password" minlength="${options.passwordField.minLength}" required></label>`
    : html``;
  const text = options.textField
    ? html`<label>${options.textField.label} <input type="text" name="${options.textField.name}" autocomplete="name" maxlength="200" required></label>`
    : html``;
  return htmlPage(
    options.title,
    html`<h1>${options.title}</h1><p>${options.intro}</p>
<form method="post" action="${options.action}"><input type="hidden" name="token" value="${token}">${text}${password}<button type="submit">${options.button}</button></form>`,
  );
}

const LINK_PROBLEMS: ReadonlySet<ApiErrorCode> = new Set<ApiErrorCode>(['invalid_token', 'expired_token', 'used_token']);

/** A link that cannot be used, said plainly on a page (the person arrived from an email, not from code). */
export function linkProblemPage(err: unknown): Response {
  if (!(err instanceof HttpError) || !LINK_PROBLEMS.has(err.code)) throw err;
  return htmlPage('This link cannot be used', html`<h1>This link cannot be used</h1><p>${err.message} Ask for a new one.</p>`, { status: err.status });
}

/** What a link's POST did, answered as a form or as JSON wants it. */
export interface LinkFormAnswer {
  /** Where a form lands: a 303 to a page of the site. */
  readonly redirect: string;
  /** What a JSON request gets instead. */
  readonly status: number;
  readonly json: unknown;
  /** Sent either way (the cookies of a session started or ended). */
  readonly headers?: HeaderMap;
}

/**
 * The POST of a link page (verify, reset, magic login and sign-up), whose body is a form from
 * the page or JSON from code: a form gets a 303 to the site, or a page when the link cannot be
 * used; JSON gets JSON, and its errors as errors.
 */
export async function answerLinkForm(req: Request, run: (body: Body) => Promise<LinkFormAnswer>): Promise<Response> {
  const { kind, data } = await readBody(req);
  try {
    const answer = await run(data);
    const init = { headers: answer.headers };
    return kind === 'form' ? seeOther(answer.redirect, init) : json(answer.status, answer.json, init);
  } catch (err) {
    if (kind === 'form') return linkProblemPage(err);
    throw err;
  }
}
