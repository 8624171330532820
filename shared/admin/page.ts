/**
 * The admin console's page (GET /admin/): a shell in the demo's style whose script
 * (public/admin/admin.js, behind the same edge guard) drives the admin API. Unlike the link pages
 * (htmlPage: no script at all), it runs its own script and stylesheet, and nothing else.
 */

import { html } from '../http.ts';
import type { SiteUser } from '../user/index.ts';

const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function adminConsolePage(admin: SiteUser): Response {
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admin · Auth demo</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/style.css">
<script type="module" src="/admin/admin.js"></script>
</head>
<body>
<main class="card wide">
  <h1>Admin</h1>
  <p id="admin-whoami">Logged in as <strong>${admin.email}</strong>, with the roles ${admin.roles.join(', ')}.</p>
  <p id="message" role="status" aria-live="polite"></p>
  <form id="admin-search" class="search">
    <label>Email starts with <input name="q" type="search" autocomplete="off" maxlength="254"></label>
    <label>Verified <select name="verified"><option value="">any</option><option value="true">yes</option><option value="false">no</option></select></label>
    <label>Disabled <select name="disabled"><option value="">any</option><option value="true">yes</option><option value="false">no</option></select></label>
    <button type="submit">Search</button>
  </form>
  <ul id="admin-results" class="results"></ul>
  <button id="admin-more" type="button" class="secondary" hidden>More</button>
  <section id="admin-account" hidden>
    <h2 id="account-email"></h2>
    <p id="account-status" class="hint"></p>
    <div class="actions">
      <button id="account-disable" type="button">Disable</button>
      <button id="account-enable" type="button">Enable</button>
      <button id="account-revoke-all" type="button" class="secondary">End every session</button>
      <button id="account-reset" type="button" class="secondary">Send a password reset</button>
      <button id="account-verify" type="button" class="secondary">Resend verification</button>
    </div>
    <form id="account-roles">
      <label>Roles (comma-separated) <input name="roles" autocomplete="off"></label>
      <button type="submit">Save roles</button>
    </form>
    <form id="account-metadata">
      <label>App metadata (JSON) <textarea name="appMetadata" rows="3"></textarea></label>
      <button type="submit">Save app metadata</button>
    </form>
    <h3>Sessions</h3>
    <ul id="account-sessions"></ul>
    <h3>Recent activity</h3>
    <ul id="account-activity" class="activity"></ul>
    <form id="account-delete">
      <h3>Delete this account</h3>
      <p class="hint">This cannot be undone: the account, its sessions, links and data go. Type its address to confirm.</p>
      <label>Email address <input name="email" type="email" autocomplete="off" required></label>
      <button type="submit" class="danger">Delete the account</button>
    </form>
  </section>
  <nav><a href="/app/">Your notes</a> <a href="/">The site</a></nav>
</main>
</body>
</html>`;
  const headers = new Headers({
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': CONSOLE_CSP,
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
  });
  return new Response(page.value, { status: 200, headers });
}
