/**
 * A child process of the launcher: its output goes to the terminal with a name in front of
 * each line, and it can be stopped with its whole process tree.
 *
 * Children run in their own process group (`detached`), so a Ctrl-C in the terminal reaches
 * only the launcher, which then stops them in order: `netlify dev` first (it stops sending
 * queries), then the engine (it closes its PGlite directory cleanly).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Where each line of output goes (already prefixed with the name). */
  readonly log: (line: string) => void;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** Resolves when the process has exited, with its code (or the signal's name). */
  readonly exited: Promise<string>;
  /** The last lines it printed, to explain a failure. */
  lastLines(): readonly string[];
  /** SIGTERM to its process group; SIGKILL after `graceMs`. Resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const KEPT_LINES = 30;

/** Process groups started and not yet exited: what `terminateAll` must not leave behind. */
const running = new Set<number>();

/**
 * Signals every child still running, without waiting: for a launcher that must exit now (a
 * Ctrl-C while the stack is still starting, or a second one while it stops). With SIGTERM each
 * child still shuts itself down cleanly.
 */
export function terminateAll(signal: NodeJS.Signals = 'SIGTERM'): void {
  for (const pid of running) signalGroup(pid, signal);
}

export function startChild(options: ChildOptions): Child {
  const proc = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not start ${options.name}: ${options.command}`);
  const kept: string[] = [];
  const onLine = (line: string): void => {
    kept.push(line);
    if (kept.length > KEPT_LINES) kept.shift();
    options.log(`[${options.name}] ${line}`);
  };
  pipeLines(proc, onLine);
  const exited = new Promise<string>((resolve) => {
    proc.once('exit', (code, signal) => resolve(signal ?? String(code)));
    proc.once('error', (err) => resolve(`error: ${err.message}`));
  });
  const pid = proc.pid;
  running.add(pid);
  void exited.then(() => running.delete(pid));
  return { name: options.name, pid, exited, lastLines: () => [...kept], stop: (graceMs = 10_000) => stopGroup(pid, exited, graceMs) };
}

function pipeLines(proc: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [proc.stdout, proc.stderr]) {
    if (stream === null) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
  }
}

async function stopGroup(pid: number, exited: Promise<string>, graceMs: number): Promise<void> {
  if (!signalGroup(pid, 'SIGTERM')) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signalGroup(pid, 'SIGKILL');
    await exited;
  }
  // The leader may be gone while workers it started are not: they share its group.
  signalGroup(pid, 'SIGKILL');
}

/** False when the group no longer exists. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Polls `url` until it answers `expectStatus`, the child exits, or `timeoutMs` passes. */
export async function waitForUrl(url: string, child: Child, options: { timeoutMs: number; expectStatus?: number }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  // Set by the callback below; `as` keeps TypeScript from narrowing it to null for good.
  let exited = null as string | null;
  void child.exited.then((how) => {
    exited = how;
  });
  for (;;) {
    if (exited !== null) throw new ChildFailed(child, `${child.name} exited (${exited}) before ${url} answered`);
    if (await answers(url, options.expectStatus ?? 200)) return;
    if (Date.now() > deadline) throw new ChildFailed(child, `${url} did not answer within ${Math.round(options.timeoutMs / 1000)} s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answers(url: string, status: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status === status;
  } catch {
    return false;
  }
}

/** A child that failed to come up; the message ends with what it printed last. */
export class ChildFailed extends Error {
  constructor(child: Child, what: string) {
    const tail = child.lastLines();
    super(tail.length === 0 ? what : `${what}. Its last output:\n  ${tail.join('\n  ')}`);
    this.name = 'ChildFailed';
  }
}
