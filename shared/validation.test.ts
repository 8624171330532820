import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { HttpError } from './errors.ts';
import { checkPassword, normalizeEmail, stringField } from './validation.ts';

const config = developmentConfig({});

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof HttpError ? err.code : 'not an HttpError';
  }
}

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Alice@Example.COM ')).toBe('alice@example.com');
  });

  it.each([undefined, 42, '', 'alice', 'alice@', '@example.com', 'a b@example.com', 'alice@example', '<a@b.co>', `${'a'.repeat(250)}@b.co`])(
    'refuses %j with invalid_email',
    (raw) => {
      expect(codeOf(() => normalizeEmail(raw))).toBe('invalid_email');
    },
  );
});

describe('checkPassword', () => {
  it('accepts 8 characters up to 72 bytes', () => {
    expect(checkPassword('12345678', config)).toBe('12345678');
    expect(checkPassword('x'.repeat(72), config)).toHaveLength(72);
  });

  it('refuses short, missing and over-72-byte passwords with weak_password', () => {
    expect(codeOf(() => checkPassword('1234567', config))).toBe('weak_password');
    expect(codeOf(() => checkPassword(undefined, config))).toBe('weak_password');
    expect(codeOf(() => checkPassword('x'.repeat(73), config))).toBe('weak_password');
    // 24 three-byte characters are 72 bytes; one more is over.
    expect(codeOf(() => checkPassword('€'.repeat(25), config))).toBe('weak_password');
  });
});

describe('stringField', () => {
  it('reads a string field and refuses anything else', () => {
    expect(stringField({ token: 'abc' }, 'token')).toBe('abc');
    expect(codeOf(() => stringField({ token: 5 }, 'token'))).toBe('invalid_body');
    expect(codeOf(() => stringField({}, 'token'))).toBe('invalid_body');
    expect(codeOf(() => stringField({ token: 'x'.repeat(2000) }, 'token'))).toBe('invalid_body');
  });
});
