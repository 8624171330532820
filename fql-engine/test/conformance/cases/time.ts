/** Time and date: Now, Time, Epoch, TimeAdd, TimeSubtract, TimeDiff, ToTime, Date, comparisons. */

import { q, type Case } from '../harness.ts';

const events = q.CreateCollection({ name: 'events_log' });
const event = q.Ref(q.Collection('events_log'), '101');

export const timeCases: readonly Case[] = [
  { name: 'Time parses a timestamp with nanoseconds', query: q.Time('1970-01-01T00:00:00.123456789Z'), expect: q.Time('1970-01-01T00:00:00.123456789Z') },
  { name: 'Time answers UTC whatever the offset written', query: q.Time('1970-01-01T01:00:00+01:00'), expect: q.Time('1970-01-01T00:00:00Z') },
  { name: 'Time refuses text that is no time', query: q.Time('yesterday-ish'), expectError: 'invalid argument' },
  { name: "Time('now') is Now()", query: q.Equals(q.Now(), q.Time('now')), expect: true },
  { name: 'Now is a timestamp', query: q.IsTimestamp(q.Now()), expect: true },
  { name: 'Now is the same everywhere in one query', query: q.Equals(q.Now(), q.Let({ x: 1 }, q.Now())), expect: true },
  { name: 'Now moves forward between queries', setup: [events, q.Create(event, { data: { at: q.Now() } })], query: q.LT(q.Select(['data', 'at'], q.Get(event)), q.Now()), expect: true },
  { name: 'a stored time reads back as a time', setup: [events, q.Create(event, { data: { at: q.Time('2020-02-29T12:30:00Z') } })], query: q.Select(['data', 'at'], q.Get(event)), expect: q.Time('2020-02-29T12:30:00Z') },

  { name: 'Epoch in seconds', query: q.Epoch(12, 'second'), expect: q.Time('1970-01-01T00:00:12Z') },
  { name: 'Epoch in milliseconds', query: q.Epoch(1, 'millisecond'), expect: q.Time('1970-01-01T00:00:00.001Z') },
  { name: 'Epoch in nanoseconds', query: q.Epoch(123456789, 'nanosecond'), expect: q.Time('1970-01-01T00:00:00.123456789Z') },
  { name: 'Epoch refuses an unknown unit', query: q.Epoch(1, 'fortnight'), expectError: 'invalid argument' },

  { name: 'TimeAdd to a time', query: q.TimeAdd(q.Epoch(0, 'second'), 1, 'hour'), expect: q.Time('1970-01-01T01:00:00Z') },
  { name: 'TimeAdd takes plural units', query: [q.TimeAdd(q.Epoch(0, 'second'), 8, 'hours'), q.TimeAdd(q.Epoch(0, 'second'), 30, 'minutes')], expect: [q.Time('1970-01-01T08:00:00Z'), q.Time('1970-01-01T00:30:00Z')] },
  { name: 'TimeAdd of days crosses a month end', query: q.TimeAdd(q.Time('2020-01-31T10:00:00Z'), 1, 'day'), expect: q.Time('2020-02-01T10:00:00Z') },
  { name: 'TimeAdd to a date', query: q.TimeAdd(q.Date('1970-01-01'), 1, 'day'), expect: q.Date('1970-01-02') },
  { name: 'TimeAdd refuses an unknown unit', query: q.TimeAdd(q.Epoch(0, 'second'), 1, 'fortnight'), expectError: 'invalid argument' },
  { name: 'a unit in capitals is no unit, as in Fauna', query: q.TimeAdd(q.Epoch(0, 'second'), 1, 'HOURS'), expectError: 'invalid argument' },
  { name: 'a unit with a capital is no unit to Epoch', query: q.Epoch(1, 'Second'), expectError: 'invalid argument' },
  { name: 'a unit with a capital is no unit to TimeDiff', query: q.TimeDiff(q.Epoch(0, 'second'), q.Epoch(0, 'second'), 'Days'), expectError: 'invalid argument' },
  { name: 'a unit is trimmed before it is read', query: q.TimeAdd(q.Epoch(0, 'second'), 1, ' hours '), expect: q.Time('1970-01-01T01:00:00Z') },
  { name: 'TimeSubtract from a time', query: q.TimeSubtract(q.Epoch(0, 'second'), 1, 'hour'), expect: q.Time('1969-12-31T23:00:00Z') },
  { name: 'TimeSubtract from a date', query: q.TimeSubtract(q.Date('1970-01-01'), 1, 'day'), expect: q.Date('1969-12-31') },
  { name: 'TimeAdd then TimeSubtract comes back', query: q.Let({ t: q.Now() }, q.Equals(q.TimeSubtract(q.TimeAdd(q.Var('t'), 7, 'days'), 7, 'days'), q.Var('t'))), expect: true },

  { name: 'TimeDiff is finish minus start', query: q.TimeDiff(q.Epoch(0, 'second'), q.Epoch(1, 'second'), 'second'), expect: 1 },
  { name: 'TimeDiff is negative when finish is earlier', query: q.TimeDiff(q.Epoch(60, 'second'), q.Epoch(0, 'second'), 'seconds'), expect: -60 },
  { name: 'TimeDiff counts whole units', query: q.TimeDiff(q.Epoch(0, 'second'), q.Epoch(90, 'second'), 'minutes'), expect: 1 },
  { name: 'TimeDiff of dates in days', query: q.TimeDiff(q.Date('1970-01-01'), q.Date('1970-01-02'), 'day'), expect: 1 },
  { name: 'TimeDiff of hours', query: q.TimeDiff(q.Time('2020-01-01T00:00:00Z'), q.Time('2020-01-02T06:00:00Z'), 'hours'), expect: 30 },

  { name: 'ToTime of a string', query: q.ToTime('1970-01-01T00:00:00Z'), expect: q.Time('1970-01-01T00:00:00Z') },
  { name: 'ToTime of a date is its midnight', query: q.ToTime(q.Date('1970-01-02')), expect: q.Time('1970-01-02T00:00:00Z') },
  { name: 'Date parses a date', query: q.Date('1970-01-01'), expect: q.Date('1970-01-01') },
  { name: 'Date refuses a month 13', query: q.Date('1970-13-01'), expectError: 'invalid argument' },

  { name: 'times compare in time order', query: [q.LT(q.Epoch(0, 'second'), q.Epoch(1, 'second')), q.GT(q.Epoch(0, 'second'), q.Epoch(1, 'second')), q.LTE(q.Epoch(5, 'second'), q.Epoch(5, 'second')), q.GTE(q.Epoch(6, 'second'), q.Epoch(5, 'second'))], expect: [true, false, true, true] },
  { name: 'times compare as instants, not as text', query: q.LT(q.Time('1970-01-01T09:00:00Z'), q.Time('1970-01-01T10:00:00+02:00')), expect: false },
  { name: 'the same instant written two ways is equal', query: q.Equals(q.Time('1970-01-01T02:00:00+02:00'), q.Time('1970-01-01T00:00:00Z')), expect: true },
  { name: 'dates compare in calendar order', query: [q.LT(q.Date('1970-01-01'), q.Date('1970-01-02')), q.GT(q.Date('2000-01-01'), q.Date('1999-12-31'))], expect: [true, true] },
  { name: 'years 0000 to 0099 are kept as written', query: [q.ToString(q.Time('0050-06-01T00:00:00Z')), q.ToString(q.Date('0050-06-01')), q.Year(q.Date('0007-01-01')), q.ToString(q.Time('0000-01-01T00:00:00Z'))], expect: ['0050-06-01T00:00:00Z', '0050-06-01', 7, '0000-01-01T00:00:00Z'] },
  { name: 'TimeAdd across a year in the first century', query: q.ToString(q.TimeAdd(q.Time('0099-12-31T23:00:00Z'), 2, 'hours')), expect: '0100-01-01T01:00:00Z' },
];
