// @ts-check
/**
 * Loaded into `netlify dev` (`node --import`) by the launcher, so that a function's 403 or 404
 * reaches the browser at once, as it does on Netlify.
 *
 * netlify dev mimics the CDN's pretty URLs: when an answer for `/path` is a 403 or a 404, its
 * proxy asks again for `/path.html`, `/path.htm`, `/path/index.html` and `/path/index.htm`, and
 * sends the last answer. It skips this only for `/.netlify/functions/*` URLs, not for functions
 * with a `config.path`: so each of these functions' 403s and 404s ran the function five times,
 * body and all (a POST /api/auth/login refused with 403 checked the password five times, about
 * 5 s), and each retry logged "Missing form submission function handler", because a POST to a
 * path no function serves looks like a form submission to it.
 *
 * The proxy marks a request it routes to a function with an `x-nf-function-name` header, and
 * keeps the paths still to try in `req.alternativePaths`. Emptying them for such requests, as
 * the proxy hands them to http-proxy, leaves static files' pretty URLs as they are.
 * (netlify-cli 26.2 and 27.10, `dist/utils/proxy.js`; the launcher's e2e test fails if a new
 * version changes this.)
 */

import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const FUNCTION_HEADER = 'x-nf-function-name';

/**
 * @typedef {{ web: (req: import('node:http').IncomingMessage & { alternativePaths?: string[] }, res: unknown, options?: { headers?: Record<string, string> }, ...rest: unknown[]) => unknown }} ProxyServer
 * @typedef {{ createProxyServer: (options: unknown) => ProxyServer, createServer: (options: unknown) => ProxyServer, createProxy: (options: unknown) => ProxyServer }} HttpProxy
 */

/** @param {HttpProxy} httpProxy */
function patch(httpProxy) {
  const create = httpProxy.createProxyServer;
  /** @param {unknown} options */
  const createPatched = (options) => {
    const server = create(options);
    const web = server.web;
    server.web = function(req, res, options, ...rest) {
      if (options?.headers?.[FUNCTION_HEADER] !== undefined) req.alternativePaths = [];
      return web.call(this, req, res, options, ...rest);
    };
    return server;
  };
  httpProxy.createProxyServer = createPatched;
  httpProxy.createServer = createPatched;
  httpProxy.createProxy = createPatched;
}

// Function workers inherit this --import; only netlify dev's main thread runs the proxy.
if (isMainThread) {
  // The http-proxy that netlify-cli itself resolves: its ESM import of this CommonJS module
  // gets the same exports object, and looks createProxyServer up when it calls it.
  /** @type {(id: 'http-proxy') => HttpProxy} */
  const require = createRequire(createRequire(import.meta.url).resolve('netlify-cli/package.json'));
  patch(require('http-proxy'));
}
