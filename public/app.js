// @ts-check
/**
 * The demo page: one card, one view at a time, chosen by the URL's hash while logged out.
 *
 * Everything the server says is put into the page with textContent, never innerHTML: user
 * agents and names are typed by other people. Forms are never cleared after an error, so a
 * wrong password costs one retype, not a whole form.
 */
import { AuthError, createAuthClient } from './auth-client.js';
import { byId, say } from './page.js';

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
 * Set when the server ended this browser's session (another device logged out everywhere, or
 * the session was revoked): the 401 of whatever was being done then is that same news, and
 * "Your session has ended" says it better than the request's own "Log in first."
 */
let sessionEnded = false;

// ---------------------------------------------------------------------------------------------
// Messages

/** @param {unknown} err */
function sayError(err) {
  if (!(err instanceof AuthError)) {
    console.error(err);
    say('Something went wrong. Please try again.', 'error');
    return;
  }
  if (err.status === 401 && sessionEnded && currentUser === null) {
    say(LOGOUT_MESSAGES.session_ended);
    return;
  }
  // The server's messages say what to do, a 429's how long to wait too.
  say(err.message, 'error');
}

// ---------------------------------------------------------------------------------------------
// Views

/** @param {string} viewId */
function showView(viewId) {
  byId('loading', HTMLParagraphElement).hidden = true;
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
  agent.textContent = session.device || session.userAgent || 'Unknown browser';
  // The raw string is still there for whoever wants it.
  if (session.userAgent) agent.title = session.userAgent;
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
  sessionEnded = false;
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
  sessionEnded = reason === 'session_ended';
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
  const { mailbox } = await client.register({ email, password: field('password') });
  form.reset();
  showStrength('register-strength', null);
  // So "send it again" needs no retyping.
  const resendEmail = byId('resend-form', HTMLFormElement).elements.namedItem('email');
  if (resendEmail instanceof HTMLInputElement) resendEmail.value = email;
  // Only a development server names a mailbox: deployed, the email goes to the person's own.
  const where = mailbox === undefined ? '' : ` (in development: the local mailbox, ${mailbox})`;
  say(`Check your email${where} and follow the link to confirm your address.`);
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
  showStrength('change-strength', null);
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

// ---------------------------------------------------------------------------------------------
// Password strength

const STRENGTH_WORDS = Object.freeze(['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong']);

/**
 * Shows an estimate under a new-password field, or hides the meter (null).
 * @param {string} id
 * @param {import('./auth-client.js').PasswordStrength | null} strength
 */
function showStrength(id, strength) {
  const box = byId(id, HTMLDivElement);
  box.hidden = strength === null;
  if (strength === null) return;
  const meter = box.querySelector('meter');
  if (meter instanceof HTMLMeterElement) meter.value = strength.score;
  const text = byId(`${id}-text`, HTMLSpanElement);
  const advice = strength.ok ? '' : strength.warning || strength.suggestions[0] || '';
  text.textContent = advice === '' ? STRENGTH_WORDS[strength.score] ?? '' : `${STRENGTH_WORDS[strength.score] ?? ''}: ${advice}`;
  box.dataset.ok = String(strength.ok);
}

/**
 * Asks the server (the same estimate it applies) a moment after typing stops; a late answer
 * for an older value is dropped.
 * @param {string} formId
 * @param {string} fieldName
 * @param {string} meterId
 */
function watchStrength(formId, fieldName, meterId) {
  const input = byId(formId, HTMLFormElement).elements.namedItem(fieldName);
  if (!(input instanceof HTMLInputElement)) throw new Error(`#${formId} has no ${fieldName}`);
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const asked = input.value;
    if (asked === '') {
      showStrength(meterId, null);
      return;
    }
    timer = setTimeout(() => {
      client.passwordStrength(asked).then(
        (strength) => {
          if (input.value === asked) showStrength(meterId, strength);
        },
        () => showStrength(meterId, null),
      );
    }, 250);
  });
}

watchStrength('register-form', 'password', 'register-strength');
watchStrength('change-password-form', 'newPassword', 'change-strength');

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
