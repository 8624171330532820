/**
 * The `fql-engine` command (`npm run db`) as a user runs it: a real process, a real port, real
 * signals. The process is started as `node --import tsx cli.ts` rather than through `npx tsx`,
 * so that the signals the test sends reach the CLI itself and not a wrapper that relays them.
 * test/package.test.ts runs the published build of it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** The package's directory, where the command runs from (and finds tsx). */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../cli.ts', import.meta.url));
const STARTUP_MS = 30_000;
/** "Promptly": a clean shutdown of an idle server is well under this. */
const SHUTDOWN_MS = 5_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

interface RunningCli {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
}

const started: ChildProcess[] = [];

afterEach(() => {
  // Only the processes this file started, by their own handle.
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function runCli(args: readonly string[]): RunningCli {
  const env = { ...process.env };
  // The cases choose their storage by flag; an inherited DATABASE_URL must not matter.
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: PACKAGE_DIR, env });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, stdout: () => out, stderr: () => err };
}

/** The URL from the start-up line, or a failure that shows what the process said. */
async function urlOf(cli: RunningCli): Promise<string> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    const match = /listening on (http:\/\/\S+)/.exec(cli.stdout());
    if (match) return match[1];
    if (cli.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no URL printed.\nstdout: ${cli.stdout()}\nstderr: ${cli.stderr()}`);
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('npm run db (fql-engine/cli.ts)', () => {
  it('prints its URL, answers GET /ping, and exits 0 promptly on SIGTERM', async () => {
    const cli = runCli(['--memory', '--port', '0', '--secret', 'cli-test']);
    const url = await urlOf(cli);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cli.stdout()).toMatch(/PGlite/);
    expect(cli.stdout()).toMatch(/in memory/);
    const ping = await fetch(`${url}/ping`);
    expect(ping.status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await within(cli.exited, SHUTDOWN_MS, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on SIGINT too', async () => {
    const cli = runCli(['--memory', '--port', '0']);
    await urlOf(cli);
    cli.child.kill('SIGINT');
    expect(await within(cli.exited, SHUTDOWN_MS, 'exit after SIGINT')).toEqual({ code: 0, signal: null });
  });

  it('refuses a data directory another CLI holds, with a clear message', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fql-cli-'));
    try {
      const first = runCli(['--data', dataDir, '--port', '0']);
      const url = await urlOf(first);
      expect(first.stdout()).toContain(dataDir);
      const second = runCli(['--data', dataDir, '--port', '0']);
      const exit = await within(second.exited, STARTUP_MS, 'the second CLI giving up');
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(second.stderr()).toMatch(/in use|another process|locked/i);
      expect(second.stdout()).not.toMatch(/listening on/);
      // The first one is unharmed by the attempt.
      expect((await fetch(`${url}/ping`)).status).toBe(200);
      first.child.kill('SIGTERM');
      expect(await within(first.exited, SHUTDOWN_MS, 'exit after SIGTERM')).toEqual({ code: 0, signal: null });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('reports a port that is taken and exits non-zero', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const cli = runCli(['--memory', '--port', String(port)]);
      const exit = await within(cli.exited, STARTUP_MS, 'the CLI giving up');
      expect(exit.code).toBe(1);
      expect(cli.stderr()).toMatch(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('answers a bad flag with the usage and exit code 2', async () => {
    const cli = runCli(['--bogus']);
    const exit = await within(cli.exited, STARTUP_MS, 'the CLI refusing');
    expect(exit).toEqual({ code: 2, signal: null });
    expect(cli.stderr()).toMatch(/unknown argument: --bogus/);
    expect(cli.stderr()).toMatch(/Usage: fql-engine/);
    expect(cli.stdout()).toBe('');
  });
});
