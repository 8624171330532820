/**
 * Input checks for the auth API: one place decides what an email address, a name and an
 * acceptable password are, and each refusal is an HttpError with the API's code.
 *
 * Addresses (issue 19, item 11) are refused when they hold what a person cannot see or compare:
 * control and format characters (zero-width, bidi overrides, which reorder what is shown) and
 * lone surrogates. An address whose local part, or one of whose domain labels, mixes scripts the
 * way look-alikes do (a Cyrillic "а" among Latin letters) is refused with its own code,
 * `mixed_script_email`, after Unicode's "highly restrictive" profile (UTS #39): one script per
 * part, or Latin with Han and the Japanese, Chinese or Korean scripts written beside it.
 * Addresses are compared in NFC, lower-cased.
 *
 * Passwords are hashed in NFC, so that the same characters typed on another keyboard match;
 * `passwordCandidates` gives a login the raw form too, which hashes made before NFC used.
 */

import type { Config } from './config.ts';
import { HttpError } from './errors.ts';

const MAX_EMAIL_LENGTH = 254;
/** Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. Delivery is the real check. */
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

/**
 * Control (Cc) and format (Cf: zero-width, bidi marks and overrides, BOM, soft hyphen)
 * characters, and lone surrogates (Cs: with the u flag, an unpaired half is its own code point).
 */
const INVISIBLE_RE = /[\p{Cc}\p{Cf}\p{Cs}]/u;

/** The address, trimmed, in NFC and lower-cased; or 400 invalid_email, or 400 mixed_script_email. */
export function normalizeEmail(raw: unknown): string {
  if (typeof raw !== 'string') throw new HttpError('invalid_email', { message: 'An email address is required.' });
  const trimmed = raw.trim();
  if (INVISIBLE_RE.test(trimmed)) {
    throw new HttpError('invalid_email', { message: 'The email address holds invisible or control characters.' });
  }
  const email = trimmed.normalize('NFC').toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(email)) throw new HttpError('invalid_email', { message: 'That is not a valid email address.' });
  const [local, domain] = email.split('@');
  if ([local, ...domain.split('.')].some(mixesScripts)) {
    throw new HttpError('mixed_script_email', {
      message: 'The email address mixes alphabets (for example a Cyrillic letter among Latin ones). Type it again.',
    });
  }
  return email;
}

/** Scripts that have letters look-alike to other scripts' letters, or that UTS #39 lets combine. */
const SCRIPTS = [
  'Latin',
  'Greek',
  'Cyrillic',
  'Armenian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Georgian',
  'Hangul',
  'Ethiopic',
  'Cherokee',
  'Khmer',
  'Mongolian',
  'Hiragana',
  'Katakana',
  'Bopomofo',
  'Han',
  'Coptic',
  'Glagolitic',
].map((name) => ({ name, re: new RegExp(`\\p{Script=${name}}`, 'u') }));

/** UTS #39 "highly restrictive": besides one script alone, only these sets may mix. */
const ALLOWED_MIXES: readonly ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

function scriptOf(letter: string): string {
  // Scripts not listed share one name: they are rare in addresses, and mixing two of them is not
  // told apart from using one.
  return SCRIPTS.find((s) => s.re.test(letter))?.name ?? 'other';
}

/** Whether the letters of `part` belong to more scripts than one place may honestly mix. */
function mixesScripts(part: string): boolean {
  const scripts = new Set((part.match(/\p{L}/gu) ?? []).map(scriptOf));
  if (scripts.size <= 1) return false;
  return !ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)));
}

/** Control characters and bidi controls, which could reorder or hide text around a name. */
const NAME_STRIP_RE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/** A person's name as shown back to them: no control or bidi characters, trimmed. */
export function cleanName(raw: string): string {
  return raw.replace(NAME_STRIP_RE, '').trim();
}

/**
 * The password in NFC, or 400 weak_password: too short, or longer than bcrypt can read.
 * Every new password is stored this way.
 */
export function checkPassword(raw: unknown, config: Config): string {
  if (typeof raw !== 'string') throw new HttpError('weak_password', { message: 'A password is required.' });
  const password = raw.normalize('NFC');
  if ([...password].length < config.passwordMinLength) {
    throw new HttpError('weak_password', { message: `Use at least ${config.passwordMinLength} characters.` });
  }
  if (Buffer.byteLength(password) > config.passwordMaxBytes) {
    throw new HttpError('weak_password', {
      message: `Use at most ${config.passwordMaxBytes} bytes; in a long passphrase, accented letters such as é count 2 bytes each.`,
    });
  }
  return password;
}

/**
 * What to try for a password someone types to prove who they are: its NFC form, which every
 * password set from now on is stored in, then the form as typed, for hashes made before.
 */
export function passwordCandidates(typed: string): readonly string[] {
  const nfc = typed.normalize('NFC');
  return nfc === typed ? [typed] : [nfc, typed];
}

/** A string field of a request body, or 400 invalid_body. */
export function stringField(body: Readonly<Record<string, unknown>>, name: string, options: { readonly maxLength?: number } = {}): string {
  const value = body[name];
  const max = options.maxLength ?? 1024;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new HttpError('invalid_body', { message: `'${name}' must be a non-empty string of at most ${max} characters.` });
  }
  return value;
}
