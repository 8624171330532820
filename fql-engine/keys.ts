/**
 * Key secrets. A secret names where its key lives (database and key id) so it can be found
 * with one read, and carries 24 random bytes. Only its SHA-256 is stored; the secret is
 * shown once, when the key is created, and checked in constant time.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DbId } from './storage/types.ts';

export interface SecretLocation {
  readonly db: DbId;
  /** A key's secret or a token's. */
  readonly kind: 'keys' | 'tokens';
  readonly id: string;
}

export function makeSecret(location: SecretLocation): string {
  const db = Buffer.from(location.db).toString('base64url');
  const marker = location.kind === 'tokens' ? 't' : 'k';
  return `fn${db}.${marker}${location.id}.${randomBytes(24).toString('base64url')}`;
}

export function parseSecret(secret: string): SecretLocation | null {
  if (!secret.startsWith('fn')) return null;
  const parts = secret.slice(2).split('.');
  const where = /^([kt])(\d+)$/.exec(parts[1] ?? '');
  if (parts.length !== 3 || !where) return null;
  const db = Buffer.from(parts[0], 'base64url').toString();
  // A database id is `root` or digits (ids.ts); anything else is no secret of ours, and must
  // not reach storage (a NUL byte, say, is an error there, not a miss).
  if (!/^(root|\d{1,30})$/.test(db)) return null;
  return { db, kind: where[1] === 't' ? 'tokens' : 'keys', id: where[2] };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret against a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
