/**
 * Where accepted messages live: in memory, or one JSON file per message under a directory so
 * that a restarted `npm run dev` still shows yesterday's links. Either way an in-memory index
 * answers reads; the directory is read once, at start.
 *
 * A file is written to a temporary name and renamed into place, so a crash mid-write leaves
 * either the whole message or none of it, never a half file that breaks the next start.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MESSAGE_ID_PATTERN, type MessageDraft, type StoredMessage } from './message.ts';

export interface MessageStore {
  add(draft: MessageDraft): Promise<StoredMessage>;
  /** Newest first. */
  list(): StoredMessage[];
  get(id: string): StoredMessage | undefined;
  clear(): Promise<void>;
}

/** A store kept under `dir` (created if missing), or in memory when `dir` is undefined. */
export async function openStore(dir: string | undefined): Promise<MessageStore> {
  const index = new Map<string, StoredMessage>();
  if (dir !== undefined) {
    await mkdir(dir, { recursive: true });
    for (const message of await readMessages(dir)) index.set(message.id, message);
  }
  let lastSequence = Math.max(0, ...[...index.values()].map((m) => m.sequence));
  return {
    async add(draft) {
      const message: StoredMessage = { id: randomUUID(), sequence: ++lastSequence, receivedAt: new Date().toISOString(), ...draft };
      if (dir !== undefined) await writeAtomically(join(dir, `${message.id}.json`), JSON.stringify(message, null, 2));
      index.set(message.id, message);
      return message;
    },
    list: () => [...index.values()].sort((a, b) => b.sequence - a.sequence),
    get: (id) => index.get(id),
    async clear() {
      const ids = [...index.keys()];
      index.clear();
      if (dir !== undefined) await Promise.all(ids.map((id) => rm(join(dir, `${id}.json`), { force: true })));
    },
  };
}

async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

async function readMessages(dir: string): Promise<StoredMessage[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.json') && MESSAGE_ID_PATTERN.test(name.slice(0, -5)));
  const messages = await Promise.all(names.map((name) => readMessage(join(dir, name), name.slice(0, -5))));
  return messages.filter((m): m is StoredMessage => m !== null);
}

/** One stored message, or null (with a warning) for a file that is not one: a start never fails on it. */
async function readMessage(path: string, id: string): Promise<StoredMessage | null> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    // The id must match the file name: clear() finds a message's file by its id.
    if (looksStored(value) && value.id === id) return value;
    console.warn(`mailbox: ignoring ${path}: not a stored message`);
  } catch (err) {
    console.warn(`mailbox: ignoring ${path}: ${(err as Error).message}`);
  }
  return null;
}

function looksStored(value: unknown): value is StoredMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.id === 'string' &&
    MESSAGE_ID_PATTERN.test(m.id) &&
    Number.isSafeInteger(m.sequence) &&
    typeof m.receivedAt === 'string' &&
    typeof m.subject === 'string' &&
    Array.isArray(m.to) &&
    Array.isArray(m.cc) &&
    Array.isArray(m.bcc)
  );
}
