/** Keys (CreateKey, Keys), secrets (returned once, stored hashed) and what each role may do. */

import { inDb, q, type Case } from '../harness.ts';

const serverKey = q.CreateKey({ role: 'server', data: { name: 'k1' } });
const firstKey = q.Get(q.Select(['data', 0], q.Paginate(q.Keys())));

export const keyAndAuthCases: readonly Case[] = [
  { name: 'CreateKey admin answers a secret, its role and ref', query: q.Let({ k: q.CreateKey({ role: 'admin' }) }, [q.IsString(q.Select('secret', q.Var('k'))), q.Select('role', q.Var('k')), q.IsRef(q.Select('ref', q.Var('k')))]), expect: [true, 'admin', true] },
  { name: 'CreateKey server answers a secret', query: q.Let({ k: q.CreateKey({ role: 'server' }) }, [q.IsString(q.Select('secret', q.Var('k'))), q.Select('role', q.Var('k'))]), expect: [true, 'server'] },
  { name: 'the hashed secret is not the secret', query: q.Let({ k: q.CreateKey({ role: 'server' }) }, [q.Equals(q.Select('secret', q.Var('k')), q.Select('hashed_secret', q.Var('k'))), q.ContainsStr(q.Select('hashed_secret', q.Var('k')), q.Select('secret', q.Var('k')))]), expect: [false, false] },
  { name: 'a stored key never shows its secret again', setup: [serverKey], query: q.Let({ k: firstKey }, [q.ContainsField('secret', q.Var('k')), q.ContainsField('hashed_secret', q.Var('k')), q.Select('role', q.Var('k')), q.Select(['data', 'name'], q.Var('k'))]), expect: [false, true, 'server', 'k1'] },
  { name: 'Keys lists the keys', setup: [serverKey, q.CreateKey({ role: 'admin' })], query: q.Count(q.Select('data', q.Paginate(q.Keys()))), expect: 2 },
  { name: 'Delete of a key', setup: [serverKey], query: q.Do(q.Delete(q.Select('ref', firstKey)), q.Count(q.Select('data', q.Paginate(q.Keys())))), expect: 0 },
  { name: 'CreateKey refuses an unknown role', query: q.CreateKey({ role: 'superuser' }), expectError: 'validation failed' },

  { name: "a server key's secret opens its database", setup: [q.CreateCollection({ name: 'notes' })], as: { key: 'server' }, query: q.Select(['data', 'text'], q.Create(q.Collection('notes'), { data: { text: 'hi' } })), expect: 'hi' },
  { name: 'a server key may create schema', as: { key: 'server' }, query: q.Select('name', q.CreateCollection({ name: 'made_by_server' })), expect: 'made_by_server' },
  { name: 'a server key may not create a database', as: { key: 'server' }, query: q.CreateDatabase({ name: 'sub' }), expectError: 'permission denied' },
  { name: 'a server key may not create a key', as: { key: 'server' }, query: q.CreateKey({ role: 'server' }), expectError: 'permission denied' },
  { name: 'a scoped server secret may not create a database', as: 'server', query: q.CreateDatabase({ name: 'sub' }), expectError: 'permission denied' },
  { name: 'a permission failure writes nothing', setup: [q.CreateCollection({ name: 'notes' })], as: { key: 'server' }, query: q.Do(q.Create(q.Collection('notes'), { data: {} }), q.CreateDatabase({ name: 'sub' })), expectError: 'permission denied', afterwards: { query: q.Count(q.Documents(q.Collection('notes'))), expect: 0 } },
  // Fauna's older built-in roles, as its server still read them (Auth.scala, Permissions.scala):
  // server-readonly reads as a server and may do nothing else; client is granted nothing.
  { name: 'CreateKey takes the roles server-readonly and client', query: [q.Select('role', q.CreateKey({ role: 'server-readonly' })), q.Select('role', q.CreateKey({ role: 'client' }))], expect: ['server-readonly', 'client'] },
  { name: 'a server-readonly key reads documents, indexes and schema', setup: [q.CreateCollection({ name: 'notes' }), q.CreateIndex({ name: 'notes_by_text', source: q.Collection('notes'), terms: [{ field: ['data', 'text'] }] }), q.Create(q.Ref(q.Collection('notes'), '1'), { data: { text: 'hi' } })], as: { key: 'server-readonly' }, query: [q.Select(['data', 'text'], q.Get(q.Ref(q.Collection('notes'), '1'))), q.Count(q.Match(q.Index('notes_by_text'), 'hi')), q.Select('name', q.Get(q.Collection('notes')))], expect: ['hi', 1, 'notes'] },
  { name: 'a server-readonly key may not create a document', setup: [q.CreateCollection({ name: 'notes' })], as: { key: 'server-readonly' }, query: q.Create(q.Collection('notes'), { data: {} }), expectError: 'permission denied', afterwards: { query: q.Count(q.Documents(q.Collection('notes'))), expect: 0 } },
  { name: 'a server-readonly key may not update or delete a document', setup: [q.CreateCollection({ name: 'notes' }), q.Create(q.Ref(q.Collection('notes'), '1'), { data: { text: 'hi' } })], as: { key: 'server-readonly' }, query: q.Do(q.Update(q.Ref(q.Collection('notes'), '1'), { data: { text: 'changed' } }), q.Delete(q.Ref(q.Collection('notes'), '1'))), expectError: 'permission denied', afterwards: { query: q.Select(['data', 'text'], q.Get(q.Ref(q.Collection('notes'), '1'))), expect: 'hi' } },
  { name: 'a server-readonly key may not create schema', as: { key: 'server-readonly' }, query: q.CreateCollection({ name: 'made' }), expectError: 'permission denied', afterwards: { query: q.Exists(q.Collection('made')), expect: false } },
  { name: 'a server-readonly key may not call a function', setup: [q.CreateFunction({ name: 'one', body: q.Query(q.Lambda('_', 1)) })], as: { key: 'server-readonly' }, query: q.Call(q.Function('one'), 0), expectError: 'permission denied' },
  { name: 'a client key is granted nothing', setup: [q.CreateCollection({ name: 'notes' }), q.Create(q.Ref(q.Collection('notes'), '1'), { data: {} })], as: { key: 'client' }, query: q.Get(q.Ref(q.Collection('notes'), '1')), expectError: 'permission denied' },
  { name: 'a client key evaluates what touches no data', as: { key: 'client' }, query: q.Add(1, 1), expect: 2 },
  { name: "an admin key's secret may create a database", as: { key: 'admin' }, query: q.Select('name', q.CreateDatabase({ name: 'sub' })), expect: 'sub' },
  { name: 'a key made for a child database acts in the child', setup: [q.CreateDatabase({ name: 'child' }), inDb('child', q.CreateCollection({ name: 'inner' }))], as: { key: 'admin', database: 'child' }, query: q.Paginate(q.Collections()), expect: { data: [q.Collection('inner')] } },
  { name: 'a secret nobody has is unauthorized', as: 'bad-secret', query: q.Add(1, 1), expectError: 'unauthorized' },
  { name: 'a scoped secret naming a missing database is unauthorized', query: inDb('missing', q.Add(1, 1)), expectError: 'unauthorized' },
];
