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
