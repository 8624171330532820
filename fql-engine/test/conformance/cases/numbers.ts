/** Arithmetic: Add, Subtract, Multiply, Divide, Modulo, Min, Max. */

import { q, type Case } from '../harness.ts';

export const numberCases: readonly Case[] = [
  { name: 'Add', query: q.Add(2, 3, 5), expect: 10 },
  { name: 'Add takes an array', query: q.Add([2, 3, 5]), expect: 10 },
  { name: 'Add takes a variable holding an array', query: q.Let({ x: [2, 3, 5] }, q.Add(q.Var('x'))), expect: 10 },
  { name: 'Add mixes integers and doubles', query: q.Add(1.5, 1), expect: 2.5 },
  { name: 'Add refuses a string', query: q.Add(1, 'two'), expectError: 'invalid argument' },
  { name: 'Subtract', query: [q.Subtract(2, 3, 5), q.Subtract(2), q.Subtract(10, 2.5)], expect: [-6, 2, 7.5] },
  { name: 'Multiply', query: [q.Multiply(2, 3, 5), q.Multiply(1.5, 3)], expect: [30, 4.5] },
  { name: 'Divide', query: [q.Divide(2), q.Divide(10, 2), q.Divide(100, 5, 2)], expect: [2, 5, 10] },
  { name: 'Divide of integers is integer division', query: q.Divide(7, 2), expect: 3 },
  { name: 'Divide with a double divides exactly', query: q.Divide(7.5, 2), expect: 3.75 },
  { name: 'Divide by zero', query: q.Divide(1, 0), expectError: 'invalid argument' },
  { name: 'Modulo', query: [q.Modulo(5, 2), q.Modulo(15, 10, 2), q.Modulo(2)], expect: [1, 1, 2] },
  { name: 'Modulo keeps the sign of the dividend', query: q.Modulo(-7, 3), expect: -1 },
  { name: 'Modulo by zero', query: q.Modulo(1, 0), expectError: 'invalid argument' },
  { name: 'Min and Max', query: [q.Min(2, 3, 5, 4), q.Max(2, 3, 5, 4)], expect: [2, 5] },
  { name: 'Min and Max mix integers and doubles', query: [q.Max(1, 2.5), q.Min(-1, 0.5)], expect: [2.5, -1] },
  { name: 'Min and Max compare any values, in the order of index entries', query: [q.Max('a', 1), q.Min('b', 'a'), q.Max([q.Date('2020-01-01'), q.Date('2021-01-01')])], expect: ['a', 'a', q.Date('2021-01-01')] },
  { name: 'Max of nothing is refused', query: q.Max([]), expectError: 'invalid argument' },
  { name: 'arithmetic nests', query: q.Add(q.Multiply(2, 3), q.Subtract(10, q.Divide(8, 2))), expect: 12 },
];
