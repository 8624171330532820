/**
 * The whole local stack:
 *   - the FQL engine (the `fql-engine` command, PGlite under <data>/engine), a child process
 *   - the mailbox, in this process, keeping messages under <data>/mailbox
 *   - `netlify dev`, a child process, offline, with the functions pointed at the engine and at
 *     the mailbox, a guard against bodies over its limit (request-guard.mjs), and edge functions
 *     run by the `deno` package's binary with the bootstrap shipped in node_modules
 *     (edge-runtime.ts): nothing is downloaded
 *   - the schema (`fauna-schema/`), applied in this process over HTTP once the engine answers,
 *     as `npm run schema` does
 * It is ready when the site's /api/health answers 200 after the schema is in place. It stops
 * in reverse: netlify dev, the mailbox, then the engine.
 */

import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSchemaCommand } from '../../fauna-schema/cli.ts';
import { startMailbox, type Mailbox } from '../mailbox/server.ts';
import { edgeRuntime } from './edge-runtime.ts';
import { ChildFailed, startChild, waitForUrl, type Child } from './child.ts';

export interface StackOptions {
  /** The project root: where netlify.toml, functions/ and public/ are. */
  readonly root: string;
  readonly sitePort: number;
  readonly enginePort: number;
  readonly mailboxPort: number;
  /** Holds engine/ and mailbox/. */
  readonly dataDir: string;
  /** The engine's admin secret, which the functions use as FAUNA_SECRET. */
  readonly secret: string;
  /** Edge functions on (the default): Deno from the `deno` package, see edge-runtime.ts. */
  readonly edgeFunctions?: boolean;
  /** When set, the engine stores its data in this PostgreSQL instead of PGlite. */
  readonly databaseUrl: string | null;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export interface Stack {
  readonly siteUrl: string;
  readonly mailboxUrl: string;
  readonly engineUrl: string;
  /** Resolves when a child exits on its own (the stack is then broken), with its name. */
  readonly childExited: Promise<string>;
  stop(): Promise<void>;
}

const ENGINE_START_MS = 60_000;
const SITE_START_MS = 180_000;

export async function startStack(options: StackOptions): Promise<Stack> {
  await requireFreePorts(options);
  const started: { children: Child[]; mailbox: Mailbox | null } = { children: [], mailbox: null };
  const stop = (): Promise<void> => stopAll(started.children, started.mailbox);
  try {
    // netlify dev takes longest (it bundles every function), so it starts at once, beside the
    // engine: it needs the engine only for the first request, and that waits for the schema.
    const engine = startEngine(options);
    started.children.push(engine);
    const engineUrl = `http://127.0.0.1:${options.enginePort}`;
    started.mailbox = await startMailbox({ port: options.mailboxPort, dir: path.join(options.dataDir, 'mailbox') });
    const site = startNetlifyDev(options, engineUrl, started.mailbox.url);
    started.children.push(site);
    await waitForUrl(`${engineUrl}/ping`, engine, { timeoutMs: ENGINE_START_MS });
    await applySchema(options, engineUrl);
    const siteUrl = `http://localhost:${options.sitePort}`;
    await waitForUrl(`${siteUrl}/api/health`, site, { timeoutMs: SITE_START_MS });
    const childExited = Promise.race(started.children.map((c) => c.exited.then(() => c.name)));
    return { siteUrl, mailboxUrl: started.mailbox.url, engineUrl, childExited, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Checked first, because a port already taken could look like success: the engine's /ping would
 * be answered by another engine (an `npm run db` or a second `npm run dev`), not this one.
 */
async function requireFreePorts(options: StackOptions): Promise<void> {
  const wanted = [
    { port: options.sitePort, flag: '--port', what: 'the site' },
    { port: options.enginePort, flag: '--engine-port', what: 'the engine' },
    { port: options.mailboxPort, flag: '--mailbox-port', what: 'the mailbox' },
  ];
  for (const { port, flag, what } of wanted) {
    if (!(await portFree(port))) {
      throw new Error(`port ${port}, for ${what}, is in use (another npm run dev or npm run db?). Stop it, or choose another with ${flag}.`);
    }
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

function startEngine(options: StackOptions): Child {
  const storage = options.databaseUrl === null ? ['--data', path.join(options.dataDir, 'engine')] : [];
  const env = { ...options.env };
  if (options.databaseUrl !== null) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  return startChild({
    name: 'engine',
    command: process.execPath,
    // The fql-engine command, run by this Node with tsx: in this repository it is TypeScript.
    args: ['--import', 'tsx', packageBin(options.root, 'fql-engine', 'fql-engine'), '--port', String(options.enginePort), '--secret', options.secret, ...storage],
    env,
    cwd: options.root,
    log: options.log,
  });
}

async function applySchema(options: StackOptions, engineUrl: string): Promise<void> {
  const lines: string[] = [];
  const io = { out: (line: string) => options.log(`[schema] ${line}`), err: (line: string) => lines.push(line) };
  const code = await runSchemaCommand({ FAUNA_ENDPOINT: engineUrl, FAUNA_SECRET: options.secret }, io);
  if (code !== 0) throw new Error(lines.join('\n') || 'the schema could not be applied');
}

/**
 * The functions reach the engine over HTTP. DATABASE_URL is taken out of their environment:
 * with it they would run their own in-process engine, beside the one this stack started.
 * FQL_AUTH_DEV=1 declares development, whose defaults the functions use only when told
 * (netlify dev's own NETLIFY_DEV=true says so too; this does not depend on it).
 */
function startNetlifyDev(options: StackOptions, engineUrl: string, mailboxUrl: string): Child {
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    FQL_AUTH_DEV: '1',
    FAUNA_ENDPOINT: engineUrl,
    FAUNA_SECRET: options.secret,
    POSTMARK_API_URL: mailboxUrl,
    BROWSER: 'none',
    NETLIFY_TELEMETRY_DISABLED: '1',
  };
  delete env.DATABASE_URL;
  const edgeFunctions = options.edgeFunctions !== false;
  if (edgeFunctions) {
    const edge = edgeRuntime(options.root);
    env.PATH = `${edge.denoDir}${path.delimiter}${options.env.PATH ?? ''}`;
    env.NETLIFY_EDGE_BOOTSTRAP = edge.bootstrapUrl;
  }
  const { args, cwd } = netlifyDevCommand(options.root, options.sitePort, edgeFunctions);
  return startChild({ name: 'netlify', command: process.execPath, args, env, cwd, log: options.log });
}

/**
 * `netlify dev` for the site at `root`, offline: the arguments for this Node, and where to run.
 * The site is the repository's root, but the root is also an npm workspace root (fql-engine is
 * its one workspace), and netlify-cli, run there, takes that workspace for the site. --cwd says
 * where the site is, and netlify-cli heeds it only when it is not the process's own directory
 * (netlify/cli#7392), so netlify dev runs from a folder below the root.
 */
export function netlifyDevCommand(root: string, port: number, edgeFunctions = false): { args: string[]; cwd: string } {
  const cli = packageBin(root, 'netlify-cli', 'netlify');
  // The guard keeps one request with a body over netlify dev's limit from ending it (request-guard.mjs).
  const guard = pathToFileURL(path.join(root, 'netlify', 'launcher', 'request-guard.mjs')).href;
  const edge = edgeFunctions ? [] : ['--internal-disable-edge-functions'];
  return {
    args: ['--import', guard, cli, 'dev', '--cwd', root, '--offline', '--no-open', ...edge, '--port', String(port)],
    cwd: path.join(root, 'netlify'),
  };
}

/** The file a package's command runs, from its package.json's "bin". */
function packageBin(root: string, packageName: string, command: string): string {
  const require = createRequire(path.join(root, 'package.json'));
  const manifestPath = require.resolve(`${packageName}/package.json`);
  const manifest = require(manifestPath) as { bin: Record<string, string> };
  return path.join(path.dirname(manifestPath), manifest.bin[command]);
}

/** netlify dev first (no more queries), then the mailbox, then the engine (closes its data directory). */
async function stopAll(children: readonly Child[], mailbox: Mailbox | null): Promise<void> {
  const [engine, ...rest] = children;
  await Promise.all(rest.map((c) => c.stop()));
  await mailbox?.close();
  await engine?.stop(30_000);
}

export { ChildFailed };
