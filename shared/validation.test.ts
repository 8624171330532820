import { describe, expect, it } from 'vitest';
import { developmentConfig } from '../test/support/config.ts';
import { HttpError } from './errors.ts';
import { checkPassword, cleanName, normalizeEmail, passwordCandidates, stringField } from './validation.ts';

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

  // Issue 19, item 11: what a person cannot see or compare.
  it.each([
    ['a control character', 'ali\u0007ce@example.com'],
    ['a C1 control', 'alice\u0085@example.com'],
    ['a lone high surrogate', 'ali\uD800ce@example.com'],
    ['a lone low surrogate', 'alice@exa\uDC00mple.com'],
    ['a zero-width space', 'ali\u200Bce@example.com'],
    ['a zero-width joiner', 'alice@exam\u200Dple.com'],
    ['a right-to-left override', 'alice\u202E@example.com'],
    ['a bidi isolate', '\u2066alice@example.com'],
    ['a right-to-left mark', 'alice@example.com\u200F'],
  ])('refuses %s with invalid_email', (_what, raw) => {
    expect(codeOf(() => normalizeEmail(raw))).toBe('invalid_email');
  });

  it.each([
    ['a Cyrillic а among Latin letters', 'p\u0430ypal@example.com'],
    ['a Cyrillic о in the domain', 'alice@g\u043Eogle.com'],
    ['a Greek ο among Latin letters', 'b\u03BFb@example.com'],
    ['Latin and Cyrillic halves', 'ivan\u043E\u0432@example.com'],
  ])('refuses %s with mixed_script_email', (_what, raw) => {
    expect(codeOf(() => normalizeEmail(raw))).toBe('mixed_script_email');
  });

  it.each([
    ['all Cyrillic', '\u0438\u0432\u0430\u043D@\u043F\u0440\u0438\u043C\u0435\u0440.\u0440\u0444'],
    ['a Cyrillic local part at a Latin domain', '\u0438\u0432\u0430\u043D@example.com'],
    ['Japanese: Han, Hiragana, Katakana and Latin', '\u5C71\u7530\u305F\u308D\u3046\u30BFro@example.jp'],
    ['Korean and Latin', '\uD55C\uAE00kim@example.kr'],
    ['accented Latin', 'jos\u00E9@caf\u00E9.fr'],
  ])('accepts %s', (_what, raw) => {
    expect(codeOf(() => normalizeEmail(raw))).toBeUndefined();
  });

  it('compares addresses in NFC: a decomposed é is the same address as a composed one', () => {
    expect(normalizeEmail('jose\u0301@example.com')).toBe('jos\u00E9@example.com');
  });
});

describe('cleanName', () => {
  it('strips control and bidi characters, keeping joiners that scripts and emoji need', () => {
    expect(cleanName('Ann\u202E\u2066 Lee\u0000\u0007\u200F')).toBe('Ann Lee');
    expect(cleanName('\u0645\u062D\u0645\u062F\u200C\u0639\u0644\u06CC')).toBe('\u0645\u062D\u0645\u062F\u200C\u0639\u0644\u06CC');
    expect(cleanName('\u{1F469}\u200D\u{1F4BB} Ada')).toBe('\u{1F469}\u200D\u{1F4BB} Ada');
  });
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

  it('returns the password in NFC, counting and measuring that form (issue 19, item 11)', () => {
    expect(checkPassword('cafe\u0301 au lait', config)).toBe('caf\u00E9 au lait');
  });
});

describe('passwordCandidates', () => {
  it('tries NFC first, then the raw form when it differs', () => {
    expect(passwordCandidates('caf\u00E9 au lait')).toEqual(['caf\u00E9 au lait']);
    expect(passwordCandidates('cafe\u0301 au lait')).toEqual(['caf\u00E9 au lait', 'cafe\u0301 au lait']);
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
