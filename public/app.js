// @ts-check
/**
 * The demo page: one card, one view at a time, chosen by the URL's hash while logged out.
 *
 * Everything the server says is put into the page with textContent, never innerHTML: user
 * agents and names are typed by other people. Forms are never cleared after an error, so a
 * wrong password costs one retype, not a whole form.
 */
import { AuthError, createAuthClient } from './auth-client.js';

/**
 * @typedef {import('./auth-client.js').User} User
 * @typedef {import('./auth-client.js').SessionSummary} SessionSummary
 * @typedef {import('./auth-client.js').LogoutReason} LogoutReason
 */

const client = createAuthClient();

/** Logged-out views by hash. The server's emails link to #login and #forgot-password. */
const VIEWS = Object.freeze({
  login: 'view-login',
  register: 'view-register',
  magic: 'view-magic',
  'forgot-password': 'view-forgot',
});

/** @type {Readonly<Record<LogoutReason, string>>} */
const LOGOUT_MESSAGES = Object.freeze({
  logout: 'You are logged out.',
  other_tab: 'You were logged out in another tab.',
  session_ended: 'Your session has ended. Please log in again.',
});

/**
 * Where to go once logged in: a protected page (/app/, /admin/) sent the browser here with
 * `?next=`. Only a path on this site is kept, never another site's address.
 * @param {string | null} raw
 * @returns {string | null}
 */
function sameSitePath(raw) {
  if (raw === null || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\')) return null;
  const url = new URL(raw, location.origin);
  return url.origin === location.origin ? `${url.pathname}${url.search}${url.hash}` : null;
}

const nextPath = sameSitePath(new URLSearchParams(location.search).get('next'));

/** Set while the account view shows someone. */
/** @type {User | null} */
let currentUser = null;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, name: string }} type
 * @returns {T}
 */
function byId(id, type) {
  const element = document.getElementById(id);
  // A missing element is a bug in index.html; failing loudly beats a silently dead button.
  if (!(element instanceof type)) throw new Error(`#${id} is missing or is not a ${type.name}`);
  return element;
}

// ---------------------------------------------------------------------------------------------
// Messages

/**
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
function say(text, kind = 'info') {
  const message = byId('message', HTMLParagraphElement);
  message.textContent = text;
  message.dataset.kind = kind;
}

/** @param {number} seconds */
function duration(seconds) {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** @param {unknown} err */
function sayError(err) {
  if (!(err instanceof AuthError)) {
    console.error(err);
    say('Something went wrong. Please try again.', 'error');
    return;
  }
  const wait = err.status === 429 && err.retryAfter !== null ? ` Please wait ${duration(err.retryAfter)}.` : '';
  say(`${err.message}${wait}`, 'error');
}

// ---------------------------------------------------------------------------------------------
// Views

/** @param {string} viewId */
function showView(viewId) {
  // forEach, not for...of: the project's lib list has DOM but not DOM.Iterable.
  document.querySelectorAll('main > section').forEach((section) => {
    if (section instanceof HTMLElement) section.hidden = section.id !== viewId;
  });
}

function route() {
  if (currentUser !== null) {
    showView('view-account');
    return;
  }
  const name = location.hash.slice(1);
  showView(Object.hasOwn(VIEWS, name) ? VIEWS[/** @type {keyof typeof VIEWS} */ (name)] : VIEWS.login);
}

/** @param {string} hash */
function goTo(hash) {
  // replaceState, not location.hash: no extra history entry, and no hashchange to handle twice.
  history.replaceState(null, '', `${location.pathname}${hash}`);
  route();
}

/** @param {User} user */
function renderWhoami(user) {
  const whoami = byId('whoami', HTMLParagraphElement);
  const email = document.createElement('strong');
  email.textContent = user.email;
  whoami.replaceChildren('Logged in as ', email, user.name ? ` (${user.name})` : '');
  const username = byId('change-password-form', HTMLFormElement).elements.namedItem('username');
  if (username instanceof HTMLInputElement) username.value = user.email;
}

/** @param {string} iso */
function when(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * @param {SessionSummary} session
 * @returns {HTMLLIElement}
 */
function sessionItem(session) {
  const item = document.createElement('li');
  const agent = document.createElement('span');
  agent.className = 'agent';
  agent.textContent = session.userAgent || 'Unknown browser';
  const times = document.createElement('span');
  times.className = 'times';
  times.textContent = `Started ${when(session.createdAt)} · last used ${when(session.lastUsedAt)}`;
  item.append(agent, times);
  if (session.current) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'this device';
    item.append(badge);
  } else {
    const revoke = document.createElement('button');
    revoke.type = 'button';
    revoke.className = 'revoke secondary';
    revoke.dataset.id = session.id;
    revoke.textContent = 'Log it out';
    item.append(revoke);
  }
  return item;
}

async function loadSessions() {
  const sessions = await client.sessions();
  byId('sessions', HTMLUListElement).replaceChildren(...sessions.map(sessionItem));
}

/** @param {User} user */
async function enterAccount(user) {
  if (nextPath !== null) {
    // Logged in on the way to a protected page: go on there.
    location.assign(nextPath);
    return;
  }
  currentUser = user;
  renderWhoami(user);
  goTo('#account');
  await loadSessions();
}

/** @param {LogoutReason} reason */
function leaveAccount(reason) {
  // A visitor who never logged in also sees the refresh fail when the page loads (the client
  // cannot read its http-only cookies to know better); telling them "your session ended" would be wrong.
  if (currentUser === null) return;
  currentUser = null;
  byId('whoami', HTMLParagraphElement).replaceChildren();
  byId('sessions', HTMLUListElement).replaceChildren();
  goTo('#login');
  say(LOGOUT_MESSAGES[reason]);
}

// ---------------------------------------------------------------------------------------------
// Actions

/**
 * Runs an action with its button disabled, so a double click cannot send it twice.
 * @param {HTMLButtonElement} button
 * @param {() => Promise<void>} action
 */
async function whileBusy(button, action) {
  if (button.disabled) return;
  button.disabled = true;
  say('');
  try {
    await action();
  } catch (err) {
    sayError(err);
  } finally {
    button.disabled = false;
  }
}

/**
 * @param {string} formId
 * @param {(field: (name: string) => string, form: HTMLFormElement) => Promise<void>} action
 */
function onSubmit(formId, action) {
  const form = byId(formId, HTMLFormElement);
  const button = form.querySelector('button[type="submit"]');
  if (!(button instanceof HTMLButtonElement)) throw new Error(`#${formId} has no submit button`);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    /** @param {string} name */
    const field = (name) => {
      const value = data.get(name);
      return typeof value === 'string' ? value : '';
    };
    void whileBusy(button, () => action(field, form));
  });
}

/**
 * @param {string} buttonId
 * @param {() => Promise<void>} action
 */
function onClick(buttonId, action) {
  const button = byId(buttonId, HTMLButtonElement);
  button.addEventListener('click', () => void whileBusy(button, action));
}

onSubmit('login-form', async (field, form) => {
  const { user } = await client.login({ email: field('email'), password: field('password') });
  form.reset();
  // Said before the sessions load, so it is there as soon as the account view is.
  say('You are logged in.');
  await enterAccount(user);
});

onSubmit('register-form', async (field, form) => {
  const email = field('email');
  await client.register({ email, password: field('password') });
  form.reset();
  // So "send it again" needs no retyping.
  const resendEmail = byId('resend-form', HTMLFormElement).elements.namedItem('email');
  if (resendEmail instanceof HTMLInputElement) resendEmail.value = email;
  say('Check your email (in development: the local mailbox) and follow the link to confirm your address.');
});

onSubmit('resend-form', async (field) => {
  await client.resendVerification(field('email'));
  say('If that address is waiting for confirmation, a new link is on its way.');
});

onSubmit('magic-form', async (field, form) => {
  await client.requestMagicLink(field('email'), { website: field('website') });
  form.reset();
  say('Check your email for a link.');
});

onSubmit('forgot-form', async (field, form) => {
  await client.forgotPassword(field('email'));
  form.reset();
  say('If that address has an account, we sent it a link to choose a new password.');
});

onSubmit('change-password-form', async (field, form) => {
  await client.changePassword({ currentPassword: field('currentPassword'), newPassword: field('newPassword') });
  form.reset();
  say('Your password was changed. Your other sessions were logged out.');
  await loadSessions();
});

onClick('logout', () => client.logout());

onClick('logout-all', async () => {
  await client.logout({ all: true });
  say('You are logged out on every device.');
});

// One listener for the whole list: its items are rebuilt on every load.
byId('sessions', HTMLUListElement).addEventListener('click', (event) => {
  const button = event.target;
  if (!(button instanceof HTMLButtonElement) || !button.classList.contains('revoke')) return;
  const id = button.dataset.id ?? '';
  void whileBusy(button, async () => {
    await client.revokeSession(id);
    await loadSessions();
    say('That session was logged out.');
  });
});

client.onLogout(leaveAccount);
window.addEventListener('hashchange', route);

// ---------------------------------------------------------------------------------------------
// Start

/** The server's redirects after an email link say what happened in the query string. */
function announceRedirect() {
  const params = new URLSearchParams(location.search);
  if (params.get('verified') === '1') say('Your email address is confirmed.');
  if (params.get('password_reset') === '1') say('Your password was changed. Log in with the new one.');
  // Gone from the address bar, so a reload or a bookmark does not repeat the news.
  if (location.search !== '') history.replaceState(null, '', `${location.pathname}${location.hash}`);
}

async function start() {
  announceRedirect();
  try {
    const current = await client.session();
    if (current !== null) await enterAccount(current.user);
    else route();
  } catch (err) {
    route();
    sayError(err);
  }
}

void start();
