/**
 * A transaction that may only read: what a stream's expression is evaluated in (Fauna refused
 * a stream whose expression wrote anything, with the words below), and what a
 * `server-readonly` key's query runs in (engine.ts).
 */

import { FaunaError } from '../errors.ts';
import type { StorageTx } from '../storage/types.ts';

const WRITES: ReadonlySet<string> = new Set<keyof StorageTx>([
  'insertDoc',
  'putDoc',
  'deleteDoc',
  'putIndexEntries',
  'claimUnique',
  'releaseUnique',
  'drop',
  'bumpSchemaVersion',
  'publish',
]);

export function readOnly(tx: StorageTx, refuse: () => never = refuseInStream): StorageTx {
  return new Proxy(tx, {
    get(target, name, receiver): unknown {
      if (typeof name === 'string' && WRITES.has(name)) return refuse;
      const member: unknown = Reflect.get(target, name, receiver);
      return typeof member === 'function' ? (member.bind(target) as unknown) : member;
    },
  });
}

function refuseInStream(): never {
  throw new FaunaError('invalid expression', 'Call performs a write, which is not allowed in stream requests.');
}
