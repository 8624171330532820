/**
 * The whole local stack:
 *   - the FQL engine (`fql-engine/cli.ts`, PGlite under <data>/engine), a child process
 *   - the mailbox, in this process, keeping messages under <data>/mailbox
 *   - `netlify dev`, a child process, offline and without edge functions (no Deno download),
 *     with the functions pointed at the engine and at the mailbox
 *   - the schema (`fauna-schema/`), applied in this process over HTTP once the engine answers,
 *     as `npm run schema` does
 * It is ready when the site's /api/health answers 200 after the schema is in place. It stops
 * in reverse: netlify dev, the mailbox, then the engine.
 */

import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { runSchemaCommand } from '../../fauna-schema/cli.ts';
import { startMailbox, type Mailbox } from '../mailbox/server.ts';
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
/** Makes netlify dev pass a function's 403 or 404 on at once, as Netlify does (see the file). */
const FUNCTION_ANSWERS_ONCE = new URL('./function-answers-once.mjs', import.meta.url).href;
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
    args: ['--import', 'tsx', 'fql-engine/cli.ts', '--port', String(options.enginePort), '--secret', options.secret, ...storage],
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
 */
function startNetlifyDev(options: StackOptions, engineUrl: string, mailboxUrl: string): Child {
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    FAUNA_ENDPOINT: engineUrl,
    FAUNA_SECRET: options.secret,
    POSTMARK_API_URL: mailboxUrl,
    BROWSER: 'none',
    NETLIFY_TELEMETRY_DISABLED: '1',
  };
  delete env.DATABASE_URL;
  const args = ['--import', FUNCTION_ANSWERS_ONCE, netlifyCli(options.root), 'dev', '--offline', '--no-open', '--internal-disable-edge-functions', '--port', String(options.sitePort)];
  return startChild({ name: 'netlify', command: process.execPath, args, env, cwd: options.root, log: options.log });
}

function netlifyCli(root: string): string {
  const require = createRequire(path.join(root, 'package.json'));
  const manifestPath = require.resolve('netlify-cli/package.json');
  const manifest = require(manifestPath) as { bin: Record<string, string> };
  return path.join(path.dirname(manifestPath), manifest.bin.netlify);
}

/** netlify dev first (no more queries), then the mailbox, then the engine (closes its data directory). */
async function stopAll(children: readonly Child[], mailbox: Mailbox | null): Promise<void> {
  const [engine, ...rest] = children;
  await Promise.all(rest.map((c) => c.stop()));
  await mailbox?.close();
  await engine?.stop(30_000);
}

export { ChildFailed };
