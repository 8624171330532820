/**
 * Runs the mailbox on its own:
 *   tsx netlify/mailbox/cli.ts [--port 8025] [--host 127.0.0.1] [--dir .data/mailbox | --memory]
 * Prints its URL, then serves until SIGINT or SIGTERM, when it closes its connections and exits.
 */

import { parseArgs } from 'node:util';
import { startMailbox, type Mailbox } from './server.ts';

const USAGE = 'usage: tsx netlify/mailbox/cli.ts [--port 8025] [--host 127.0.0.1] [--dir .data/mailbox | --memory]';

interface CliOptions {
  readonly port: number;
  readonly host: string;
  readonly dir: string | undefined;
}

function readOptions(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8025' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: '.data/mailbox' },
      memory: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, not '${values.port}'.\n${USAGE}`);
  return { port, host: values.host, dir: values.memory ? undefined : values.dir };
}

function closeOnSignals(mailbox: Mailbox): void {
  let closing = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (closing) process.exit(1); // a second Ctrl-C means "now"
    closing = true;
    console.log(`mailbox: ${signal}, closing`);
    mailbox.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('mailbox: could not close cleanly:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const mailbox = await startMailbox(options);
  closeOnSignals(mailbox);
  const where = options.dir === undefined ? 'in memory' : `in ${options.dir}`;
  console.log(`Mailbox: ${mailbox.url} (messages kept ${where}; POSTMARK_API_URL=${mailbox.url})`);
}

main().catch((err: unknown) => {
  console.error(`mailbox: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
