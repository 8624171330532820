/**
 * One PGlite data directory belongs to one process.
 *
 * PGlite is a single-user Postgres with no shared memory between processes: two processes
 * on one directory each keep their own buffers and overwrite each other's pages, losing
 * writes without an error. So a file-backed directory is locked by a file holding the
 * owner's pid, created with O_EXCL ('wx'). A lock whose pid is dead is stale (the owner
 * crashed or was killed) and is taken over; a live one refuses the opener. A zombie counts as
 * dead: right after a `kill -9` the process exists until its parent reaps it, but it holds no
 * files and runs no code, so an immediate restart must not wait for the reaping.
 */

import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StorageError } from './types.ts';

export const LOCK_FILE_NAME = 'fql-engine.lock';

/** A lock file created with 'wx' is empty for an instant before its pid is written. */
const EMPTY_LOCK_RETRIES = 10;
const EMPTY_LOCK_WAIT_MS = 50;

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

/** Locks held by this process, released on exit even when close() was never called. */
const held = new Set<string>();
let exitHookInstalled = false;

/** Takes the lock of `dir` (which must exist) or throws StorageError('data_dir_locked'). */
export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const path = join(dir, LOCK_FILE_NAME);
  // A few rounds: each failed round means a stale lock was just removed, or another process raced us.
  for (let round = 0; round < 5; round += 1) {
    if (tryCreate(path)) return holdLock(path);
    const holder = await readHolder(path);
    if (holder === null) continue;
    if (holder.pid !== null && isAlive(holder.pid)) throw lockedError(dir, path, holder.pid);
    removeIfUnchanged(path, holder.content);
  }
  throw new StorageError('data_dir_locked', `could not take the lock ${path} of PGlite data directory ${dir}: other processes keep racing for it`);
}

function tryCreate(path: string): boolean {
  try {
    writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
    return true;
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false;
    throw error;
  }
}

/** The lock file's content and pid (null if it never got one); null if the file is gone. */
async function readHolder(path: string): Promise<{ content: string; pid: number | null } | null> {
  let content: string | null = null;
  for (let attempt = 0; attempt < EMPTY_LOCK_RETRIES; attempt += 1) {
    content = readLock(path);
    if (content === null) return null;
    if (/^\d+$/.test(content.trim())) return { content, pid: Number(content.trim()) };
    await sleep(EMPTY_LOCK_WAIT_MS);
  }
  return { content: content ?? '', pid: null };
}

function readLock(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/** Signal 0 only checks the process exists; EPERM means it exists under another user. */
function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return errorCode(error) === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * Whether the process has exited and waits only to be reaped (state Z, or X while it goes).
 * Linux tells through /proc/<pid>/stat, whose state follows the name in parentheses (the name
 * may itself hold ') '); where there is no /proc, nothing is known and the process counts as live.
 */
export function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state === 'Z' || state === 'X';
}

/**
 * Removes a stale lock, unless it changed since it was read (another opener took it over
 * first). Between the read and the unlink there is still a tiny window; the next round's
 * O_EXCL create is what finally decides who holds the lock.
 */
function removeIfUnchanged(path: string, staleContent: string): void {
  if (readLock(path) === staleContent) unlinkQuietly(path);
}

function holdLock(path: string): DataDirLock {
  held.add(path);
  installExitHook();
  let released = false;
  return {
    path,
    release(): void {
      if (released) return;
      released = true;
      held.delete(path);
      releaseFile(path);
    },
  };
}

function releaseFile(path: string): void {
  // Only our own lock: if it was taken over after all, it belongs to someone else now.
  if (readLock(path)?.trim() === String(process.pid)) unlinkQuietly(path);
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const path of held) releaseFile(path);
    held.clear();
  });
}

function lockedError(dir: string, path: string, pid: number): StorageError {
  const who = pid === process.pid ? `this process (pid ${pid})` : `process ${pid}`;
  return new StorageError(
    'data_dir_locked',
    `PGlite data directory ${dir} is in use by ${who}. A data directory belongs to one process at a time: ` +
      `stop the other process or use another directory. If no process ${pid} is using it, delete ${path}.`,
  );
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
