/**
 * What `netlify dev` needs to run edge functions with no internet: a Deno binary, and the edge
 * runtime's bootstrap module.
 *
 * - Deno: netlify-cli (@netlify/edge-bundler's DenoBridge) first runs a global `deno` from PATH
 *   when its version is in range (^2.4.2), and only otherwise downloads one. The `deno` npm
 *   package (a dev dependency) ships the binary in its platform package (@deno/linux-x64-glibc…),
 *   so that package's folder goes first on PATH.
 * - The bootstrap: netlify-cli points Deno at https://<version>--edge.netlify.com/bootstrap/…
 *   unless NETLIFY_EDGE_BOOTSTRAP names another module. @netlify/edge-functions-dev (installed with
 *   netlify-cli, through @netlify/dev) ships Netlify's bootstrap bundled into one file with the
 *   same `boot()` entry, so NETLIFY_EDGE_BOOTSTRAP points at it.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface EdgeRuntime {
  /** A folder holding the `deno` binary. */
  readonly denoDir: string;
  /** A file: URL of the edge bootstrap module. */
  readonly bootstrapUrl: string;
}

const DENO_PLATFORM_PACKAGES: Readonly<Record<string, string>> = {
  'linux-x64': '@deno/linux-x64-glibc',
  'linux-arm64': '@deno/linux-arm64-glibc',
  'darwin-x64': '@deno/darwin-x64',
  'darwin-arm64': '@deno/darwin-arm64',
};

export class EdgeRuntimeMissing extends Error {}

export function edgeRuntime(root: string): EdgeRuntime {
  const require = createRequire(path.join(root, 'package.json'));
  return { denoDir: denoDir(require), bootstrapUrl: bootstrapUrl(require) };
}

function packageDir(require: NodeJS.Require, name: string): string | null {
  try {
    return path.dirname(require.resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}

function denoDir(require: NodeJS.Require): string {
  const platformPackage = DENO_PLATFORM_PACKAGES[`${process.platform}-${process.arch}`];
  // The platform package always holds the binary; `deno` itself only after its postinstall.
  for (const name of [platformPackage, 'deno']) {
    const dir = name === undefined ? null : packageDir(require, name);
    if (dir !== null && existsSync(path.join(dir, 'deno'))) return dir;
  }
  throw new EdgeRuntimeMissing(`no Deno binary for ${process.platform}-${process.arch} in node_modules (the 'deno' dev dependency): run npm ci.`);
}

function bootstrapUrl(require: NodeJS.Require): string {
  const cliRequire = createRequire(require.resolve('netlify-cli/package.json'));
  const devRequire = createRequire(cliRequire.resolve('@netlify/dev/package.json'));
  // The package exports only its Node entry (dist/node/main.js); the bootstrap sits beside it.
  const main = devRequire.resolve('@netlify/edge-functions-dev');
  const file = path.resolve(path.dirname(main), '..', 'deno', 'bootstrap.mjs');
  if (!existsSync(file)) throw new EdgeRuntimeMissing(`the edge bootstrap is not at ${file} (has @netlify/edge-functions-dev changed?).`);
  return pathToFileURL(file).href;
}
