/** String functions, and conversions to and from strings. */

import { q, type Case } from '../harness.ts';

export const stringCases: readonly Case[] = [
  { name: 'Concat joins strings', query: q.Concat(['a', 'b', 'c']), expect: 'abc' },
  { name: 'Concat of nothing is empty', query: q.Concat([]), expect: '' },
  { name: 'Concat with a separator', query: q.Concat(['a', 'b', 'c'], '.'), expect: 'a.b.c' },
  { name: 'Concat refuses a number', query: q.Concat(['a', 1]), expectError: 'invalid argument' },

  { name: 'LowerCase', query: [q.LowerCase(''), q.LowerCase('A'), q.LowerCase('ApPle')], expect: ['', 'a', 'apple'] },
  { name: 'UpperCase', query: [q.UpperCase('a'), q.UpperCase('abc def')], expect: ['A', 'ABC DEF'] },
  { name: 'LowerCase refuses a number', query: q.LowerCase(1), expectError: 'invalid argument' },
  { name: 'Trim removes surrounding whitespace', query: [q.Trim('   A   '), q.Trim('\t\nABC DEF\t\n   ')], expect: ['A', 'ABC DEF'] },
  { name: 'Length counts characters', query: [q.Length(''), q.Length('A'), q.Length('two words'), q.Length('héllo')], expect: [0, 1, 9, 5] },
  { name: 'Length refuses a number', query: q.Length(123), expectError: 'invalid argument' },

  { name: 'ContainsStr', query: [q.ContainsStr('ABC', 'A'), q.ContainsStr('ABC', 'D'), q.ContainsStr('a big apple', 'g a')], expect: [true, false, true] },
  { name: 'ContainsStrRegex', query: [q.ContainsStrRegex('ABCDEFGHIJK', '[A-Z]'), q.ContainsStrRegex('1234567890', '[A-Z]'), q.ContainsStrRegex('ABCDEFGHIJK', '[a-z]')], expect: [true, false, false] },
  { name: 'ContainsStrRegex with anchors', query: [q.ContainsStrRegex('user@example.com', '^[^@]+@[^@]+$'), q.ContainsStrRegex('a@b@c', '^[^@]+@[^@]+$')], expect: [true, false] },
  { name: 'StartsWith', query: [q.StartsWith('ABCDEFGHIJK', 'ABC'), q.StartsWith('1234567890', '1234567890'), q.StartsWith('ABCDEFGHIJK', 'BCD')], expect: [true, true, false] },
  { name: 'EndsWith', query: [q.EndsWith('ABCDEFGHIJK', 'IJK'), q.EndsWith('1234567890', '1234567890'), q.EndsWith('ABCDEFGHIJK', 'HIJ')], expect: [true, true, false] },

  { name: 'ToString of numbers and strings', query: [q.ToString(42), q.ToString('42'), q.ToString(3.14)], expect: ['42', '42', '3.14'] },
  { name: 'ToString of a boolean and null', query: [q.ToString(true), q.ToString(null)], expect: ['true', 'null'] },
  { name: 'ToString of a time and a date', query: [q.ToString(q.Time('1970-01-01T00:00:00Z')), q.ToString(q.Date('1970-01-02'))], expect: ['1970-01-01T00:00:00Z', '1970-01-02'] },
  { name: 'ToNumber', query: [q.ToNumber(42), q.ToNumber('42'), q.ToNumber('3.14')], expect: [42, 42, 3.14] },
  { name: 'ToNumber refuses text that is no number', query: q.ToNumber('forty-two'), expectError: 'invalid argument' },
  { name: 'ToInteger', query: [q.ToInteger('10'), q.ToInteger(10), q.ToString(q.ToInteger(10.0))], expect: [10, 10, '10'] },
  { name: 'ToInteger truncates a double', query: q.ToInteger(3.9), expect: 3 },
  { name: 'ToInteger refuses text that is no number', query: q.ToInteger('ten'), expectError: 'invalid argument' },
  // Java's regex syntax where it differs from JS: Unicode properties, POSIX classes, \h, escaped symbols.
  { name: 'regex: \\p{L} matches any letter, \\P{L} anything else', query: [q.ContainsStrRegex('é', '\\p{L}'), q.ContainsStrRegex('1 2', '\\p{L}'), q.ReplaceStrRegex('Zoë 1', '\\P{L}', '')], expect: [true, false, 'Zoë'] },
  { name: 'regex: \\p{Lu} and \\p{IsLatin}', query: [q.ContainsStrRegex('Ab', '^\\p{Lu}'), q.ContainsStrRegex('ab', '^\\p{Lu}'), q.ContainsStrRegex('ж', '\\p{IsLatin}'), q.ContainsStrRegex('z', '\\p{IsLatin}')], expect: [true, false, false, true] },
  { name: 'regex: POSIX classes are ASCII, inside a class too', query: [q.ContainsStrRegex('abc', '^\\p{Alpha}+$'), q.ContainsStrRegex('é', '\\p{Alpha}'), q.ContainsStrRegex('x-1', '^[\\p{Alnum}-]+$'), q.FindStrRegex('a1!', '\\p{Punct}')], expect: [true, false, true, [{ start: 2, end: 2, data: '!' }]] },
  { name: 'regex: \\h is horizontal whitespace, not the letter h', query: [q.ContainsStrRegex('h', '\\h'), q.ContainsStrRegex('a\tb', 'a\\hb'), q.ReplaceStrRegex('a b\nc', '\\H', '.')], expect: [false, true, '. ...'] },
  { name: 'regex: escaped symbols are literal, with or without Unicode properties', query: [q.ContainsStrRegex('a-b', 'a\\-b'), q.ContainsStrRegex('é-', '\\p{L}\\-'), q.ContainsStrRegex('a.b', '^a\\.b$'), q.ContainsStrRegex('axb', '^a\\.b$')], expect: [true, true, true, false] },
  { name: 'regex: a Java block (\\p{InGreek}) is refused, not misread', query: q.ContainsStrRegex('α', '\\p{InGreek}'), expectError: 'invalid argument' },
];
