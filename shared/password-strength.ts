/**
 * How guessable a new password is, with zxcvbn-ts (MIT; the estimator Dropbox published, kept as
 * TypeScript): it knows tens of thousands of common passwords, names and words, keyboard walks,
 * dates, repeats and l33t spellings, all offline. A password it scores below 3 of 4 ("safely
 * unguessable") is refused with 400 weak_password and its advice.
 *
 * The dictionaries are big (about 1.5 MB), so they are loaded once per process, on the first
 * password to check, and only the modules that set passwords (register, reset, change) import
 * this one.
 */

import type { ZxcvbnFactory, ZxcvbnResult } from '@zxcvbn-ts/core';
import { HttpError } from './errors.ts';

/** zxcvbn's scale: 0 too guessable … 4 very unguessable. 3 is "safely unguessable" (about 10^10 guesses). */
export const MIN_SCORE = 3;

export interface Strength {
  /** 0 … 4 */
  readonly score: number;
  readonly ok: boolean;
  /** zxcvbn's warning, or '' */
  readonly warning: string;
  readonly suggestions: readonly string[];
}

let factory: Promise<ZxcvbnFactory> | undefined;

function estimator(): Promise<ZxcvbnFactory> {
  factory ??= (async () => {
    const [{ ZxcvbnFactory: Factory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ]);
    return new Factory({
      dictionary: { ...common.dictionary, ...en.dictionary },
      graphs: common.adjacencyGraphs,
      translations: en.translations,
    });
  })();
  return factory;
}

/** The strength of `password`; `related` are words of the account (its address) that make a password easier to guess. */
export async function passwordStrength(password: string, related: readonly string[] = []): Promise<Strength> {
  const result: ZxcvbnResult = (await estimator()).check(password, [...related]);
  return {
    score: result.score,
    ok: result.score >= MIN_SCORE,
    warning: result.feedback.warning ?? '',
    suggestions: result.feedback.suggestions,
  };
}

/** 400 weak_password with zxcvbn's advice when the password is too easy to guess. */
export async function assertStrongPassword(password: string, related: readonly string[] = []): Promise<void> {
  const strength = await passwordStrength(password, related);
  if (strength.ok) return;
  const advice = [strength.warning, ...strength.suggestions].filter((s) => s !== '').join(' ');
  throw new HttpError('weak_password', {
    message: `This password is too easy to guess.${advice === '' ? '' : ` ${advice}`} A few unrelated words make a strong one.`,
  });
}

/** The words of an address that a password should not lean on: its local part and its domain's name. */
export function addressWords(email: string): string[] {
  const [local = '', domain = ''] = email.split('@');
  return [email, local, domain.split('.')[0] ?? ''].filter((w) => w.length > 0);
}
