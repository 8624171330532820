import { describe, expect, it } from 'vitest';
import { call, callError } from './spec-harness.ts';

describe('Concat', () => {
  it('joins a list, with or without a separator', async () => {
    expect(await call({ concat: ['a', 'b', 'c'] })).toBe('abc');
    expect(await call({ concat: ['a', 'b', 'c'], separator: '.' })).toBe('a.b.c');
    expect(await call({ concat: [] })).toBe('');
    expect(await call({ concat: 'alone' })).toBe('alone');
  });

  it('refuses non-strings, pointing at the element', async () => {
    const e = await callError({ concat: ['a', 1] });
    expect(e.code).toBe('invalid argument');
    expect(e.position).toEqual(['concat', 1]);
    expect((await callError({ concat: ['a'], separator: 1 })).code).toBe('invalid argument');
  });
});

describe('case functions', () => {
  it('lower, upper and title case', async () => {
    expect(await call({ lowercase: 'ApPle' })).toBe('apple');
    expect(await call({ lowercase: 'İstanbul' })).toBe('i̇stanbul');
    expect(await call({ uppercase: 'abc def' })).toBe('ABC DEF');
    expect(await call({ titlecase: 'one fISH tWo FISH' })).toBe('One Fish Two Fish');
    expect(await call({ titlecase: 'ABC DEF' })).toBe('Abc Def');
  });

  it('casefolds with each normalizer', async () => {
    expect(await call({ casefold: 'Hen Wen' })).toBe('hen wen');
    expect(await call({ casefold: '\u212B', normalizer: 'NFD' })).toBe('A\u030A');
    expect(await call({ casefold: '\u212B', normalizer: 'NFC' })).toBe('\u00C5');
    expect(await call({ casefold: '\u1E9B\u0323', normalizer: 'NFKD' })).toBe('\u0073\u0323\u0307');
    expect(await call({ casefold: '\u1E9B\u0323', normalizer: 'NFKC' })).toBe('\u1E69');
    expect(await call({ casefold: '\u212B', normalizer: 'NFKCCaseFold' })).toBe('\u00E5');
    expect(await call({ casefold: 'Straße' })).toBe('strasse');
  });

  it('refuses an unknown normalizer and non-strings', async () => {
    expect((await callError({ casefold: 'x', normalizer: 'NFX' })).code).toBe('invalid argument');
    expect((await callError({ lowercase: 5 })).code).toBe('invalid argument');
    expect((await callError({ titlecase: null })).code).toBe('invalid argument');
  });
});

describe('trimming, length, space and repeat', () => {
  it('trims whitespace', async () => {
    expect(await call({ trim: '\t\nABC DEF\t\n   ' })).toBe('ABC DEF');
    expect(await call({ ltrim: '\t\n\t\n  Apple' })).toBe('Apple');
    expect(await call({ ltrim: ' A B C' })).toBe('A B C');
    expect(await call({ rtrim: 'A\t\n   ' })).toBe('A');
  });

  it("counts code points, as Fauna's server does", async () => {
    expect(await call({ length: '' })).toBe(0);
    expect(await call({ length: 'two words' })).toBe(9);
    expect(await call({ length: '😀' })).toBe(1);
    expect((await callError({ length: ['a'] })).code).toBe('invalid argument');
  });

  it('makes spaces and repeats', async () => {
    expect(await call({ space: 0 })).toBe('');
    expect(await call({ space: 5 })).toBe('     ');
    expect(await call({ repeat: 'A' })).toBe('AA');
    expect(await call({ repeat: 'ABC', number: 3 })).toBe('ABCABCABC');
    expect(await call({ space: -1 })).toBe('');
    expect(await call({ space: 5000 })).toHaveLength(1024);
    expect(await call({ repeat: 'ab', number: 5000 })).toHaveLength(2048);
    expect((await callError({ repeat: 'A', number: 1.5 })).code).toBe('invalid argument');
  });
});

describe('searching', () => {
  it('ContainsStr, StartsWith, EndsWith', async () => {
    expect(await call({ containsstr: 'a big apple', search: 'g a' })).toBe(true);
    expect(await call({ containsstr: 'ABC', search: 'D' })).toBe(false);
    expect(await call({ startswith: 'ABCDEFGHIJK', search: 'ABC' })).toBe(true);
    expect(await call({ startswith: 'ABCDEFGHIJK', search: 'BCD' })).toBe(false);
    expect(await call({ endswith: 'ABCDEFGHIJK', search: 'IJK' })).toBe(true);
    expect(await call({ endswith: 'ABCDEFGHIJK', search: 'HIJ' })).toBe(false);
    const e = await callError({ containsstr: 'abc', search: 1 });
    expect(e.code).toBe('invalid argument');
    expect(e.position).toEqual(['search']);
  });

  it('FindStr answers the index or -1, from an optional start', async () => {
    expect(await call({ findstr: 'ABC', find: 'A' })).toBe(0);
    expect(await call({ findstr: 'ABC', find: 'A', start: 1 })).toBe(-1);
    expect(await call({ findstr: 'a big apple', find: 'a', start: 2 })).toBe(6);
    expect((await callError({ findstr: 'ABC', find: 'A', start: 'x' })).code).toBe('invalid argument');
  });

  it('FindStrRegex lists matches with an inclusive end', async () => {
    expect(await call({ findstrregex: 'ABCAB', pattern: 'AB' })).toEqual([
      { start: 0, end: 1, data: 'AB' },
      { start: 3, end: 4, data: 'AB' },
    ]);
    expect(await call({ findstrregex: 'one fish two Fish', pattern: '[fF]ish', start: 5 })).toEqual([{ start: 13, end: 16, data: 'Fish' }]);
    expect(await call({ findstrregex: 'aaaa', pattern: 'a', num_results: 2 })).toHaveLength(2);
  });

  it('ContainsStrRegex uses Java syntax, \\Q..\\E included', async () => {
    expect(await call({ containsstrregex: 'ABCDEFGHIJK', pattern: '[A-Z]' })).toBe(true);
    expect(await call({ containsstrregex: 'ABCDEFGHIJK', pattern: '[a-z]' })).toBe(false);
    expect(await call({ containsstrregex: 'ABC', pattern: '(?i)abc' })).toBe(true);
    expect(await call({ containsstrregex: 'a.b', pattern: '\\Qa.b\\E' })).toBe(true);
    expect(await call({ containsstrregex: 'axb', pattern: '\\Qa.b\\E' })).toBe(false);
    expect(await call({ containsstrregex: 'xabc', pattern: '\\Aabc' })).toBe(false);
    expect((await callError({ containsstrregex: 'x', pattern: '(' })).code).toBe('invalid argument');
  });

  it('RegexEscape quotes as Java does, and the quote matches itself literally', async () => {
    expect(await call({ regexescape: 'ABCDEF' })).toBe('\\QABCDEF\\E');
    const tricky = 'a\\Eb.*(';
    const pattern = await call({ regexescape: tricky });
    expect(await call({ containsstrregex: `x${tricky}y`, pattern })).toBe(true);
    expect(await call({ containsstrregex: 'ab', pattern })).toBe(false);
  });
});

describe('replacing and slicing', () => {
  it('ReplaceStr replaces every literal occurrence', async () => {
    expect(await call({ replacestr: 'One Fish Two Fish', find: 'Fish', replace: 'Cat' })).toBe('One Cat Two Cat');
    expect(await call({ replacestr: 'a.a', find: '.', replace: '$&' })).toBe('a$&a');
  });

  it('ReplaceStrRegex with groups, and only the first when asked', async () => {
    expect(await call({ replacestrregex: 'One Fish Two fish', pattern: '[Ff]ish', replace: 'Cat' })).toBe('One Cat Two Cat');
    expect(await call({ replacestrregex: 'One Fish Two fish', pattern: '[Ff]ish', replace: 'Cat', first: true })).toBe('One Cat Two fish');
    expect(await call({ replacestrregex: 'john smith', pattern: '(\\w+) (\\w+)', replace: '$2, $1' })).toBe('smith, john');
    expect(await call({ replacestrregex: 'ab', pattern: '(?<x>a)', replace: '[${x}]\\$' })).toBe('[a]$b');
    expect((await callError({ replacestrregex: 'ab', pattern: 'a', replace: '$' })).code).toBe('invalid argument');
    expect((await callError({ replacestrregex: 'ab', pattern: 'a', replace: 'x', first: 'yes' })).code).toBe('invalid argument');
  });

  it('SubString counts a negative start from the end', async () => {
    expect(await call({ substring: 'ABCDEF', start: -3 })).toBe('DEF');
    expect(await call({ substring: 'ABCDEF', start: 0, length: 3 })).toBe('ABC');
    expect(await call({ substring: 'ABCDEF', start: 4, length: 10 })).toBe('EF');
    expect(await call({ substring: 'ABCDEF' })).toBe('ABCDEF');
    expect((await callError({ substring: 'ABC', start: 'x' })).code).toBe('invalid argument');
  });

  it('NGram lists substrings by start, shorter first', async () => {
    expect(await call({ ngram: 'what' })).toEqual(['w', 'wh', 'h', 'ha', 'a', 'at', 't']);
    expect(await call({ ngram: 'what', min: 2, max: 3 })).toEqual(['wh', 'wha', 'ha', 'hat', 'at']);
    expect(await call({ ngram: ['john', 'doe'], min: 3, max: 4 })).toEqual(['joh', 'john', 'ohn', 'doe']);
    expect((await callError({ ngram: 'x', min: 3, max: 2 })).code).toBe('invalid argument');
  });
});

describe('Format', () => {
  it('formats the way Java does for the common conversions', async () => {
    expect(await call({ format: '%3$s%1$s %2$s', values: ['DB', 'rocks', 'Fauna'] })).toBe('FaunaDB rocks');
    expect(await call({ format: '%.4f', values: 3.14 })).toBe('3.1400');
    expect(await call({ format: '%s %d %.2f', values: ['Hey', 1995, 6.02] })).toBe('Hey 1995 6.02');
    expect(await call({ format: 'always 100%%', values: [] })).toBe('always 100%');
    expect(await call({ format: '[%5s|%-5s|%05d|%,d|%+d]', values: ['ab', 'cd', -42, 1234567, 7] })).toBe('[   ab|cd   |-0042|1,234,567|+7]');
    expect(await call({ format: '%x %X %o %b %c %e', values: [255, -1, 8, null, 65, 12345.678] })).toBe('ff FFFFFFFFFFFFFFFF 10 false A 1.234568e+04');
    expect(await call({ format: '%s and %s', values: [null, true] })).toBe('null and true');
  });

  it('refuses missing arguments, wrong types and unknown conversions', async () => {
    expect((await callError({ format: '%s %s', values: 'one' })).code).toBe('invalid argument');
    expect((await callError({ format: '%d', values: 1.5 })).code).toBe('invalid argument');
    expect((await callError({ format: '%q', values: 1 })).code).toBe('invalid argument');
    expect((await callError({ format: 'trailing %', values: [] })).code).toBe('invalid argument');
    expect((await callError({ format: 1, values: [] })).code).toBe('invalid argument');
  });
});
