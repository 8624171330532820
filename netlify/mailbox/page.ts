/**
 * The local inbox: the page people click their email links from, and a small JSON API for
 * tests. No script runs on any of it. Everything a sender wrote is escaped, and an email's own
 * HTML is shown only inside a sandboxed frame, served from its own route whose CSP forbids
 * scripts, so a hostile message can neither run code nor restyle the inbox around it.
 *
 * Routes: GET / (list), GET /messages/:id (one message), GET /messages/:id/html (its HTML
 * body, framed by the message page), GET /api/messages[?to=] and GET /api/messages/:id
 * (JSON), DELETE /api/messages (empties the mailbox).
 */

import { createHash } from 'node:crypto';
import { URL_IN_TEXT, isAddressedTo, messageLinks, trimUrl, type Address, type StoredMessage } from './message.ts';
import type { MessageStore } from './store.ts';

export interface PageResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:.7rem 1.2rem;display:flex;gap:1rem;align-items:baseline}
header a{color:#fff;text-decoration:none}h1{font-size:1.15rem;margin:0}
main{max-width:60rem;margin:1rem auto;padding:0 1rem}
table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e3e6eb;vertical-align:top}
th{font-size:.8rem;text-transform:uppercase;color:#5b6475}td.time{white-space:nowrap;color:#5b6475}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;padding:.8rem;margin:0}
dt{color:#5b6475}dd{margin:0;overflow-wrap:anywhere}
section{margin:1.2rem 0}h2{margin:.4rem 0 .8rem;overflow-wrap:anywhere}h3{font-size:.95rem;margin:0 0 .4rem}
iframe{width:100%;height:60vh;border:1px solid #d5d9e0;background:#fff;resize:vertical}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #d5d9e0;padding:.8rem;margin:0}
ul.links{background:#fff;margin:0;padding:.6rem 1.6rem;overflow-wrap:anywhere}.empty{color:#5b6475}
`;

// The one inline style block is allowed by its hash, so the CSP needs no 'unsafe-inline'.
const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'`,
  "frame-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// What a message's HTML may do in its frame: show itself, and follow a link the user clicks.
const FRAME_SANDBOX = 'allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation';
const EMAIL_HTML_CSP = [
  "default-src 'none'",
  'img-src data: http: https:',
  "style-src 'unsafe-inline'",
  'font-src data:',
  "frame-ancestors 'self'",
  `sandbox ${FRAME_SANDBOX}`,
].join('; ');

const COMMON_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' };

/** The answer for an inbox route, or null when the path is not one of them. */
export async function routePage(method: string, url: URL, store: MessageStore): Promise<PageResponse | null> {
  const path = url.pathname;
  const reading = method === 'GET' || method === 'HEAD';
  if (path === '/') {
    const messages = store.list();
    return reading ? page(200, `Inbox (${messages.length})`, renderInbox(messages)) : notAllowed('GET, HEAD');
  }
  if (path === '/api/messages') {
    if (reading) return json(200, { messages: filterByRecipient(store.list(), url.searchParams.get('to')) });
    if (method !== 'DELETE') return notAllowed('GET, HEAD, DELETE');
    await store.clear();
    return { status: 204, headers: COMMON_HEADERS, body: '' };
  }
  const match = /^\/(api\/messages|messages)\/([^/]+)(\/html)?$/.exec(path);
  if (!match || (match[1] === 'api/messages' && match[3])) return null;
  if (!reading) return notAllowed('GET, HEAD');
  const message = store.get(match[2]);
  if (!message) return match[1] === 'api/messages' ? json(404, { error: 'not_found' }) : page(404, 'Not found', '<p class="empty">No such message.</p>');
  if (match[1] === 'api/messages') return json(200, message);
  return match[3] ? emailHtml(message) : page(200, message.subject || '(no subject)', renderMessage(message));
}

function filterByRecipient(messages: StoredMessage[], to: string | null): StoredMessage[] {
  return to ? messages.filter((m) => isAddressedTo(m, to)) : messages;
}

export function renderInbox(messages: readonly StoredMessage[]): string {
  if (messages.length === 0) return '<p class="empty">No messages yet. Send through a Postmark client pointed at this address.</p>';
  const rows = messages.map(
    (m) =>
      `<tr><td class="time">${time(m.receivedAt)}</td><td>${escapeHtml(addressList(m.to.length > 0 ? m.to : [...m.cc, ...m.bcc]))}</td>` +
      `<td><a href="/messages/${escapeHtml(m.id)}">${escapeHtml(m.subject || '(no subject)')}</a></td></tr>`,
  );
  return `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderMessage(m: StoredMessage): string {
  const fields: [string, string | null][] = [
    ['From', addressList([m.from])],
    ['To', addressList(m.to) || null],
    ['Cc', addressList(m.cc) || null],
    ['Bcc', addressList(m.bcc) || null],
    ['Reply-To', m.replyTo],
    ['Tag', m.tag],
    ['Stream', m.stream],
    ['Template', m.template ? String(m.template.alias ?? m.template.id) : null],
  ];
  const facts = fields.filter((f): f is [string, string] => f[1] !== null).map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`);
  facts.push(`<dt>Received</dt><dd>${time(m.receivedAt)}</dd>`);
  return [
    `<h2>${escapeHtml(m.subject || '(no subject)')}</h2><dl>${facts.join('')}</dl>`,
    linksSection(m),
    m.htmlBody === null
      ? ''
      : `<section><h3>HTML</h3><iframe title="HTML body" sandbox="${FRAME_SANDBOX}" src="/messages/${escapeHtml(m.id)}/html"></iframe></section>`,
    m.textBody === null ? '' : `<section><h3>Text</h3><pre>${linkify(m.textBody)}</pre></section>`,
    m.template ? `<section><h3>Template model</h3><pre>${linkify(JSON.stringify(m.template.model, null, 2))}</pre></section>` : '',
    m.headers.length === 0 ? '' : `<section><h3>Headers</h3><pre>${escapeHtml(m.headers.map((h) => `${h.name}: ${h.value}`).join('\n'))}</pre></section>`,
  ].join('');
}

function linksSection(m: StoredMessage): string {
  const links = messageLinks(m);
  if (links.length === 0) return '';
  return `<section><h3>Links</h3><ul class="links">${links.map((l) => `<li>${anchor(l)}</li>`).join('')}</ul></section>`;
}

/** The message's own HTML. `<base target="_top">` makes a clicked link leave the frame for the whole tab. */
function emailHtml(m: StoredMessage): PageResponse {
  if (m.htmlBody === null) return page(404, 'Not found', '<p class="empty">This message has no HTML body.</p>');
  return {
    status: 200,
    headers: { ...COMMON_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': EMAIL_HTML_CSP },
    body: `<base target="_top">${m.htmlBody}`,
  };
}

/** Escapes the text, and turns each http(s) URL in it into a link. */
export function linkify(text: string): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = trimUrl(match[0]);
    const start = match.index ?? 0;
    out += escapeHtml(text.slice(last, start)) + anchor(url);
    last = start + url.length;
  }
  return out + escapeHtml(text.slice(last));
}

function anchor(url: string): string {
  return `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>`;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function addressList(addresses: readonly Address[]): string {
  return addresses.map((a) => (a.name ? `${a.name} <${a.email}>` : a.email)).join(', ');
}

function time(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(iso.slice(0, 19).replace('T', ' '))} UTC</time>`;
}

function page(status: number, title: string, main: string): PageResponse {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)} · Mailbox</title><style>${CSS}</style></head>` +
    `<body><header><h1><a href="/">Mailbox</a></h1><span>local Postmark</span></header><main>${main}</main></body></html>`;
  return { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': PAGE_CSP }, body };
}

function json(status: number, value: unknown): PageResponse {
  return { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}

function notAllowed(allow: string): PageResponse {
  return { status: 405, headers: { ...COMMON_HEADERS, Allow: allow, 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Method Not Allowed' };
}
