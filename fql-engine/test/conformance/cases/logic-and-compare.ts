/** And, Or (both short-circuit), Not, Equals, LT, LTE, GT, GTE. */

import { q, type Case } from '../harness.ts';

export const logicAndCompareCases: readonly Case[] = [
  { name: 'And', query: [q.And(true, true, false), q.And(true, true, true), q.And(true), q.And(false)], expect: [false, true, true, false] },
  { name: 'Or', query: [q.Or(false, false, true), q.Or(false, false, false), q.Or(true), q.Or(false)], expect: [true, false, true, false] },
  { name: 'And stops at the first false', query: q.And(false, q.Abort('And evaluated too far')), expect: false },
  { name: 'Or stops at the first true', query: q.Or(true, q.Abort('Or evaluated too far')), expect: true },
  { name: 'And refuses a value that is not a boolean', query: q.And(true, 1), expectError: 'invalid argument' },
  { name: 'Or refuses a value that is not a boolean', query: q.Or(false, 'yes'), expectError: 'invalid argument' },
  { name: 'Not', query: [q.Not(true), q.Not(false)], expect: [false, true] },
  { name: 'Not refuses a value that is not a boolean', query: q.Not('x'), expectError: 'invalid argument' },

  { name: 'Equals of numbers', query: [q.Equals(1, 1, 1), q.Equals(1, 1, 2), q.Equals(1)], expect: [true, false, true] },
  { name: 'Equals of objects and arrays is structural', query: [q.Equals({ a: 10, b: 20 }, { b: 20, a: 10 }), q.Equals([1, [2]], [1, [2]]), q.Equals([1, 2], [2, 1])], expect: [true, true, false] },
  { name: 'Equals of strings is case sensitive', query: q.Equals('a', 'A'), expect: false },
  { name: 'Equals of refs', query: [q.Equals(q.Collection('x'), q.Collection('x')), q.Equals(q.Collection('x'), q.Index('x'))], expect: [true, false] },
  { name: 'Equals of different types', query: [q.Equals(1, '1'), q.Equals(null, false)], expect: [false, false] },

  { name: 'LT', query: [q.LT(1, 2), q.LT(1, 2, 3), q.LT(1, 3, 2), q.LT(2, 2)], expect: [true, true, false, false] },
  { name: 'LTE', query: [q.LTE(1, 1), q.LTE(1, 1, 2), q.LTE(2, 1)], expect: [true, true, false] },
  { name: 'GT', query: [q.GT(2, 1), q.GT(3, 2, 1), q.GT(3, 2, 2)], expect: [true, true, false] },
  { name: 'GTE', query: [q.GTE(1, 1), q.GTE(3, 2, 2), q.GTE(1, 2)], expect: [true, true, false] },
  { name: 'integers and doubles compare by value', query: [q.LT(1, 1.5), q.GT(2, 1.5), q.LTE(2, 2.0)], expect: [true, true, true] },
  { name: 'strings compare by code point', query: [q.LT('a', 'b'), q.LT('abc', 'abd'), q.LT('B', 'a'), q.GT('b', 'abc')], expect: [true, true, true, true] },
];
