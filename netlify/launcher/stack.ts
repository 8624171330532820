/**
 * The whole local stack, in one of two modes.
 *
 * Development (`npm run dev`):
 *   - the FQL engine (the `fql-engine` command, PGlite under <data>/engine, or PostgreSQL with
 *     DATABASE_URL), a child process
 *   - the mailbox, in this process, keeping messages under <data>/mailbox
 *   - the functions, bundled by esbuild (its service process, driven from here) and rebuilt
 *     when a source changes;
 *     netlify dev serves them through small shims (dev-functions.ts), which spares it a minute
 *     of bundling on every start
 *   - `netlify dev`, a child process, offline, with the functions pointed at the engine and at
 *     the mailbox, generous rate limits, a guard against bodies over its limit (request-guard.mjs),
 *     edge functions run by the `deno` package's binary with the bootstrap shipped in
 *     node_modules (edge-runtime.ts): nothing is downloaded; and no local Netlify DB
 *     (no-local-netlify-db.mjs)
 *   - the schema (`fauna-schema/`), applied in this process over HTTP once the engine answers,
 *     as `npm run schema` does
 *
 * Production rehearsal (`npm run dev -- --production`): the functions as deployed, bundled by
 * netlify dev itself from functions/ as a deploy bundles them. No engine server: each function
 * runs the engine in-process on DATABASE_URL, with NODE_ENV=production and production's
 * defaults; the schema is applied to DATABASE_URL as docs/DEPLOY.md says; only the email goes
 * to the local mailbox instead of Postmark.
 *
 * It is ready when the site's /api/health answers 200 after the schema is in place. It stops
 * in reverse: netlify dev, the mailbox, then the engine.
 */

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runSchemaCommand } from '../../fauna-schema/cli.ts';
import { startMailbox, type Mailbox } from '../mailbox/server.ts';
import { functionFiles, startDevFunctions, type DevFunctions } from './dev-functions.ts';
import { netlifyOutput } from './netlify-output.ts';
import { edgeRuntime } from './edge-runtime.ts';
import { ChildFailed, startChild, waitForUrl, type Child } from './child.ts';
import { startProgress, type Progress } from './progress.ts';

export type Mode = 'development' | 'production';

export interface StackOptions {
  readonly mode: Mode;
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
  /** PostgreSQL instead of PGlite; required in production mode. */
  readonly databaseUrl: string | null;
  readonly env: NodeJS.ProcessEnv;
  readonly log: (line: string) => void;
}

export interface Stack {
  readonly siteUrl: string;
  readonly mailboxUrl: string;
  /** The engine server's URL; null in production mode, where every function runs its own. */
  readonly engineUrl: string | null;
  /** What the functions were given that the environment did not set (production mode). */
  readonly filledIn: readonly string[];
  /** Resolves when a child exits on its own (the stack is then broken), with its name. */
  readonly childExited: Promise<string>;
  stop(): Promise<void>;
}

const ENGINE_START_MS = 60_000;
// In production mode netlify dev bundles every function before the first one answers: bench:dev
// measured 125 s for this on a shared, busy 2-core machine. A slow start is reported as it goes
// (progress.ts), not cut off.
const SITE_START_MS = 300_000;

/**
 * Development's rate limits: a walk through every flow must not lock an address out for an
 * hour. A variable set in the environment wins; production keeps the defaults of shared/config.ts.
 */
export const DEV_LIMITS: Readonly<Record<string, string>> = {
  EMAILS_PER_ADDRESS_PER_HOUR: '100',
  EMAIL_MIN_INTERVAL_SECONDS: '0',
  LOGIN_MAX_FAILURES: '50',
  LOGIN_MAX_FAILURES_PER_ACCOUNT: '500',
  LOGIN_MAX_FAILURES_PER_IP: '200',
  MAGIC_LINKS_PER_IP_PER_HOUR: '200',
  EMAILS_PER_IP_PER_HOUR: '200',
};

/** The dev limits in force for this environment, as `NAME=value` (the environment's own values win). */
export function devLimits(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(DEV_LIMITS).map(([name, value]) => [name, env[name]?.trim() || value]));
}

export async function startStack(options: StackOptions): Promise<Stack> {
  if (options.mode === 'production' && options.databaseUrl === null) {
    throw new Error('--production runs the functions as deployed, on PostgreSQL: set DATABASE_URL (see docs/DEPLOY.md, "Rehearse production locally").');
  }
  await requireFreePorts(options);
  const functionCount = functionFiles(path.join(options.root, 'functions')).length;
  const progress = startProgress(options.log, { functions: functionCount, netlifyBundles: options.mode === 'production' });
  const started: Started = { children: [], mailbox: null, functions: null };
  const stop = (): Promise<void> => stopAll(started);
  try {
    // netlify dev takes longest, so it starts at once, beside the engine and the functions'
    // bundling: it needs them only for the first request, and that waits for the schema.
    const engine = options.mode === 'development' ? startEngine(options) : null;
    if (engine !== null) started.children.push(engine);
    const engineUrl = engine === null ? null : `http://127.0.0.1:${options.enginePort}`;
    if (options.mode === 'development') {
      progress.step(`bundling ${functionCount} functions with esbuild`);
      started.functions = await startDevFunctions({ root: options.root, sitePort: options.sitePort, log: options.log });
    }
    const bundled = reportBundling(started.functions, progress);
    started.mailbox = await startMailbox({ port: options.mailboxPort, dir: path.join(options.dataDir, 'mailbox') });
    progress.step(`mailbox ready: ${started.mailbox.url}`);
    const functionEnv = options.mode === 'development'
      ? developmentEnv(options, engineUrl ?? '', started.mailbox.url)
      : productionEnv(options, started.mailbox.url);
    const site = startNetlifyDev(options, functionEnv.env, progress, started.functions);
    started.children.push(site);
    progress.step(`starting ${engine === null ? '' : 'the engine and '}netlify dev`);
    if (engine !== null && engineUrl !== null) {
      progress.awaiting('the engine');
      await waitForUrl(`${engineUrl}/ping`, engine, { timeoutMs: ENGINE_START_MS });
      progress.step('engine ready; applying the schema');
      await applySchema(options, { FAUNA_ENDPOINT: engineUrl, FAUNA_SECRET: options.secret });
    } else {
      progress.awaiting('PostgreSQL');
      await applySchema(options, { DATABASE_URL: options.databaseUrl ?? '', FAUNA_SECRET: functionEnv.env.FAUNA_SECRET });
    }
    progress.step('schema in place');
    await bundled;
    const siteUrl = `http://localhost:${options.sitePort}`;
    progress.awaiting('netlify dev');
    await waitForUrl(`${siteUrl}/api/health`, site, { timeoutMs: SITE_START_MS });
    progress.stop();
    const childExited = Promise.race(started.children.map((c) => c.exited.then(() => c.name)));
    return { siteUrl, mailboxUrl: started.mailbox.url, engineUrl, filledIn: functionEnv.filledIn, childExited, stop };
  } catch (err) {
    progress.stop();
    await stop();
    throw err;
  }
}

interface Started {
  readonly children: Child[];
  mailbox: Mailbox | null;
  functions: DevFunctions | null;
}

/** Says when development's first bundling is done; resolves at once in production. A failure is thrown where it is awaited. */
function reportBundling(functions: DevFunctions | null, progress: Progress): Promise<void> {
  if (functions === null) return Promise.resolve();
  const done = functions.built.then((seconds) => progress.step(`${functions.names.length} functions bundled in ${seconds.toFixed(1)} s`));
  done.catch(() => {});
  return done;
}

/**
 * Checked first, because a port already taken could look like success: the engine's /ping would
 * be answered by another engine (an `npm run db` or a second `npm run dev`), not this one.
 */
async function requireFreePorts(options: StackOptions): Promise<void> {
  const wanted = [
    { port: options.sitePort, flag: '--port', what: 'the site' },
    ...(options.mode === 'development' ? [{ port: options.enginePort, flag: '--engine-port', what: 'the engine' }] : []),
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
    args: [
      '--import',
      'tsx',
      packageBin(options.root, 'fql-engine', 'fql-engine'),
      '--port',
      String(options.enginePort),
      '--secret',
      options.secret,
      ...storage,
    ],
    env,
    cwd: options.root,
    log: options.log,
  });
}

async function applySchema(options: StackOptions, env: Record<string, string | undefined>): Promise<void> {
  const lines: string[] = [];
  const io = { out: (line: string) => options.log(`[schema] ${line}`), err: (line: string) => lines.push(line) };
  const code = await runSchemaCommand(env, io);
  if (code !== 0) throw new Error(lines.join('\n') || 'the schema could not be applied');
}

interface FunctionEnv {
  readonly env: NodeJS.ProcessEnv;
  readonly filledIn: readonly string[];
}

/**
 * The functions reach the engine over HTTP. DATABASE_URL is taken out of their environment:
 * with it they would run their own in-process engine, beside the one this stack started.
 * FQL_AUTH_DEV=1 declares development, whose defaults the functions use only when told
 * (netlify dev's own NETLIFY_DEV=true says so too; this does not depend on it).
 */
function developmentEnv(options: StackOptions, engineUrl: string, mailboxUrl: string): FunctionEnv {
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    ...devLimits(options.env),
    FQL_AUTH_DEV: '1',
    FAUNA_ENDPOINT: engineUrl,
    FAUNA_SECRET: options.secret,
    POSTMARK_API_URL: mailboxUrl,
  };
  delete env.DATABASE_URL;
  return { env, filledIn: [] };
}

/**
 * What production runs with: NODE_ENV=production, the engine in-process on DATABASE_URL, and
 * every variable production requires. Those not set in the environment get a value for this
 * rehearsal only (named in `filledIn`, and printed): a random JWT secret, Postmark's test token,
 * a local sender. Email goes to the local mailbox, whatever POSTMARK_API_URL says.
 */
function productionEnv(options: StackOptions, mailboxUrl: string): FunctionEnv {
  const rehearsal: Record<string, string> = {
    FAUNA_SECRET: options.secret,
    JWT_SECRETS: randomBytes(32).toString('base64url'),
    POSTMARK_SERVER_TOKEN: 'POSTMARK_API_TEST',
    EMAIL_FROM: 'Rehearsal <auth@localhost>',
  };
  const filledIn = Object.keys(rehearsal).filter((name) => !options.env[name]?.trim());
  const env: NodeJS.ProcessEnv = { ...options.env };
  for (const name of filledIn) env[name] = rehearsal[name];
  env.NODE_ENV = 'production';
  delete env.FQL_AUTH_DEV;
  env.CONTEXT = 'production';
  env.DATABASE_URL = options.databaseUrl ?? '';
  env.POSTMARK_API_URL = mailboxUrl;
  delete env.FAUNA_ENDPOINT;
  return { env, filledIn };
}

function startNetlifyDev(options: StackOptions, functionEnv: NodeJS.ProcessEnv, progress: Progress, functions: DevFunctions | null): Child {
  const env: NodeJS.ProcessEnv = { ...functionEnv, ...functions?.env, BROWSER: 'none', NETLIFY_TELEMETRY_DISABLED: '1' };
  const edgeFunctions = options.edgeFunctions !== false;
  if (edgeFunctions) {
    const edge = edgeRuntime(options.root);
    env.PATH = `${edge.denoDir}${path.delimiter}${functionEnv.PATH ?? ''}`;
    env.NETLIFY_EDGE_BOOTSTRAP = edge.bootstrapUrl;
  }
  const { args, cwd } = netlifyDevCommand(options.root, options.sitePort, { edgeFunctions, functionsDir: functions?.shimDir });
  const log = netlifyOutput((line) => {
    options.log(line);
    progress.netlifyLine(line);
  }, '[netlify] ');
  return startChild({ name: 'netlify', command: process.execPath, args, env, cwd, log });
}

/**
 * `netlify dev` for the site at `root`, offline: the arguments for this Node, and where to run.
 * The site is the repository's root, but the root is also an npm workspace root (fql-engine is
 * its one workspace), and netlify-cli, run there, takes that workspace for the site. --cwd says
 * where the site is, and netlify-cli heeds it only when it is not the process's own directory
 * (netlify/cli#7392), so netlify dev runs from a folder below the root.
 */
export function netlifyDevCommand(
  root: string,
  port: number,
  options: { edgeFunctions?: boolean; functionsDir?: string } = {},
): { args: string[]; cwd: string } {
  const cli = packageBin(root, 'netlify-cli', 'netlify');
  // The guard keeps one request with a body over netlify dev's limit from ending it (request-guard.mjs);
  // the next makes netlify dev pass a function's 403 or 404 on at once, as Netlify does (function-answers-once.mjs);
  // the last keeps it from starting a local Netlify DB this project never uses (no-local-netlify-db.mjs).
  const preload = (file: string): string[] => ['--import', pathToFileURL(path.join(root, 'netlify', 'launcher', file)).href];
  const edge = options.edgeFunctions === true ? [] : ['--internal-disable-edge-functions'];
  // Development's shims (dev-functions.ts) instead of netlify.toml's functions/.
  const functions = options.functionsDir === undefined ? [] : ['--functions', options.functionsDir];
  return {
    args: [
      ...preload('request-guard.mjs'),
      ...preload('function-answers-once.mjs'),
      ...preload('no-local-netlify-db.mjs'),
      cli,
      'dev',
      '--cwd',
      root,
      '--offline',
      '--no-open',
      ...edge,
      ...functions,
      '--port',
      String(port),
    ],
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

/** netlify dev first (no more queries), then the mailbox and the bundler, then the engine (closes its data directory). */
async function stopAll(started: Started): Promise<void> {
  const engine = started.children.find((c) => c.name === 'engine');
  await Promise.all(started.children.filter((c) => c !== engine).map((c) => c.stop()));
  await Promise.all([started.mailbox?.close(), started.functions?.stop()]);
  await engine?.stop(30_000);
}

export { ChildFailed };
