/**
 * The pages an emailed link opens. Opening one spends nothing: the page checks the link (so a
 * used or expired one says so at once, with a way to ask for a new one) and holds the token in a
 * form that the person submits with a button. Mail scanners that follow links therefore cannot
 * log anyone in or burn a link.
 */

import { linkEmailQuery } from '../fql/links.ts';
import { runQuery } from '../fql/run-query.ts';
import { errorPage, type LinkKind } from '../pages/error-page.ts';
import { html } from '../pages/html.ts';
import { sitePage } from '../pages/layout.ts';
import { sha256 } from '../tokens.ts';
import type { AuthContext } from './context.ts';

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

const MAX_TOKEN_LENGTH = 512;

/**
 * The page of a link of `kind`: checked first (nothing is spent), then built around the address
 * the link is for; or a page saying why the link cannot be used and how to get a new one.
 */
export async function linkPage(ctx: AuthContext, req: Request, kind: LinkKind, options: (email: string) => TokenPageOptions): Promise<Response> {
  const token = new URL(req.url).searchParams.get('token') ?? '';
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    return sitePage(
      ctx.config,
      'This link is incomplete',
      html`<h1>This link is incomplete</h1><p>Open the link from your email again, or ask for a new one.</p>`,
      { status: 400 },
    );
  }
  try {
    const email = await runQuery<string>(ctx.db, linkEmailQuery(sha256(token), kind));
    return tokenPage(ctx, token, options(email));
  } catch (err) {
    return errorPage(ctx.config, err, kind);
  }
}

function tokenPage(ctx: AuthContext, token: string, options: TokenPageOptions): Response {
  const password = options.passwordField
    ? html`<label>${options.passwordField.label} <input type="password" name="${options.passwordField.name}" autocomplete="new-password" minlength="${options.passwordField.minLength}" required></label>`
    : html``;
  const text = options.textField
    ? html`<label>${options.textField.label} <input type="text" name="${options.textField.name}" autocomplete="name" maxlength="200" required></label>`
    : html``;
  return sitePage(
    ctx.config,
    options.title,
    html`<h1>${options.title}</h1><p>${options.intro}</p>
<form method="post" action="${options.action}"><input type="hidden" name="token" value="${token}">${text}${password}<button type="submit">${options.button}</button></form>`,
  );
}
