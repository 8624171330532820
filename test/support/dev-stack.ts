/**
 * Runs the real `npm run dev` (engine, schema, mailbox, `netlify dev`) on free ports with its
 * own data directory, the way a developer does, and stops it the way they do: a SIGINT to the
 * whole terminal process group, which is what Ctrl-C sends.
 */

import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { unusedPort } from './ports.ts';

export interface DevStack {
  readonly siteUrl: string;
  readonly mailboxUrl: string;
  /** Null for `--production`, where each function runs the engine in-process. */
  readonly engineUrl: string | null;
  readonly ports: { readonly site: number; readonly engine: number; readonly mailbox: number };
  /** The process `npm run dev` runs as: the root of the stack's process tree. */
  readonly pid: number;
  /** Seconds from the spawn of `npm run dev` to its "Ready" line. */
  readonly readySeconds: number;
  /** Everything the command printed so far. */
  output(): string;
  /**
   * Ctrl-C: SIGINT to the terminal's process group. Resolves once every process of that group
   * has exited (npm itself may end at once, by the signal, while the launcher still stops its
   * children), with whether that happened in time.
   */
  interrupt(): Promise<{ groupGone: boolean }>;
}

const READY_TIMEOUT_MS = 360_000;
const STOP_TIMEOUT_MS = 45_000;

/**
 * Settings the flows need: several emails to one address in a row, room for every request of
 * the run coming from one IP address (127.0.0.1), and a short refresh grace.
 */
export const E2E_ENV: Readonly<Record<string, string>> = {
  EMAIL_MIN_INTERVAL_SECONDS: '0',
  EMAILS_PER_ADDRESS_PER_HOUR: '100',
  EMAILS_PER_IP_PER_HOUR: '1000',
  LOGIN_MAX_FAILURES_PER_IP: '1000',
  REFRESH_GRACE_SECONDS: '2',
};

export interface DevStackOptions {
  /** More flags for `npm run dev`, e.g. `--production`. */
  readonly args?: readonly string[];
  /** DATABASE_URL for the stack; without it, DATABASE_URL is taken out of its environment. */
  readonly databaseUrl?: string;
}

/** `env` goes on top of this process's environment. */
export async function startDevStack(
  root: string,
  dataDir: string,
  env: Readonly<Record<string, string>> = E2E_ENV,
  options: DevStackOptions = {},
): Promise<DevStack> {
  const ports = { site: await unusedPort(), engine: await unusedPort(), mailbox: await unusedPort() };
  const flags = [
    '--port',
    String(ports.site),
    '--engine-port',
    String(ports.engine),
    '--mailbox-port',
    String(ports.mailbox),
    '--data',
    dataDir,
    ...(options.args ?? []),
  ];
  const args = ['run', 'dev', '--', ...flags];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete childEnv.DATABASE_URL;
  if (options.databaseUrl !== undefined) childEnv.DATABASE_URL = options.databaseUrl;
  const startedAt = performance.now();
  // detached: its own process group, like a terminal's foreground job.
  const child = spawn('npm', args, { cwd: root, env: childEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // 'close', not 'exit': it waits for every process holding the output pipes (the launcher too).
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const pid = child.pid ?? 0;
  const interrupt = async (): Promise<{ groupGone: boolean }> => {
    signal(pid, 'SIGINT');
    await exited;
    return { groupGone: await groupGone(pid, STOP_TIMEOUT_MS) };
  };
  try {
    await waitForReady(() => output, exited);
  } catch (err) {
    await interrupt();
    throw err;
  }
  const readySeconds = (performance.now() - startedAt) / 1000;
  return {
    siteUrl: printedUrl(output, 'Site'),
    mailboxUrl: printedUrl(output, 'Mailbox'),
    engineUrl: /^\s+Engine:\s+http/m.test(output) ? printedUrl(output, 'Engine') : null,
    ports,
    pid,
    readySeconds,
    output: () => output,
    interrupt,
  };
}

function signal(groupLeader: number, name: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-groupLeader, name);
    return true;
  } catch {
    return false; // no process left in the group
  }
}

async function groupGone(groupLeader: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (signal(groupLeader, 0)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

async function waitForReady(output: () => string, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!/^Ready in /m.test(output())) {
    if (done) throw new Error(`npm run dev exited before it was ready:\n${output()}`);
    if (Date.now() > deadline) throw new Error(`npm run dev was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function printedUrl(output: string, label: string): string {
  const match = new RegExp(`^\\s+${label}:\\s+(http://\\S+)`, 'm').exec(output);
  if (!match) throw new Error(`npm run dev printed no ${label} URL:\n${output}`);
  return match[1];
}

/** True when something accepts connections on 127.0.0.1:port. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
