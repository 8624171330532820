/**
 * Loaded into `netlify dev` (node --import) by the launcher, so that one bad request cannot stop
 * the whole local stack (issue 19, item 13).
 *
 * netlify-cli buffers every request body before routing it, and its request handler is an async
 * function given to http.createServer: a body over its 6 MB limit ("Stream body too big"), or one
 * that takes over 30 s to arrive, rejects that handler's promise, nobody catches it, and Node ends
 * the process on the unhandled rejection. This wraps every request listener of the process: a body
 * declared too big is answered 413 before netlify-cli reads it, and a listener's rejection is
 * answered (413 for a body too big, else 500), logged, and goes no further.
 *
 * Plain JavaScript: it runs inside netlify-cli's process, which does not load tsx.
 */

import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

/** netlify-cli's own limit (dist/utils/create-stream-promise.js). */
const BODY_LIMIT_BYTES = 6e6;
/** Past the answer, a refused body is read and dropped up to this much, then its connection is cut. */
const DRAIN_LIMIT_BYTES = 64e6;

const createServer = http.createServer;
http.createServer = function guardedCreateServer(...args) {
  const at = args.findIndex((arg) => typeof arg === 'function');
  if (at >= 0) args[at] = guard(args[at]);
  return createServer.apply(this, args);
};
syncBuiltinESMExports();

/**
 * @typedef {import('node:http').IncomingMessage} IncomingMessage
 * @typedef {import('node:http').ServerResponse} ServerResponse
 */

/**
 * @param {(this: unknown, req: IncomingMessage, res: ServerResponse) => unknown} listener
 * @returns {(this: unknown, req: IncomingMessage, res: ServerResponse) => unknown}
 */
function guard(listener) {
  return function guardedListener(req, res) {
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES) {
      answer(req, res, 413, 'payload_too_large', `The body must be at most ${BODY_LIMIT_BYTES} bytes.`);
      return undefined;
    }
    /** @type {unknown} */
    let result;
    try {
      result = listener.call(this, req, res);
    } catch (err) {
      failed(req, res, err);
      return undefined;
    }
    if (isThenable(result)) result.then(undefined, (/** @type {unknown} */ err) => failed(req, res, err));
    return result;
  };
}

/**
 * @param {unknown} value
 * @returns {value is PromiseLike<unknown>}
 */
function isThenable(value) {
  return value !== null && typeof value === 'object' && 'then' in value && typeof value.then === 'function';
}

/**
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {unknown} err
 */
function failed(req, res, err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`[request-guard] ${req.method} ${req.url} failed in netlify dev: ${message}`);
  if (message === 'Stream body too big') answer(req, res, 413, 'payload_too_large', `The body must be at most ${BODY_LIMIT_BYTES} bytes.`);
  else answer(req, res, 500, 'internal_error', 'Something went wrong on our side. Please try again later.');
}

/**
 * @param {IncomingMessage} req
 * @param {ServerResponse} res
 * @param {number} status
 * @param {string} code
 * @param {string} message
 */
function answer(req, res, status, code, message) {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // The connection stays open while the rest of the body is read and dropped: closing it under a
  // client that is still sending makes the client report a broken pipe, not this answer.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: { code, message } }));
  let drained = 0;
  req.on('data', (/** @type {Buffer} */ chunk) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT_BYTES) req.socket.destroy();
  });
  req.resume();
}
