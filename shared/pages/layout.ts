/**
 * The layout of every page the functions answer with: the site's name on top (linking home),
 * one card, and a way back to the site below it, in the stylesheet of style.ts.
 *
 * No script can run on these pages (CSP), they cannot be framed, and no Referer leaves them:
 * they are reached through links whose query string holds a token.
 */

import { createHash } from 'node:crypto';
import type { Config } from '../config.ts';
import { html, rawHtml, type SafeHtml } from './html.ts';
import { PAGE_STYLE } from './style.ts';

/** The page allows nothing but its own stylesheet (by hash) and forms posting to this origin. */
const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What a page needs of the configuration: where and what the site is. */
export type SiteInfo = Pick<Config, 'siteUrl' | 'siteName'>;

export interface PageInit {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
}

export function sitePage(site: SiteInfo, title: string, body: SafeHtml, init: PageInit = {}): Response {
  const home = `${site.siteUrl}/`;
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · ${site.siteName}</title><style>${rawHtml(PAGE_STYLE)}</style></head>
<body><header><a href="${home}">${site.siteName}</a></header>
<main>${body}</main>
<footer><a href="${home}">Back to ${site.siteName}</a></footer></body></html>`;
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': PAGE_CSP,
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  });
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    for (const item of typeof value === 'string' ? [value] : value) headers.append(name, item);
  }
  return new Response(page.value, { status: init.status ?? 200, headers });
}
