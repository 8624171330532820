// @ts-check
/**
 * The admin console (/admin/, behind the edge guard and the admin role): search accounts, open
 * one, disable or enable it, end its sessions, send it links, set its roles and app metadata, and
 * delete it, through /api/admin/* (docs/API.md). Every call goes through authFetch, which
 * refreshes the session once on a 401. Text from the server goes in with textContent only.
 */
import { createAuthClient } from '../auth-client.js';
import { byId, jsonCaller, say } from '../page.js';

/** @typedef {{ id: string, email: string, emailVerified: boolean, disabled: boolean, createdAt: string | null }} Summary */
/** @typedef {{ id: string, createdAt: string, lastUsedAt: string, userAgent: string }} Session */
/** @typedef {{ id: string, at: string, event: string, actor: string, ip: string, userAgent: string }} Entry */
/** @typedef {{ account: Summary & { roles: string[], appMetadata: object }, sessions: Session[], activity: Entry[] }} Detail */

const client = createAuthClient();

const send = jsonCaller(client);

/** @type {string | null} */
let nextCursor = null;
/** @type {string | null} */
let current = null;

/** @param {Summary} account */
function resultItem(account) {
  const item = document.createElement('li');
  item.dataset.id = account.id;
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'open secondary';
  open.textContent = account.email;
  const status = document.createElement('span');
  status.className = 'hint';
  status.textContent = [account.emailVerified ? 'verified' : 'not verified', account.disabled ? 'disabled' : ''].filter(Boolean).join(' · ');
  item.append(open, ' ', status);
  return item;
}

function searchQuery() {
  const data = new FormData(byId('admin-search', HTMLFormElement));
  const params = new URLSearchParams();
  for (const name of ['q', 'verified', 'disabled']) {
    const value = data.get(name);
    if (typeof value === 'string' && value !== '') params.set(name, value);
  }
  return params;
}

/** @param {boolean} more */
async function search(more) {
  const params = searchQuery();
  if (more && nextCursor !== null) params.set('cursor', nextCursor);
  const page = /** @type {{ accounts: Summary[], next: string | null }} */ (await send(`/api/admin/accounts?${params}`, 'GET'));
  const list = byId('admin-results', HTMLUListElement);
  const items = page.accounts.map(resultItem);
  if (more) list.append(...items);
  else list.replaceChildren(...items);
  nextCursor = page.next;
  byId('admin-more', HTMLButtonElement).hidden = page.next === null;
  if (!more) say(page.accounts.length === 0 ? 'No account matches.' : '');
}

/**
 * @param {string} text
 * @param {string} [className]
 */
function line(text, className) {
  const item = document.createElement('li');
  item.textContent = text;
  if (className) item.className = className;
  return item;
}

/** @param {string} id */
async function openAccount(id) {
  const detail = /** @type {Detail} */ (await send(`/api/admin/accounts/${encodeURIComponent(id)}`, 'GET'));
  current = id;
  const a = detail.account;
  byId('admin-account', HTMLElement).hidden = false;
  byId('account-email', HTMLHeadingElement).textContent = a.email;
  byId('account-status', HTMLParagraphElement).textContent = `${a.emailVerified ? 'Verified' : 'Not verified'} · ${
    a.disabled ? 'Disabled' : 'Active'
  } · created ${a.createdAt ?? 'unknown'}`;
  byId('account-disable', HTMLButtonElement).hidden = a.disabled;
  byId('account-enable', HTMLButtonElement).hidden = !a.disabled;
  byId('account-verify', HTMLButtonElement).hidden = a.emailVerified;
  const roles = byId('account-roles', HTMLFormElement).elements.namedItem('roles');
  if (roles instanceof HTMLInputElement) roles.value = a.roles.join(', ');
  const metadata = byId('account-metadata', HTMLFormElement).elements.namedItem('appMetadata');
  if (metadata instanceof HTMLTextAreaElement) metadata.value = JSON.stringify(a.appMetadata);
  byId('account-sessions', HTMLUListElement).replaceChildren(
    ...detail.sessions.map((s) => {
      const item = line(`${s.userAgent} · last used ${s.lastUsedAt} `);
      item.dataset.id = s.id;
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'revoke secondary';
      revoke.textContent = 'End';
      item.append(revoke);
      return item;
    }),
  );
  byId('account-activity', HTMLUListElement).replaceChildren(
    ...detail.activity.map((e) => line(`${e.at} · ${e.event} · ${e.actor} · ${e.ip} · ${e.userAgent}`)),
  );
}

/**
 * Runs an action on the open account, then says so and shows the account again.
 * @param {(base: string) => Promise<unknown>} act
 * @param {string} done
 */
function onAccount(act, done) {
  if (current === null) return;
  const id = current;
  void act(`/api/admin/accounts/${encodeURIComponent(id)}`)
    .then(() => openAccount(id))
    .then(() => say(done))
    .catch(() => {});
}

byId('admin-search', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  void search(false).catch(() => {});
});
byId('admin-more', HTMLButtonElement).addEventListener('click', () => void search(true).catch(() => {}));
byId('admin-results', HTMLUListElement).addEventListener('click', (event) => {
  const id = event.target instanceof HTMLButtonElement ? event.target.closest('li')?.dataset.id : undefined;
  if (id) void openAccount(id).catch(() => {});
});
byId('account-disable', HTMLButtonElement).addEventListener(
  'click',
  () => onAccount((base) => send(`${base}/disable`, 'POST'), 'The account is disabled, and its sessions ended.'),
);
byId('account-enable', HTMLButtonElement).addEventListener('click', () => onAccount((base) => send(`${base}/enable`, 'POST'), 'The account is enabled.'));
byId('account-revoke-all', HTMLButtonElement).addEventListener('click', () => onAccount((base) => send(`${base}/sessions`, 'DELETE'), 'Every session ended.'));
byId('account-reset', HTMLButtonElement).addEventListener(
  'click',
  () => onAccount((base) => send(`${base}/password-reset`, 'POST'), 'A password reset link was sent.'),
);
byId('account-verify', HTMLButtonElement).addEventListener(
  'click',
  () => onAccount((base) => send(`${base}/verification`, 'POST'), 'A verification link was sent.'),
);
byId('account-sessions', HTMLUListElement).addEventListener('click', (event) => {
  const sid = event.target instanceof HTMLButtonElement ? event.target.closest('li')?.dataset.id : undefined;
  if (sid) onAccount((base) => send(`${base}/sessions/${encodeURIComponent(sid)}`, 'DELETE'), 'The session ended.');
});
byId('account-roles', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = new FormData(byId('account-roles', HTMLFormElement)).get('roles');
  const roles = (typeof raw === 'string' ? raw : '').split(',').map((r) => r.trim()).filter(Boolean);
  onAccount((base) => send(`${base}/roles`, 'PUT', { roles }), 'Roles saved: they reach the account at its next refresh.');
});
byId('account-metadata', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const raw = new FormData(byId('account-metadata', HTMLFormElement)).get('appMetadata');
  /** @type {unknown} */
  let appMetadata;
  try {
    appMetadata = /** @type {unknown} */ (JSON.parse(typeof raw === 'string' && raw.trim() !== '' ? raw : '{}'));
  } catch {
    say('App metadata must be a JSON object.', 'error');
    return;
  }
  onAccount((base) => send(`${base}/app-metadata`, 'PUT', { appMetadata }), 'App metadata saved.');
});
byId('account-delete', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const form = byId('account-delete', HTMLFormElement);
  const email = new FormData(form).get('email');
  if (current === null) return;
  void send(`/api/admin/accounts/${encodeURIComponent(current)}`, 'DELETE', { email })
    .then(() => {
      form.reset();
      current = null;
      byId('admin-account', HTMLElement).hidden = true;
      say('The account was deleted.');
      return search(false);
    })
    .catch(() => {});
});

void search(false).catch(() => {});
