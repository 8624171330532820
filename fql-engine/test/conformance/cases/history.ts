/**
 * History (issue 14): versions kept for `history_days`, read with At, Get/Exists at a ts,
 * Events and Paginate with `ts` or `events`, edited with Insert and Remove. Each setup step is
 * a query of its own, so each write there is a version of its own; a case finds the times it
 * needs from the history itself (the first event's ts). `historySessionCases` move the clock
 * past `history_days`.
 */

import { q, type Case, type ExprArg } from '../harness.ts';
import type { SessionCase } from '../identity-harness.ts';

const things = q.CreateCollection({ name: 'things' });
const thing = q.Ref(q.Collection('things'), '1');
const other = q.Ref(q.Collection('things'), '2');
const byColour = q.CreateIndex({ name: 'things_by_colour', source: q.Collection('things'), terms: [{ field: ['data', 'colour'] }] });
const colourOf = q.CreateIndex({ name: 'colour_of_things', source: q.Collection('things'), values: [{ field: ['data', 'colour'] }] });
const red = q.Match(q.Index('things_by_colour'), 'red');

const created = q.Create(thing, { data: { colour: 'red', n: 1 } });
const lived = [things, byColour, created, q.Update(thing, { data: { n: 2, size: 'L' } }), q.Delete(thing)];
const eventsOf = (page: ExprArg): ExprArg => q.Map(q.Select('data', page), q.Lambda('e', [q.Select('action', q.Var('e')), q.Select('data', q.Var('e'), 'none')]));
/** The time of a document's first event: its creation. */
const firstTs = (ref: ExprArg): ExprArg => q.Select(['data', 0, 'ts'], q.Paginate(q.Events(ref)));

export const historyCases: readonly Case[] = [
  {
    name: 'Events of a document: create, update with what changed, delete with null data',
    setup: lived,
    query: eventsOf(q.Paginate(q.Events(thing))),
    expect: [['create', { colour: 'red', n: 1 }], ['update', { n: 2, size: 'L' }], ['delete', null]],
  },
  {
    name: 'an event shows ts, action, document and data',
    setup: [things, created],
    query: q.Let({ e: q.Select(['data', 0], q.Paginate(q.Events(thing))) }, [q.Select('action', q.Var('e')), q.Select('document', q.Var('e')), q.IsInteger(q.Select('ts', q.Var('e')))]),
    expect: ['create', thing, true],
  },
  {
    name: 'an update that removes a field shows it as null',
    setup: [things, created, q.Update(thing, { data: { n: null } })],
    query: q.Select(['data', 1, 'data'], q.Paginate(q.Events(thing))),
    expect: { n: null },
  },
  { name: 'Paginate with events pages a document ref as Events does', setup: lived, query: eventsOf(q.Paginate(thing, { events: true })), expect: [['create', { colour: 'red', n: 1 }], ['update', { n: 2, size: 'L' }], ['delete', null]] },
  { name: 'Events is a set', setup: [things, created], query: q.IsSet(q.Events(thing)), expect: true },
  { name: 'Events pages with cursors', setup: lived, query: q.Select(['data', 0, 'action'], q.Paginate(q.Events(thing), { size: 1, after: q.Select('after', q.Paginate(q.Events(thing), { size: 1 })) })), expect: 'update' },
  { name: 'Count of the events of a document', setup: lived, query: q.Count(q.Events(thing)), expect: 3 },
  {
    name: 'Events of a Singleton: add and remove, not the update',
    setup: lived,
    query: eventsOf(q.Paginate(q.Events(q.Singleton(thing)))),
    expect: [['add', 'none'], ['remove', 'none']],
  },
  {
    name: 'Events of Documents: each document added and removed',
    setup: [things, q.Create(thing, { data: {} }), q.Create(other, { data: {} }), q.Delete(thing)],
    query: q.Map(q.Select('data', q.Paginate(q.Events(q.Documents(q.Collection('things'))))), q.Lambda('e', [q.Select('action', q.Var('e')), q.Select('document', q.Var('e'))])),
    expect: [['add', thing], ['add', other], ['remove', thing]],
  },
  {
    name: 'Events of a Match: the document leaves the set when its term changes',
    setup: [things, byColour, created, q.Update(thing, { data: { colour: 'blue' } })],
    query: q.Map(q.Select('data', q.Paginate(q.Events(red))), q.Lambda('e', q.Select('action', q.Var('e')))),
    expect: ['add', 'remove'],
  },
  {
    name: 'Events of a Match on an index with values shows the values',
    setup: [things, colourOf, created],
    query: q.Select(['data', 0, 'data'], q.Paginate(q.Events(q.Match(q.Index('colour_of_things'))))),
    expect: ['red'],
  },
  { name: 'Get at a ts reads the version then', setup: lived, query: q.Select('data', q.Get(thing, firstTs(thing))), expect: { colour: 'red', n: 1 } },
  { name: 'Get at a ts shows the version ts', setup: lived, query: q.Equals(q.Select('ts', q.Get(thing, firstTs(thing))), firstTs(thing)), expect: true },
  { name: 'Get at a time before the document was created is not found', setup: lived, query: q.Get(thing, q.Subtract(firstTs(thing), 1)), expectError: 'instance not found' },
  { name: 'Get at a time as a Time value', setup: lived, query: q.Select(['data', 'n'], q.Get(thing, q.Epoch(firstTs(thing), 'microseconds'))), expect: 1 },
  { name: 'Exists at a ts: before and after the delete', setup: lived, query: [q.Exists(thing, firstTs(thing)), q.Exists(thing), q.Exists(thing, q.Subtract(firstTs(thing), 1))], expect: [true, false, false] },
  { name: 'At reads a deleted document as it was', setup: lived, query: q.At(firstTs(thing), q.Select(['data', 'n'], q.Get(thing))), expect: 1 },
  {
    name: 'At reads an index as it was',
    setup: [things, byColour, created, q.Create(other, { data: { colour: 'red' } })],
    query: [q.At(firstTs(thing), q.Select('data', q.Paginate(red))), q.Select('data', q.Paginate(red))],
    expect: [[thing], [thing, other]],
  },
  {
    name: 'Paginate with ts reads an index as it was',
    setup: [things, byColour, created, q.Update(thing, { data: { colour: 'blue' } })],
    query: [q.Select('data', q.Paginate(red, { ts: firstTs(thing) })), q.Select('data', q.Paginate(red))],
    expect: [[thing], []],
  },
  {
    name: 'At reads the documents of a collection as they were',
    setup: [things, created, q.Create(other, { data: {} }), q.Delete(thing)],
    query: q.At(firstTs(other), q.Select('data', q.Paginate(q.Documents(q.Collection('things'))))),
    expect: [thing, other],
  },
  { name: 'At refuses a write', setup: [things, created], query: q.At(firstTs(thing), q.Create(other, { data: {} })), expectError: 'invalid write time' },
  { name: 'At refuses an update', setup: [things, created], query: q.At(q.Now(), q.Update(thing, { data: { n: 3 } })), expectError: 'invalid write time' },
  { name: 'At refuses a schema write', setup: [things], query: q.At(q.Now(), q.CreateCollection({ name: 'later' })), expectError: 'invalid write time' },
  {
    name: 'Insert adds a version before the document was created',
    setup: [things, q.Create(thing, { data: { weight: 1 } })],
    query: q.Let({ t: q.Subtract(q.Select('ts', q.Get(thing)), 1) }, q.Do(q.Insert(thing, q.Var('t'), 'create', { data: { weight: 0 } }), [q.Select(['data', 'weight'], q.Get(thing, q.Var('t'))), q.Select(['data', 'weight'], q.Get(thing))])),
    expect: [0, 1],
  },
  {
    name: 'Insert answers the event',
    setup: [things, q.Create(thing, { data: { weight: 1 } })],
    query: q.Let({ e: q.Insert(thing, 5, 'create', { data: { weight: 0 } }) }, [q.Select('ts', q.Var('e')), q.Select('action', q.Var('e')), q.Select('data', q.Var('e'))]),
    expect: [5, 'create', { weight: 0 }],
  },
  {
    name: 'Insert of a newer version makes it the document, index included',
    setup: [things, byColour, q.Create(thing, { data: { colour: 'blue' } })],
    query: q.Do(q.Insert(thing, q.Add(q.Select('ts', q.Get(thing)), 1), 'update', { data: { colour: 'red' } }), [q.Select(['data', 'colour'], q.Get(thing)), q.Select('data', q.Paginate(red))]),
    expect: ['red', [thing]],
  },
  {
    name: 'Remove of the current version brings back the one before',
    setup: [things, byColour, q.Create(thing, { data: { colour: 'red' } }), q.Replace(thing, { data: { colour: 'blue' } })],
    query: q.Do(q.Remove(thing, q.Select('ts', q.Get(thing)), 'create'), [q.Select('data', q.Get(thing)), q.Select('data', q.Paginate(red)), q.Count(q.Events(thing))]),
    expect: [{ colour: 'red' }, [thing], 1],
  },
  { name: 'Remove answers null', setup: [things, created], query: q.Remove(thing, 1, 'create'), expect: null },
  { name: 'Remove of the only version removes the document', setup: [things, created], query: q.Do(q.Remove(thing, q.Select('ts', q.Get(thing)), 'create'), q.Exists(thing)), expect: false },
  { name: 'Insert with an unknown action is refused', setup: [things, created], query: q.Insert(thing, 1, 'upsert', { data: {} }), expectError: 'invalid argument' },
  { name: 'Insert into a collection that does not exist is refused', query: q.Insert(q.Ref(q.Collection('nothing'), '1'), 1, 'create', { data: {} }), expectError: 'invalid ref' },
  { name: 'a collection keeps 30 days of history by default', query: q.Select('history_days', q.CreateCollection({ name: 'things' })), expect: 30 },
  { name: 'history_days null keeps every version (no field)', query: q.ContainsField('history_days', q.CreateCollection({ name: 'things', history_days: null })), expect: false },
  {
    name: 'history_days 0 keeps only the current version',
    setup: [q.CreateCollection({ name: 'things', history_days: 0 }), created, q.Update(thing, { data: { n: 2 } })],
    query: [eventsOf(q.Paginate(q.Events(thing))), q.Exists(thing, firstTs(thing)), q.Exists(thing, q.Subtract(firstTs(thing), 1))],
    expect: [[['create', { colour: 'red', n: 2 }]], true, false],
  },
];

const DAY = 86_400_000;
const kept = q.Ref(q.Collection('kept'), '1');
const keptFirst = q.Select(['data', 0, 'ts'], q.Paginate(q.Events(kept)));

const users = q.CreateCollection({ name: 'users' });
const alice = q.Ref(q.Collection('users'), '1');
const aliceAndThing = [users, things, q.Create(alice, { credentials: { password: 'sekret' }, data: {} }), created];
const readerRole = (name: string, actions: Record<string, boolean>): ExprArg =>
  q.CreateRole({ name, privileges: [{ resource: q.Collection('things'), actions }], membership: [{ resource: q.Collection('users') }] });
const asAlice = { save: 'alice', query: q.Login(alice, { password: 'sekret' }) };

export const historySessionCases: readonly SessionCase[] = [
  {
    name: 'a member whose role grants read but not history_read may not read Events',
    setup: [...aliceAndThing, readerRole('readers', { read: true })],
    steps: [asAlice, { as: 'alice', query: q.Select(['data', 'n'], q.Get(thing)), expect: 1 }, { as: 'alice', query: q.Paginate(q.Events(thing)), expectError: 'permission denied' }],
  },
  {
    name: 'a member whose role grants history_read reads Events, and history_write is needed to Insert',
    setup: [...aliceAndThing, readerRole('historians', { read: true, history_read: true })],
    steps: [asAlice, { as: 'alice', query: q.Count(q.Events(thing)), expect: 1 }, { as: 'alice', query: q.Insert(thing, 1, 'create', { data: {} }), expectError: 'permission denied' }],
  },
  {
    name: 'a replaced version is there for history_days, then gone from Get at a ts and Events',
    setup: [q.CreateCollection({ name: 'kept', history_days: 1 })],
    steps: [
      { query: q.Create(kept, { data: { n: 1 } }) },
      { advanceMs: 1000, query: q.Update(kept, { data: { n: 2 } }) },
      { advanceMs: DAY / 2, query: [q.Count(q.Events(kept)), q.Select(['data', 'n'], q.Get(kept, keptFirst))], expect: [2, 1] },
      { advanceMs: DAY, query: [q.Count(q.Events(kept)), q.Select(['data', 'n'], q.Get(kept))], expect: [1, 2] },
    ],
  },
];
