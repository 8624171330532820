/**
 * `npm run dev`: the whole stack on this machine, with no account and no internet: the FQL
 * engine on PGlite under .data/engine, the schema, the mailbox (.data/mailbox) and
 * `netlify dev` serving public/ and functions/. Prints the site and mailbox URLs once
 * /api/health answers. Ctrl-C (or SIGTERM) stops everything; a second start keeps the data.
 *
 *   npm run dev -- [--port 8888] [--engine-port 8443] [--mailbox-port 8025] [--data .data] [--secret secret]
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { terminateAll } from './launcher/child.ts';
import { startStack, type Stack, type StackOptions } from './launcher/stack.ts';

const USAGE = 'usage: npm run dev -- [--port 8888] [--engine-port 8443] [--mailbox-port 8025] [--data .data] [--secret secret]';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
      secret: { type: 'string', default: env.FAUNA_SECRET?.trim() || 'secret' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    root: ROOT,
    sitePort: port(values.port, '--port'),
    enginePort: port(values['engine-port'], '--engine-port'),
    mailboxPort: port(values['mailbox-port'], '--mailbox-port'),
    dataDir: path.resolve(ROOT, values.data),
    secret: values.secret,
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

function printReady(stack: Stack, options: StackOptions, seconds: number): void {
  const storage = options.databaseUrl === null ? `PGlite in ${path.relative(ROOT, path.join(options.dataDir, 'engine')) || '.'}` : 'PostgreSQL (DATABASE_URL)';
  console.log('');
  console.log(`Ready in ${seconds.toFixed(1)} s`);
  console.log(`  Site:    ${stack.siteUrl}`);
  console.log(`  Mailbox: ${stack.mailboxUrl}`);
  console.log(`  Engine:  ${stack.engineUrl} (${storage}, admin secret '${options.secret}')`);
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

main().catch((err: unknown) => {
  terminateAll();
  console.error(`dev: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
