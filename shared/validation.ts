/**
 * Input checks for the auth API: one place decides what an email address and an acceptable
 * password are, and each refusal is an HttpError with the API's code.
 */

import type { Config } from './config.ts';
import { HttpError } from './errors.ts';

const MAX_EMAIL_LENGTH = 254;
/** Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. Delivery is the real check. */
const EMAIL_RE = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]{2,}$/;

/** The address, trimmed and lower-cased, or 400 invalid_email. */
export function normalizeEmail(raw: unknown): string {
  if (typeof raw !== 'string') throw new HttpError('invalid_email', 'An email address is required.');
  const email = raw.trim().toLowerCase();
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL_RE.test(email)) throw new HttpError('invalid_email', 'That is not a valid email address.');
  return email;
}

/** The password as given, or 400 weak_password: too short, or longer than bcrypt can read. */
export function checkPassword(raw: unknown, config: Config): string {
  if (typeof raw !== 'string') throw new HttpError('weak_password', 'A password is required.');
  if ([...raw].length < config.passwordMinLength) {
    throw new HttpError('weak_password', `Use at least ${config.passwordMinLength} characters.`);
  }
  if (Buffer.byteLength(raw) > config.passwordMaxBytes) {
    throw new HttpError('weak_password', `Use at most ${config.passwordMaxBytes} bytes; in a long passphrase, accented letters such as é count 2 bytes each.`);
  }
  return raw;
}

/** A string field of a request body, or 400 invalid_body. */
export function stringField(body: Readonly<Record<string, unknown>>, name: string, options: { readonly maxLength?: number } = {}): string {
  const value = body[name];
  const max = options.maxLength ?? 1024;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new HttpError('invalid_body', `'${name}' must be a non-empty string of at most ${max} characters.`);
  }
  return value;
}
