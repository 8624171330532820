/**
 * Document TTL (issue 3): `ttl` on documents, `ttl_days` on collections. A document past its
 * ttl is invisible to every read at once, long before the sweep removes it (ttl-sweep.test.ts
 * checks the sweep itself). `ttlCases` use a ttl already in the past or far in the future;
 * `ttlSessionCases` move the engine's clock past a ttl between queries.
 */

import { q, type Case } from '../harness.ts';
import type { SessionCase } from '../identity-harness.ts';

const things = q.CreateCollection({ name: 'things' });
const thing = q.Ref(q.Collection('things'), '1');
const other = q.Ref(q.Collection('things'), '2');
const byColour = q.CreateIndex({ name: 'things_by_colour', source: q.Collection('things'), terms: [{ field: ['data', 'colour'] }] });
const uniqueEmail = q.CreateIndex({ name: 'things_by_email', source: q.Collection('things'), terms: [{ field: ['data', 'email'] }], unique: true });
const past = q.TimeSubtract(q.Now(), 1, 'second');
const inAnHour = q.TimeAdd(q.Now(), 1, 'hour');
const expired = q.Create(thing, { ttl: past, data: { colour: 'red', email: 'a@example.com' } });
const live = q.Create(other, { data: { colour: 'red' } });
const matched = q.Select('data', q.Paginate(q.Match(q.Index('things_by_colour'), 'red')));
const listed = q.Select('data', q.Paginate(q.Documents(q.Collection('things'))));

export const ttlCases: readonly Case[] = [
  { name: 'Create with a ttl answers it', setup: [things], query: q.IsTimestamp(q.Select('ttl', q.Create(thing, { ttl: inAnHour, data: {} }))), expect: true },
  { name: 'Get shows the ttl of a live document', setup: [things, q.Create(thing, { ttl: inAnHour, data: {} })], query: [q.Exists(thing), q.IsTimestamp(q.Select('ttl', q.Get(thing)))], expect: [true, true] },
  { name: 'a document past its ttl is not found', setup: [things, expired], query: q.Get(thing), expectError: 'instance not found' },
  { name: 'a document past its ttl does not exist', setup: [things, expired], query: q.Exists(thing), expect: false },
  { name: 'a document past its ttl is not matched', setup: [things, byColour, expired, live], query: matched, expect: [other] },
  { name: 'a document past its ttl is not listed', setup: [things, expired, live], query: listed, expect: [other] },
  { name: 'a document past its ttl is not counted', setup: [things, byColour, expired, live], query: [q.Count(q.Documents(q.Collection('things'))), q.Count(q.Match(q.Index('things_by_colour'), 'red'))], expect: [1, 1] },
  { name: 'Update of a ttl into the past hides the document', setup: [things, byColour, q.Create(thing, { data: { colour: 'red' } }), q.Update(thing, { ttl: past })], query: [q.Exists(thing), matched], expect: [false, []] },
  { name: 'Update of a ttl to null keeps the document', setup: [things, q.Create(thing, { ttl: inAnHour, data: {} })], query: q.Do(q.Update(thing, { ttl: null }), [q.Exists(thing), q.ContainsField('ttl', q.Get(thing))]), expect: [true, false] },
  { name: 'Update of a document past its ttl is not found', setup: [things, expired], query: q.Update(thing, { data: { n: 1 } }), expectError: 'instance not found' },
  { name: 'Delete of a document past its ttl is not found', setup: [things, expired], query: q.Delete(thing), expectError: 'instance not found' },
  { name: 'Create may reuse the id of a document past its ttl', setup: [things, expired], query: q.Select(['data', 'n'], q.Create(thing, { data: { n: 2 } })), expect: 2 },
  { name: 'a document past its ttl no longer holds its unique term', setup: [things, uniqueEmail, expired], query: q.Select(['data', 'email'], q.Create(other, { data: { email: 'a@example.com' } })), expect: 'a@example.com' },
  { name: 'a collection keeps its ttl_days', query: q.Select('ttl_days', q.CreateCollection({ name: 'sessions', ttl_days: 1 })), expect: 1 },
  { name: 'a document in a collection with ttl_days is there before its time', setup: [q.CreateCollection({ name: 'sessions', ttl_days: 1 }), q.Create(q.Ref(q.Collection('sessions'), '1'), { data: {} })], query: q.Exists(q.Ref(q.Collection('sessions'), '1')), expect: true },
];

const session = q.Ref(q.Collection('sessions'), '1');
const sessions = q.CreateCollection({ name: 'sessions', ttl_days: 1 });
const HOUR = 3_600_000;
const seen = [q.Exists(thing), q.Count(matched), q.Count(listed)];

export const ttlSessionCases: readonly SessionCase[] = [
  {
    name: 'a document is there until its ttl, then gone from Get, Exists, Match and Paginate at once',
    setup: [things, byColour],
    steps: [
      { query: q.Create(thing, { ttl: q.TimeAdd(q.Now(), 60, 'seconds'), data: { colour: 'red' } }) },
      { advanceMs: 30_000, query: seen, expect: [true, 1, 1] },
      { advanceMs: 31_000, query: seen, expect: [false, 0, 0] },
      { query: q.Get(thing), expectError: 'instance not found' },
    ],
  },
  {
    name: 'a later ttl given by Update keeps the document past the first one',
    setup: [things],
    steps: [
      { query: q.Create(thing, { ttl: q.TimeAdd(q.Now(), 60, 'seconds'), data: {} }) },
      { query: q.Update(thing, { ttl: q.TimeAdd(q.Now(), 1, 'hour') }) },
      { advanceMs: 120_000, query: q.Exists(thing), expect: true },
      { advanceMs: HOUR, query: q.Exists(thing), expect: false },
    ],
  },
  {
    name: 'a document of a collection with ttl_days is gone that many days after its last write',
    setup: [sessions],
    steps: [
      { query: q.Create(session, { data: { n: 1 } }) },
      { advanceMs: 20 * HOUR, query: q.Update(session, { data: { n: 2 } }) },
      { advanceMs: 20 * HOUR, query: q.Select(['data', 'n'], q.Get(session)), expect: 2 },
      { advanceMs: 5 * HOUR, query: q.Exists(session), expect: false },
      { query: q.Count(q.Documents(q.Collection('sessions'))), expect: 0 },
    ],
  },
];
