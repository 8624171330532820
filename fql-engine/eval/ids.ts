/**
 * Document ids, as Fauna makes them: decimal strings of a 63-bit number that grows with
 * time. The low bits are random so that several processes on one PostgreSQL database do not
 * collide; an insert that still collides is retried with a fresh id by the caller.
 */

import { randomInt } from 'node:crypto';

const EPOCH_MS = 1_577_836_800_000n; // 2020-01-01: keeps ids at Fauna's usual 18 digits
let last = 0n;

export function newId(): string {
  const ms = BigInt(Date.now()) - EPOCH_MS;
  let id = (ms << 22n) | BigInt(randomInt(0, 1 << 22));
  if (id <= last) id = last + 1n;
  last = id;
  return id.toString();
}

/** Fauna document ids are decimal strings of a positive 64-bit integer. */
export function isValidDocId(id: string): boolean {
  return /^\d{1,19}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n && BigInt(id) > 0n;
}

/** Orders numeric ids numerically under bytewise comparison. */
export function docOrderKey(id: string): string {
  return id.padStart(20, '0');
}
