/**
 * Functions beyond the list that the engine also implements. The expected answers are
 * the ones the faunadb-js integration tests (run against Fauna itself) asserted.
 */

import { q, values, type Case } from '../harness.ts';

const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
const numbers = [
  q.CreateCollection({ name: 'nums' }),
  q.CreateIndex({ name: 'nums_values', source: q.Collection('nums'), values: [{ field: ['data', 'value'] }] }),
  q.Foreach(hundred, q.Lambda('i', q.Create(q.Collection('nums'), { data: { value: q.Var('i') } }))),
];
const valuesSet = q.Match(q.Index('nums_values'));
const sum = q.Lambda(['acc', 'value'], q.Add(q.Var('acc'), q.Var('value')));
const bigSecond = q.Epoch(2147483648, 'second');

export const moreFunctionCases: readonly Case[] = [
  { name: 'Casefold', query: q.Casefold('Hen Wen'), expect: 'hen wen' },
  { name: 'FindStr', query: [q.FindStr('ABC', 'A'), q.FindStr('ABC', 'A', 0), q.FindStr('ABC', 'A', 1), q.FindStr('a big apple', 'a', 2)], expect: [0, 0, -1, 6] },
  { name: 'FindStrRegex', query: [q.FindStrRegex('ABCAB', 'AB'), q.FindStrRegex('one fish two Fish', '[fF]ish')], expect: [[{ start: 0, end: 1, data: 'AB' }, { start: 3, end: 4, data: 'AB' }], [{ start: 4, end: 7, data: 'fish' }, { start: 13, end: 16, data: 'Fish' }]] },
  { name: 'LTrim and RTrim', query: [q.LTrim('\t\n\t\n  Apple'), q.LTrim(' A B C'), q.RTrim('A\t\n   '), q.RTrim('ABC DE F ')], expect: ['Apple', 'A B C', 'A', 'ABC DE F'] },
  { name: 'NGram', query: [q.NGram('what'), q.NGram('what', 2, 3)], expect: [['w', 'wh', 'h', 'ha', 'a', 'at', 't'], ['wh', 'wha', 'ha', 'hat', 'at']] },
  { name: 'Repeat and Space', query: [q.Repeat('A'), q.Repeat('ABC', 3), q.Space(0), q.Space(5)], expect: ['AA', 'ABCABCABC', '', '     '] },
  // A function may build at most 8 Mi characters: past that, a clear error instead of exhausting the process.
  { name: 'Repeat past 8 Mi characters is refused', query: q.Length(q.Repeat(q.Repeat('abcdefghij', 1024), 1024)), expectError: 'invalid argument' },
  { name: 'Space and Repeat stop at 1024 copies, as Fauna did', query: [q.Length(q.Space(1_000_000_000)), q.Length(q.Repeat('ab', 5000)), q.Space(-1), q.Repeat('a', 0)], expect: [1024, 2048, '', ''] },
  { name: 'NGram past 8 Mi characters in all is refused', query: q.Count(q.NGram(q.Repeat(q.Repeat('abcdefgh', 1024), 1024), 1, 2)), expectError: 'invalid argument' },
  { name: 'Repeat up to the limit works', query: q.Length(q.Repeat(q.Repeat('abcdefgh', 1024), 1024)), expect: 8 * 1024 * 1024 },
  { name: 'ReplaceStr and ReplaceStrRegex', query: [q.ReplaceStr('One Fish Two Fish', 'Fish', 'Cat'), q.ReplaceStrRegex('One Fish Two fish', '[Ff]ish', 'Cat')], expect: ['One Cat Two Cat', 'One Cat Two Cat'] },
  { name: 'RegexEscape', query: q.RegexEscape('ABCDEF'), expect: '\\QABCDEF\\E' },
  { name: 'SubString', query: [q.SubString('ABCDEF', -3), q.SubString('ABCDEF', 0, 3)], expect: ['DEF', 'ABC'] },
  { name: 'TitleCase', query: [q.TitleCase('one fISH tWo FISH'), q.TitleCase('ABC DEF')], expect: ['One Fish Two Fish', 'Abc Def'] },
  { name: 'LowerCase follows Unicode', query: q.LowerCase('İstanbul'), expect: 'i̇stanbul' },

  { name: 'Abs, Ceil, Floor, Sign, Sqrt, Pow', query: [q.Abs(-10), q.Ceil(1.2), q.Floor(1.8), q.Sign(1.2), q.Sqrt(16), q.Pow(3, 2)], expect: [10, 2, 1, 1, 4, 9] },
  { name: 'Round and Trunc with precision', query: [q.Round(155.678, -1), q.Round(155.678, 0), q.Round(155.678, 2), q.Trunc(155.678, -1), q.Trunc(155.678, 1)], expect: [160, 156, 155.68, 150, 155.6] },
  { name: 'bit operations', query: [q.BitAnd(7, 3), q.BitNot(1), q.BitOr(1, 2, 4), q.BitXor(1, 2, 4)], expect: [3, -2, 7, 7] },
  { name: 'trigonometry and logarithms', query: [q.Trunc(q.Acos(0.5), 2), q.Cos(0), q.Trunc(q.Exp(5), 0), q.Trunc(q.Log(100), 0), q.Trunc(q.Degrees(6.29), 0), q.Trunc(q.Radians(360), 1), q.Hypot(q.Hypot(3, 4), 0)], expect: [1.04, 1, 148, 2, 360, 6.2, 5] },

  { name: 'Count, Sum and Mean of an array', query: [q.Count(hundred), q.Sum(hundred), q.Mean(hundred)], expect: [100, 5050, 50.5] },
  { name: 'Sum and Mean of a set', setup: numbers, query: [q.Count(valuesSet), q.Sum(valuesSet), q.Mean(valuesSet)], expect: [100, 5050, 50.5] },
  { name: 'Sum of a page answers a page', setup: numbers, query: q.Sum(q.Paginate(valuesSet, { size: 1000 })), expect: { data: [5050] } },
  { name: 'Any and All of arrays', query: [q.Any([false, false, false]), q.Any([true, false, true]), q.All([true, true, true]), q.All([true, false, true])], expect: [false, true, true, false] },
  { name: 'Reduce over an array, a page and a set', setup: numbers, query: [q.Reduce(sum, 10, hundred), q.Reduce(sum, 10, q.Paginate(valuesSet, { size: 100 })), q.Reduce(sum, 10, valuesSet)], expect: [5060, { data: [5060] }, 5060] },

  { name: 'ToDouble', query: [q.ToDouble(3.14), q.ToDouble('3.14')], expect: [3.14, 3.14] },
  { name: 'ToMillis, ToSeconds, ToMicros', query: [q.ToMillis(q.Time('1970-01-01T00:00:00Z')), q.ToMillis(q.Epoch(2147483648000, 'millisecond')), q.ToSeconds(bigSecond), q.ToMicros(q.Epoch(2147483648000000, 'microsecond')), q.ToSeconds(2147483648000000)], expect: [0, 2147483648000, 2147483648, 2147483648000000, 2147483648] },
  { name: 'calendar fields of a time', query: [q.DayOfMonth(bigSecond), q.DayOfWeek(q.Epoch(0, 'second')), q.DayOfWeek(bigSecond), q.DayOfYear(bigSecond), q.Month(bigSecond), q.Year(bigSecond), q.Hour(q.Epoch(0, 'second')), q.Minute(q.Epoch(0, 'second')), q.Second(q.Epoch(0, 'second'))], expect: [19, 4, 2, 19, 1, 2038, 0, 0, 0] },
  { name: 'calendar fields of microseconds', query: [q.DayOfMonth(0), q.DayOfWeek(2147483648000000), q.Year(2147483648000000)], expect: [1, 2, 2038] },
  { name: 'ToDate', query: [q.ToDate('1970-01-01'), q.IsDate(q.ToDate(q.Now()))], expect: [q.Date('1970-01-01'), true] },

  { name: 'more type tests answering true', setup: [q.CreateCollection({ name: 'kinds' }), q.CreateIndex({ name: 'kinds_all', source: q.Collection('kinds') }), q.Create(q.Ref(q.Collection('kinds'), '101'), {})], query: [q.IsDouble(3.14), q.IsInteger(10), q.IsBoolean(false), q.IsBytes(q.Bytes('AQIDBA==')), q.IsDate(q.Date('1970-01-01')), q.IsSet(q.Match(q.Index('kinds_all'))), q.IsSet(q.Collections()), q.IsDoc(q.Get(q.Ref(q.Collection('kinds'), '101'))), q.IsLambda(q.Query(q.Lambda('x', q.Var('x')))), q.IsCollection(q.Collection('kinds')), q.IsIndex(q.Index('kinds_all'))], expect: [true, true, true, true, true, true, true, true, true, true, true] },
  { name: 'more type tests answering false', query: [q.IsDouble(10), q.IsInteger(3.14), q.IsBoolean('string'), q.IsBytes([1, 2]), q.IsDate(q.Now()), q.IsSet('string'), q.IsDoc({}), q.IsCollection(q.Database('d')), q.IsIndex(q.Collection('c'))], expect: [false, false, false, false, false, false, false, false, false] },

  { name: 'Ref of a legacy path', query: q.Ref('collections/widget/123'), expect: new values.Ref('123', new values.Ref('widget', values.Native.COLLECTIONS)) },
  { name: 'Ref with a computed id', setup: [q.CreateCollection({ name: 'widgets' })], query: q.Ref(q.Collection('widgets'), q.Concat(['123', '456'])), expect: q.Ref(q.Collection('widgets'), '123456') },
  { name: 'Bytes echo', query: q.Bytes('AQIDBA=='), expect: new values.Bytes('AQIDBA==') },
];
