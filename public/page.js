/**
 * What every page script of the demo needs from its page: its elements by id, the message line,
 * the message of an error envelope, and a JSON call to the site's API. Plain browser JavaScript,
 * typed with JSDoc.
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, name: string }} type
 * @returns {T}
 */
export function byId(id, type) {
  const element = document.getElementById(id);
  // A missing element is a bug in the page's HTML; failing loudly beats a silently dead button.
  if (!(element instanceof type)) throw new Error(`#${id} is missing or is not a ${type.name}`);
  return element;
}

/**
 * Shows a message in the page's `#message` line.
 * @param {string} text
 * @param {'info' | 'error'} [kind]
 */
export function say(text, kind = 'info') {
  const message = byId('message', HTMLParagraphElement);
  message.textContent = text;
  message.dataset.kind = kind;
}

/**
 * The message of an `{error: {message}}` envelope, if `body` is one.
 * @param {unknown} body
 * @returns {string | undefined}
 */
export function errorMessage(body) {
  const envelope = /** @type {{ error?: { message?: unknown } } | null} */ (body);
  const message = envelope?.error?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * A function calling the site's API through `client.authFetch` (which refreshes the session once
 * on a 401): it answers the JSON of a 2xx answer (null for 204). A 401 that remains means the
 * session is over: the browser goes to log in, and comes back here after. Any other failure is
 * said on the page and thrown.
 * @param {{ authFetch(url: string, init?: RequestInit): Promise<Response> }} client
 * @returns {(url: string, method: string, json?: unknown) => Promise<unknown>}
 */
export function jsonCaller(client) {
  return async (url, method, json) => {
    /** @type {RequestInit} */
    const init = { method, headers: { accept: 'application/json' } };
    if (json !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(json);
    }
    const response = await client.authFetch(url, init);
    if (response.status === 401) {
      location.assign(`/?next=${encodeURIComponent(location.pathname)}#login`);
      throw new Error('not logged in');
    }
    /** @type {unknown} */
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) {
      const message = errorMessage(body) ?? `The server answered ${response.status}.`;
      say(message, 'error');
      throw new Error(message);
    }
    return body;
  };
}
