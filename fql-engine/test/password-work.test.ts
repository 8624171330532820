/**
 * bcrypt is done once per query, not once per attempt: a transaction retried after a
 * serialization failure reuses the hash and the checks of its earlier attempts.
 */

import { verify } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { PasswordWork } from '../eval/passwords.ts';

describe('PasswordWork', () => {
  it('hashes a password once, and the hash verifies', async () => {
    const work = new PasswordWork(4);
    const first = await work.hash('correct horse');
    expect(await work.hash('correct horse')).toBe(first);
    expect(await verify('correct horse', first)).toBe(true);
    const other = await work.hash('battery staple');
    expect(other).not.toBe(first);
  });

  it('a decoy check is a real bcrypt check against a hash of the same cost, and never succeeds', async () => {
    const work = new PasswordWork(4);
    const checked: string[] = [];
    const original = work.matches.bind(work);
    work.matches = (password, stored) => {
      checked.push(stored);
      return original(password, stored);
    };
    expect(await work.decoy('decoy password, matched by nothing')).toBe(false);
    expect(await work.decoy('anything')).toBe(false);
    expect(checked).toHaveLength(2);
    // A bcrypt hash of the work's own cost, so a decoy takes as long as a real check.
    expect(checked[0]).toMatch(/^\$2[aby]\$04\$/);
    expect(checked[1]).toBe(checked[0]);
  });

  it('answers a check once per password and hash, right and wrong alike', async () => {
    const work = new PasswordWork(4);
    const stored = await new PasswordWork(4).hash('correct horse');
    const right = work.matches('correct horse', stored);
    const wrong = work.matches('wrong horse', stored);
    expect(await right).toBe(true);
    expect(await wrong).toBe(false);
    // The same answer, not a second bcrypt: the very promise of the first check.
    expect(work.matches('correct horse', stored)).toBe(right);
    expect(work.matches('wrong horse', stored)).toBe(wrong);
    expect(new PasswordWork(4).matches('correct horse', stored)).not.toBe(right);
  });

  it('still refuses a password over 72 bytes, on every attempt', async () => {
    const work = new PasswordWork(4);
    const long = 'x'.repeat(73);
    await expect(work.hash(long)).rejects.toThrow(/72 bytes/);
    await expect(work.hash(long)).rejects.toThrow(/72 bytes/);
  });
});
