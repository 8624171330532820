// @ts-check
/**
 * The notes page (/app/, behind the edge guard): the user's own notes through /api/notes, which
 * reaches the database as the user (db(req)): the database, not this page or the function, keeps
 * each user's notes their own. Every call goes through authFetch, which refreshes the session
 * once on a 401. Text from the server goes in with textContent only.
 */
import { createAuthClient } from '../auth-client.js';
import { byId, jsonCaller, say } from '../page.js';

/** @typedef {{ id: string, text: string, createdAt: string, updatedAt: string }} Note */

const client = createAuthClient();

const send = jsonCaller(client);

/**
 * @param {Note} note
 * @returns {HTMLLIElement}
 */
function noteItem(note) {
  const item = document.createElement('li');
  item.dataset.id = note.id;
  const text = document.createElement('p');
  text.className = 'note-text';
  text.textContent = note.text;
  const edit = document.createElement('button');
  edit.type = 'button';
  edit.className = 'edit secondary';
  edit.textContent = 'Edit';
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'delete secondary';
  remove.textContent = 'Delete';
  item.append(text, edit, remove);
  return item;
}

/**
 * Puts the note's text in a textarea with a Save button, in place.
 * @param {HTMLLIElement} item
 */
function startEditing(item) {
  const text = item.querySelector('.note-text');
  const editor = document.createElement('textarea');
  editor.value = text?.textContent ?? '';
  editor.maxLength = 10000;
  editor.rows = 3;
  const save = document.createElement('button');
  save.type = 'button';
  save.className = 'save';
  save.textContent = 'Save';
  item.replaceChildren(editor, save);
  editor.focus();
}

async function loadNotes() {
  const { notes } = /** @type {{ notes: Note[] }} */ (await send('/api/notes', 'GET'));
  byId('notes', HTMLUListElement).replaceChildren(...notes.map(noteItem));
}

byId('note-form', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const text = new FormData(form).get('text');
  void send('/api/notes', 'POST', { text: typeof text === 'string' ? text : '' })
    .then(() => {
      form.reset();
      say('Note added.');
      return loadNotes();
    })
    .catch(() => {});
});

byId('notes', HTMLUListElement).addEventListener('click', (event) => {
  const button = event.target;
  if (!(button instanceof HTMLButtonElement)) return;
  const item = button.closest('li');
  const id = item?.dataset.id;
  if (!item || !id) return;
  if (button.classList.contains('delete')) {
    void send(`/api/notes/${encodeURIComponent(id)}`, 'DELETE').then(() => (say('Note deleted.'), loadNotes())).catch(() => {});
  } else if (button.classList.contains('edit')) {
    startEditing(item);
  } else if (button.classList.contains('save')) {
    const text = item.querySelector('textarea')?.value ?? '';
    void send(`/api/notes/${encodeURIComponent(id)}`, 'PATCH', { text }).then(() => (say('Note saved.'), loadNotes())).catch(() => {});
  }
});

client.onLogout(() => location.assign('/#login'));

/** @typedef {{ at: string, event: string, actor: string, ip: string, userAgent: string, device: string }} ActivityEntry */

/** Words for the audit log's events (docs/API.md, "Audit log"); an unknown one shows as it is. */
const EVENT_WORDS = /** @type {Record<string, string>} */ ({
  register: 'Account created',
  verify: 'Email address confirmed',
  login: 'Logged in',
  login_failed: 'Failed login',
  logout: 'Logged out',
  refresh_reuse: 'Session ended: a refresh token was used twice',
  password_change: 'Password changed',
  password_reset: 'Password reset',
  magic_link_login: 'Logged in with a magic link',
  session_revoked: 'Session ended',
  role_change: 'Roles changed',
  app_metadata_change: 'Account settings changed by an admin',
  account_disabled: 'Account disabled',
  account_enabled: 'Account enabled',
  verification_sent: 'Verification link sent by an admin',
  password_reset_sent: 'Password reset link sent by an admin',
  admin_view: 'Account viewed by an admin',
});

/** The account's own recent security activity (GET /api/auth/activity), newest first. */
async function loadActivity() {
  const { activity } = /** @type {{ activity: ActivityEntry[] }} */ (await send('/api/auth/activity', 'GET'));
  byId('activity', HTMLUListElement).replaceChildren(
    ...activity.map((entry) => {
      const item = document.createElement('li');
      item.dataset.event = entry.event;
      const by = entry.actor === 'self' ? '' : ` (by ${entry.actor === 'admin' ? 'an admin' : 'the system'})`;
      item.textContent = `${new Date(entry.at).toLocaleString()} · ${EVENT_WORDS[entry.event] ?? entry.event}${by} · ${entry.ip} · ${entry.device}`;
      item.title = entry.userAgent;
      return item;
    }),
  );
}

async function start() {
  const current = await client.session();
  if (current === null) {
    location.assign(`/?next=${encodeURIComponent(location.pathname)}#login`);
    return;
  }
  byId('whoami', HTMLParagraphElement).textContent = `Logged in as ${current.user.email}`;
  await loadNotes().catch(() => {});
  await loadActivity().catch(() => {});
}

void start();
