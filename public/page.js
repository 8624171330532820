/**
 * What every page script of the demo needs from its page: its elements by id, the message line,
 * and the message of an error envelope. Plain browser JavaScript, typed with JSDoc.
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
