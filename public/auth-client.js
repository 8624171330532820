// @ts-check
/**
 * A typed client for /api/auth/* (see docs/API.md), for browsers and for Node tests.
 *
 * The session lives in http-only cookies that this code cannot read, so it never handles a
 * token: it only decides when to ask the server for a new access cookie. The rules:
 *
 * - A call that needs the session ("authenticated") that gets a 401 refreshes once and retries
 *   once. Nothing else refreshes: a 401 from login means a wrong password, not an old cookie.
 * - Refreshes are single-flight. The server rotates the refresh token on every use, so N
 *   parallel refreshes would spend one token N times and could look like token theft.
 * - When a refresh answers 401 the session is over: local listeners hear 'session_ended' and
 *   other tabs are told over a BroadcastChannel, so no tab goes on showing a dead session.
 * - `authFetch(url, init)` applies the same rule to the site's own endpoints (e.g. /api/notes):
 *   a 401 refreshes once (shared with every other call) and retries once; the Response is
 *   returned as it is, whatever its status.
 */

const REFRESH_PATH = '/api/auth/refresh';

/**
 * @typedef {{ id: string, email: string, emailVerified: boolean, name: string | null, roles: string[] }} User
 * @typedef {{ id: string, expiresAt: string }} SessionInfo
 * @typedef {{ id: string, createdAt: string, lastUsedAt: string, userAgent: string, device: string, current: boolean }} SessionSummary
 * @typedef {{ score: number, ok: boolean, warning: string, suggestions: string[] }} PasswordStrength
 * @typedef {'logout' | 'other_tab' | 'session_ended'} LogoutReason
 * @typedef {(reason: LogoutReason) => void} LogoutListener
 * @typedef {{ baseUrl?: string, fetch?: typeof fetch, channel?: BroadcastChannel | null }} AuthClientOptions
 * @typedef {ReturnType<typeof createAuthClient>} AuthClient
 */

/** A failed call: the HTTP status and the API's error code (or one of this module's own). */
export class AuthError extends Error {
  /**
   * @param {number} status 0 when no answer arrived
   * @param {string} code the envelope's code, or 'network_error' / 'unexpected_response'
   * @param {string} message
   * @param {number | null} [retryAfter] seconds, from Retry-After
   */
  constructor(status, code, message, retryAfter = null) {
    super(message);
    this.name = 'AuthError';
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.code = code;
    /** @type {number | null} */
    this.retryAfter = retryAfter;
  }
}

/**
 * @param {string} text
 * @returns {{ value: unknown } | null} null when the text is not JSON
 */
function parseJson(text) {
  try {
    return { value: JSON.parse(text) };
  } catch {
    return null;
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Array.isArray, narrowing to unknown[] rather than any[].
 * @param {unknown} value
 * @returns {value is unknown[]}
 */
function isList(value) {
  return Array.isArray(value);
}

/**
 * Seconds to wait: Retry-After is either a number of seconds or an HTTP date.
 * @param {string | null} header
 * @returns {number | null}
 */
function retryAfterSeconds(header) {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * @param {Response} response
 * @param {{ value: unknown } | null} parsed
 * @returns {AuthError}
 */
function errorFrom(response, parsed) {
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  const error = parsed !== null && isObject(parsed.value) ? parsed.value.error : undefined;
  if (isObject(error) && typeof error.code === 'string') {
    const message = typeof error.message === 'string' ? error.message : error.code;
    return new AuthError(response.status, error.code, message, retryAfter);
  }
  return new AuthError(response.status, 'unexpected_response', `The server answered ${response.status} without an explanation.`, retryAfter);
}

/**
 * The body of a 2xx as JSON (undefined when empty), or the AuthError of anything else.
 * @param {Response} response
 * @returns {Promise<unknown>}
 */
async function readAnswer(response) {
  let text;
  try {
    text = await response.text();
  } catch {
    throw new AuthError(0, 'network_error', 'The connection broke while the answer was arriving.');
  }
  const parsed = text.trim() === '' ? null : parseJson(text);
  if (!response.ok) throw errorFrom(response, parsed);
  if (text.trim() === '') return undefined;
  if (parsed === null) throw new AuthError(response.status, 'unexpected_response', 'The server answered with something that is not JSON.');
  return parsed.value;
}

/**
 * Checks that a success body has the field a method promises, so callers can trust its type.
 * @param {unknown} body
 * @param {string} field
 * @returns {Record<string, unknown>}
 */
function bodyWith(body, field) {
  if (isObject(body) && field in body) return body;
  throw new AuthError(200, 'unexpected_response', `The server's answer has no "${field}".`);
}

/** @returns {BroadcastChannel | null} */
function defaultChannel() {
  return typeof BroadcastChannel === 'function' ? new BroadcastChannel('auth') : null;
}

/** @param {AuthClientOptions} [options] */
export function createAuthClient(options = {}) {
  const baseUrl = options.baseUrl ?? '';
  // Bound: a bare `fetch` stored on an object throws "Illegal invocation" in browsers.
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const ownsChannel = options.channel === undefined;
  const channel = ownsChannel ? defaultChannel() : (options.channel ?? null);
  /** @type {Set<LogoutListener>} */
  const listeners = new Set();

  /** @param {LogoutReason} reason */
  function notify(reason) {
    for (const listener of [...listeners]) {
      // One broken listener must not keep the others from hearing about the logout.
      try {
        listener(reason);
      } catch (err) {
        console.error(err);
      }
    }
  }

  /** @param {MessageEvent<unknown>} event */
  function onMessage(event) {
    if (isObject(event.data) && event.data.type === 'logout') notify('other_tab');
  }
  channel?.addEventListener('message', onMessage);

  /** @param {LogoutReason} reason */
  function loggedOut(reason) {
    notify(reason);
    channel?.postMessage({ type: 'logout' });
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body] sent as JSON when given
   * @returns {Promise<Response>}
   */
  async function send(method, path, body) {
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json' };
    /** @type {RequestInit} */
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      return await fetchImpl(`${baseUrl}${path}`, init);
    } catch {
      throw new AuthError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
    }
  }

  // Single-flight state. `settledRefreshes` counts refreshes that finished, so a request can tell
  // whether one finished while it was on the wire: its 401 then came from the old cookie, and
  // the outcome of that refresh is the answer, not a refresh of its own.
  /** @type {Promise<boolean> | null} */
  let refreshing = null;
  let settledRefreshes = 0;
  let lastRefreshWorked = false;

  /** @returns {Promise<boolean>} true when the server gave new cookies */
  async function refresh() {
    const response = await send('POST', REFRESH_PATH);
    if (response.status === 401) {
      loggedOut('session_ended');
      return false;
    }
    await readAnswer(response);
    return true;
  }

  /**
   * @param {number} sentAfter the value of settledRefreshes when the failed request was sent
   * @returns {Promise<boolean>}
   */
  function refreshOnce(sentAfter) {
    if (refreshing !== null) return refreshing;
    if (sentAfter !== settledRefreshes) return Promise.resolve(lastRefreshWorked);
    refreshing = refresh()
      .then((worked) => {
        lastRefreshWorked = worked;
        settledRefreshes += 1;
        return worked;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {{ body?: unknown, authenticated?: boolean }} [options]
   * @returns {Promise<unknown>}
   */
  async function call(method, path, { body, authenticated = false } = {}) {
    const sentAfter = settledRefreshes;
    let response = await send(method, path, body);
    if (authenticated && response.status === 401 && (await refreshOnce(sentAfter))) {
      response = await send(method, path, body);
    }
    return readAnswer(response);
  }

  /**
   * @param {string} url
   * @param {RequestInit} init
   * @returns {Promise<Response>}
   */
  async function sendRaw(url, init) {
    try {
      return await fetchImpl(`${baseUrl}${url}`, { credentials: 'same-origin', ...init });
    } catch {
      throw new AuthError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
    }
  }

  return {
    /**
     * fetch() for the site's own endpoints that need the session: on a 401 it refreshes once
     * (shared with every other call in flight) and sends the request once more. The body must be
     * one that can be sent twice (a string, FormData, a Blob, URLSearchParams; not a stream).
     * @param {string} url a path on this site, e.g. '/api/notes'
     * @param {RequestInit} [init]
     * @returns {Promise<Response>} the answer as it came, whatever its status
     */
    async authFetch(url, init = {}) {
      const sentAfter = settledRefreshes;
      const response = await sendRaw(url, init);
      if (response.status !== 401 || !(await refreshOnce(sentAfter))) return response;
      return sendRaw(url, init);
    },

    /**
     * `mailbox` is there in development only: the local mailbox the email went to.
     * @param {{ email: string, password: string }} credentials
     * @returns {Promise<{ status: string, mailbox?: string }>}
     */
    async register({ email, password }) {
      const body = bodyWith(await call('POST', '/api/auth/register', { body: { email, password } }), 'status');
      return typeof body.mailbox === 'string' ? { status: String(body.status), mailbox: body.mailbox } : { status: String(body.status) };
    },

    /**
     * How guessable a new password would be (0 … 4; `ok` when register, reset and change accept it).
     * @param {string} password
     * @returns {Promise<PasswordStrength>}
     */
    async passwordStrength(password) {
      const body = bodyWith(await call('POST', '/api/auth/password/strength', { body: { password } }), 'score');
      return {
        score: Number(body.score),
        ok: body.ok === true,
        warning: typeof body.warning === 'string' ? body.warning : '',
        suggestions: Array.isArray(body.suggestions) ? body.suggestions.filter((s) => typeof s === 'string') : [],
      };
    },

    /**
     * @param {string} email
     * @returns {Promise<void>}
     */
    async resendVerification(email) {
      await call('POST', '/api/auth/verify/resend', { body: { email } });
    },

    /**
     * `setPasswordUrl` comes back when the address was confirmed from another browser than the
     * one that registered: the password was dropped, and that page lets the owner choose one.
     * @param {string} token
     * @returns {Promise<{ user: User, setPasswordUrl?: string }>}
     */
    async verifyEmail(token) {
      const body = bodyWith(await call('POST', '/api/auth/verify', { body: { token } }), 'user');
      const user = /** @type {User} */ (body.user);
      return typeof body.setPasswordUrl === 'string' ? { user, setPasswordUrl: body.setPasswordUrl } : { user };
    },

    /**
     * @param {{ email: string, password: string }} credentials
     * @returns {Promise<{ user: User }>}
     */
    async login({ email, password }) {
      const body = bodyWith(await call('POST', '/api/auth/login', { body: { email, password } }), 'user');
      return { user: /** @type {User} */ (body.user) };
    },

    /**
     * Ends this session (or, with `all`, every session of the account) and tells every tab.
     * @param {{ all?: boolean }} [options]
     * @returns {Promise<void>}
     */
    async logout({ all = false } = {}) {
      try {
        await call('POST', '/api/auth/logout', { body: { all }, authenticated: true });
      } catch (err) {
        // 401 even after a refresh: there is no session left to end, which is what was wanted.
        if (!(err instanceof AuthError && err.status === 401)) throw err;
      }
      loggedOut('logout');
    },

    /**
     * Who is logged in, or null when nobody is.
     * @returns {Promise<{ user: User, session: SessionInfo } | null>}
     */
    async session() {
      try {
        const body = bodyWith(await call('GET', '/api/auth/session', { authenticated: true }), 'user');
        return { user: /** @type {User} */ (body.user), session: /** @type {SessionInfo} */ (body.session) };
      } catch (err) {
        if (err instanceof AuthError && err.status === 401) return null;
        throw err;
      }
    },

    /** @returns {Promise<SessionSummary[]>} */
    async sessions() {
      const body = bodyWith(await call('GET', '/api/auth/sessions', { authenticated: true }), 'sessions');
      if (!isList(body.sessions)) throw new AuthError(200, 'unexpected_response', 'The server\'s "sessions" is not a list.');
      return /** @type {SessionSummary[]} */ (body.sessions);
    },

    /**
     * @param {string} id
     * @returns {Promise<void>}
     */
    async revokeSession(id) {
      await call('DELETE', `/api/auth/sessions/${encodeURIComponent(id)}`, { authenticated: true });
    },

    /**
     * @param {string} email
     * @returns {Promise<void>}
     */
    async forgotPassword(email) {
      await call('POST', '/api/auth/password/forgot', { body: { email } });
    },

    /**
     * @param {{ token: string, password: string }} reset
     * @returns {Promise<void>}
     */
    async resetPassword({ token, password }) {
      await call('POST', '/api/auth/password/reset', { body: { token, password } });
    },

    /**
     * @param {{ currentPassword: string, newPassword: string }} change
     * @returns {Promise<void>}
     */
    async changePassword({ currentPassword, newPassword }) {
      await call('POST', '/api/auth/password/change', { body: { currentPassword, newPassword }, authenticated: true });
    },

    /**
     * @param {string} email
     * @param {{ website?: string }} [form] the form's honeypot field, passed on so the server can drop bot requests
     * @returns {Promise<{ status: string }>}
     */
    async requestMagicLink(email, { website } = {}) {
      const payload = website ? { email, website } : { email };
      const body = bodyWith(await call('POST', '/api/auth/magic', { body: payload }), 'status');
      return { status: String(body.status) };
    },

    /**
     * @param {LogoutListener} listener
     * @returns {() => void} unsubscribes
     */
    onLogout(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    /** Stops listening to other tabs; an open channel would also keep Node alive. */
    close() {
      channel?.removeEventListener('message', onMessage);
      if (ownsChannel) channel?.close();
    },
  };
}
