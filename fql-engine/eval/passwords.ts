/**
 * Password hashing for `credentials`: bcrypt through @node-rs/bcrypt (native, off the main
 * thread). bcrypt reads at most 72 bytes; a longer password is refused rather than cut.
 */

import { hash, verify } from '@node-rs/bcrypt';
import { FaunaError } from '../errors.ts';

const BCRYPT_MAX_BYTES = 72;

export async function hashPassword(password: string, cost: number): Promise<string> {
  if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) {
    throw new FaunaError('validation failed', `A password may be at most ${BCRYPT_MAX_BYTES} bytes.`, ['params', 'credentials', 'password']);
  }
  return hash(password, cost);
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  if (Buffer.byteLength(password) > BCRYPT_MAX_BYTES) return false;
  try {
    return await verify(password, stored);
  } catch {
    return false;
  }
}

/** One decoy hash per bcrypt cost, made once per process. */
const decoyHashes: Record<number, Promise<string>> = {};

/**
 * The bcrypt work of one query, remembered across its attempts. On PostgreSQL a transaction
 * that meets a serialization failure runs again; redoing ~50 ms of bcrypt every time would keep
 * each attempt open long enough to fail again. A hash made for a password is good whichever
 * attempt made it, and a check's answer depends only on its inputs.
 */
export class PasswordWork {
  private readonly hashes = new Map<string, Promise<string>>();
  private readonly checks = new Map<string, Promise<boolean>>();

  constructor(private readonly cost: number) {}

  hash(password: string): Promise<string> {
    let hashed = this.hashes.get(password);
    if (hashed === undefined) {
      hashed = hashPassword(password, this.cost);
      this.hashes.set(password, hashed);
    }
    return hashed;
  }

  /**
   * A check that cannot succeed, made as slow as a real one: Identify on a document without a
   * password must not answer faster than a wrong password, or its timing tells them apart.
   */
  async decoy(password: string): Promise<false> {
    decoyHashes[this.cost] ??= hashPassword('decoy password, matched by nothing', this.cost);
    await this.matches(password, await decoyHashes[this.cost]);
    return false;
  }

  matches(password: string, stored: string): Promise<boolean> {
    const key = `${stored}\u0000${password}`;
    let answer = this.checks.get(key);
    if (answer === undefined) {
      answer = passwordMatches(password, stored);
      this.checks.set(key, answer);
    }
    return answer;
  }
}
