/**
 * `npm run dev`: the whole stack on this machine, with no account and no internet: the FQL
 * engine on PGlite under .data/engine, the schema, the mailbox (.data/mailbox) and
 * `netlify dev` serving public/ and functions/. Says what it does while it starts, and prints
 * the site and mailbox URLs once /api/health answers. Ctrl-C (or SIGTERM) stops everything; a
 * second start keeps the data. `--production` rehearses production instead (see USAGE).
 *
 * --no-edge runs netlify dev without edge functions (the /app/ and /admin/ guard): for a platform
 * the `deno` package has no binary for, or to save the seconds the edge runtime takes to start.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { terminateAll } from './launcher/child.ts';
import { devLimits, startStack, type Stack, type StackOptions } from './launcher/stack.ts';

const USAGE = `usage: npm run dev -- [options]

  --port 8888          the site: public/ and the functions under /api (netlify dev)
  --mailbox-port 8025  the local mailbox: every email the site sends
  --engine-port 8443   the FQL engine the functions query over HTTP (not with --production)
  --data .data         where the engine (PGlite) and the mailbox keep their data
  --secret secret      the engine's admin secret (default: FAUNA_SECRET, else 'secret')
  --no-edge            without edge functions (the /app/ and /admin/ guard): for a platform the
                       deno package has no binary for, or a faster start
  --production         rehearse production: the functions as deployed (NODE_ENV=production,
                       the engine in-process on DATABASE_URL, production's rate limits), with
                       the local mailbox instead of Postmark. Needs DATABASE_URL.
  --help               this text

environment:
  DATABASE_URL   PostgreSQL for the engine instead of PGlite (required with --production)
  FAUNA_SECRET   the engine's admin secret
  any variable of the functions (README, "Environment variables"), e.g. EMAILS_PER_ADDRESS_PER_HOUR,
  SITE_NAME or JWT_SECRETS. In development it overrides the generous limits printed at start.`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_SECRET = 'secret';

function readOptions(argv: string[], env: NodeJS.ProcessEnv): StackOptions {
  try {
    return optionsFrom(argv, env);
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`, { cause: err });
  }
}

function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): StackOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8888' },
      'engine-port': { type: 'string', default: '8443' },
      'mailbox-port': { type: 'string', default: '8025' },
      data: { type: 'string', default: '.data' },
      secret: { type: 'string', default: env.FAUNA_SECRET?.trim() || DEFAULT_SECRET },
      production: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      'no-edge': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    mode: values.production ? 'production' : 'development',
    root: ROOT,
    sitePort: port(values.port, '--port'),
    enginePort: port(values['engine-port'], '--engine-port'),
    mailboxPort: port(values['mailbox-port'], '--mailbox-port'),
    dataDir: path.resolve(ROOT, values.data),
    secret: values.secret,
    edgeFunctions: !values['no-edge'],
    databaseUrl: env.DATABASE_URL?.trim() || null,
    env,
    log: (line) => console.log(line),
  };
}

function port(raw: string, flag: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`${flag} must be a port number, not '${raw}'.`);
  return value;
}

/** The default secret is printed (the README names it); any other only by its first two characters. */
export function maskSecret(secret: string): string {
  if (secret === DEFAULT_SECRET) return `'${secret}'`;
  return `'${secret.slice(0, 2)}…' (${secret.length} characters)`;
}

/** A PostgreSQL URL without its password. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(DATABASE_URL, not a URL)';
  }
}

function printStart(options: StackOptions): void {
  if (options.mode === 'production') {
    console.log(`dev: rehearsing production: NODE_ENV=production, the engine in every function on ${redactUrl(options.databaseUrl ?? '')}`);
    return;
  }
  const limits = Object.entries(devLimits(options.env))
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
  console.log(`dev: development rate limits (production keeps its defaults): ${limits}`);
}

function printReady(stack: Stack, options: StackOptions, seconds: number): void {
  console.log('');
  console.log(`Ready in ${seconds.toFixed(1)} s${options.mode === 'production' ? ' (production rehearsal)' : ''}`);
  console.log(`  Site:    ${stack.siteUrl}`);
  console.log(`  Mailbox: ${stack.mailboxUrl}`);
  if (stack.engineUrl !== null) {
    const storage = options.databaseUrl === null
      ? `PGlite in ${path.relative(ROOT, path.join(options.dataDir, 'engine')) || '.'}`
      : `PostgreSQL at ${redactUrl(options.databaseUrl)}`;
    console.log(`  Engine:  ${stack.engineUrl} (${storage}, admin secret ${maskSecret(options.secret)})`);
  } else {
    console.log(`  Engine:  in-process in each function, on PostgreSQL at ${redactUrl(options.databaseUrl ?? '')}`);
  }
  if (stack.filledIn.length > 0) {
    console.log(`  Set for this rehearsal only (on Netlify, set them yourself): ${stack.filledIn.join(', ')}`);
  }
  console.log('Ctrl-C stops everything.');
}

/**
 * One Ctrl-C reaches the launcher more than once: the terminal signals the whole foreground
 * group, and npm and tsx each pass it on to their child as well. Signals this close to the
 * first one are that same Ctrl-C.
 */
const SAME_CTRL_C_MS = 1_000;

/** The first Ctrl-C stops the stack in order; another one, later, kills what is left and exits. */
function stopOnSignals(stack: Stack): void {
  let stopping = false;
  let firstAt = 0;
  const stop = (signal: string): void => {
    if (stopping) {
      if (performance.now() - firstAt < SAME_CTRL_C_MS) return;
      terminateAll('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    firstAt = performance.now();
    console.log(`\n${signal}: stopping netlify dev, the mailbox and the engine`);
    stack.stop().then(
      () => {
        console.log('dev: everything stopped');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(`dev: could not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  void stack.childExited.then(async (name) => {
    if (stopping) return;
    stopping = true;
    console.error(`dev: ${name} stopped unexpectedly; stopping the rest`);
    await stack.stop();
    process.exit(1);
  });
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const options = readOptions(process.argv.slice(2), process.env);
  printStart(options);
  // Until the stack is up, a Ctrl-C must still stop what was already started.
  let abort = (): void => {
    console.log('\ndev: interrupted while starting; stopping what had started');
    terminateAll();
    process.exit(130);
  };
  process.once('SIGINT', () => abort());
  process.once('SIGTERM', () => abort());
  const stack = await startStack(options);
  abort = (): void => {};
  stopOnSignals(stack);
  printReady(stack, options, (performance.now() - startedAt) / 1000);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    terminateAll();
    console.error(`dev: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
