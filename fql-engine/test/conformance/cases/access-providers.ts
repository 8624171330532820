/**
 * Access providers as schema objects (issue 14 §2): CreateAccessProvider, AccessProvider(s),
 * Get, Exists, Paginate, Update, Replace, Delete, the generated audience and Fauna's validation.
 * A JWT acting through a provider needs a JWKS server: test/conformance/access-provider-jwt.test.ts.
 */

import { inDb, q, type Case } from '../harness.ts';

const reader = q.CreateRole({ name: 'reader', privileges: [] });
const writer = q.CreateRole({ name: 'writer', privileges: [] });
const JWKS = 'https://idp.example.com/.well-known/jwks.json';
const provider = (extra: object = {}) => q.CreateAccessProvider({ name: 'idp', issuer: 'https://idp.example.com/', jwks_uri: JWKS, roles: [q.Role('reader')], ...extra });
const withProvider = [reader, provider()];
const idp = q.AccessProvider('idp');
const AUDIENCE = 'https://db.fauna.com/db/';

export const accessProviderCases: readonly Case[] = [
  { name: 'CreateAccessProvider answers its ref, name, issuer, jwks_uri and roles', setup: [reader], query: q.Let({ p: provider() }, [q.Select('ref', q.Var('p')), q.Select('name', q.Var('p')), q.Select('issuer', q.Var('p')), q.Select('jwks_uri', q.Var('p')), q.Select('roles', q.Var('p'))]), expect: [q.AccessProvider('idp'), 'idp', 'https://idp.example.com/', JWKS, [q.Role('reader')]] },
  { name: "the audience is Fauna's URL of the database's global id", setup: [q.CreateDatabase({ name: 'child' }), inDb('child', reader), inDb('child', provider())], query: q.Equals(q.Select('audience', q.Get(q.Ref(q.AccessProviders(q.Database('child')), 'idp'))), q.Concat([AUDIENCE, q.Select('global_id', q.Get(q.Database('child')))])), expect: true },
  { name: 'Get of an access provider shows what was created', setup: withProvider, query: q.Let({ p: q.Get(idp) }, [q.Select('issuer', q.Var('p')), q.StartsWith(q.Select('audience', q.Var('p')), AUDIENCE), q.IsTimestamp(q.Select('ts', q.Var('p'))), q.IsRef(q.Select('ref', q.Var('p')))]), expect: ['https://idp.example.com/', true, false, true] },
  { name: 'roles may be role refs, role names, and {role, predicate} objects, shown as given', setup: [reader, writer], query: q.Let({ r: q.Select('roles', provider({ roles: [q.Role('reader'), 'writer', { role: q.Role('writer'), predicate: q.Query(q.Lambda('claims', true)) }] })) }, [q.Select(0, q.Var('r')), q.Select(1, q.Var('r')), q.Select([2, 'role'], q.Var('r')), q.IsLambda(q.Select([2, 'predicate'], q.Var('r')))]), expect: [q.Role('reader'), 'writer', q.Role('writer'), true] },
  { name: 'a provider without roles is accepted', query: q.ContainsField('roles', q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: JWKS })), expect: false },
  { name: 'Exists of access providers', setup: withProvider, query: [q.Exists(idp), q.Exists(q.AccessProvider('nope'))], expect: [true, false] },
  { name: 'Paginate(AccessProviders()) lists them', setup: [...withProvider, q.CreateAccessProvider({ name: 'other', issuer: 'o', jwks_uri: JWKS })], query: q.Paginate(q.AccessProviders()), expect: { data: [q.AccessProvider('idp'), q.AccessProvider('other')] } },
  { name: 'Update of an access provider renames it', setup: withProvider, query: q.Select('name', q.Update(idp, { name: 'renamed' })), expect: 'renamed', afterwards: { query: [q.Exists(idp), q.Exists(q.AccessProvider('renamed'))], expect: [false, true] } },
  { name: 'Update of an access provider changes its issuer and keeps its audience', setup: withProvider, query: q.Let({ before: q.Select('audience', q.Get(idp)), p: q.Update(idp, { issuer: 'https://other.example.com/' }) }, [q.Select('issuer', q.Var('p')), q.Equals(q.Var('before'), q.Select('audience', q.Var('p')))]), expect: ['https://other.example.com/', true] },
  { name: 'Replace of an access provider sets its roles', setup: [...withProvider, writer], query: q.Select('roles', q.Replace(idp, { roles: [q.Role('writer')] })), expect: [q.Role('writer')] },
  { name: 'Delete of an access provider', setup: withProvider, query: q.Select('name', q.Delete(idp)), expect: 'idp', afterwards: { query: q.Exists(idp), expect: false } },
  { name: 'an access provider past its ttl is gone', setup: [reader, provider({ ttl: q.TimeSubtract(q.Now(), 1, 'second') })], query: q.Exists(idp), expect: false },

  { name: 'CreateAccessProvider with a taken name', setup: withProvider, query: provider({ issuer: 'another' }), expectError: 'instance already exists' },
  { name: 'CreateAccessProvider with an issuer another provider has', setup: withProvider, query: q.CreateAccessProvider({ name: 'again', issuer: 'https://idp.example.com/', jwks_uri: JWKS }), expectError: 'validation failed', afterwards: { query: q.Exists(q.AccessProvider('again')), expect: false } },
  { name: 'Update to an issuer another provider has', setup: [...withProvider, q.CreateAccessProvider({ name: 'other', issuer: 'o', jwks_uri: JWKS })], query: q.Update(q.AccessProvider('other'), { issuer: 'https://idp.example.com/' }), expectError: 'validation failed' },
  { name: 'CreateAccessProvider without an issuer', query: q.CreateAccessProvider({ name: 'idp', jwks_uri: JWKS }), expectError: 'validation failed' },
  { name: 'CreateAccessProvider without a jwks_uri', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i' }), expectError: 'validation failed' },
  { name: 'a jwks_uri that is not a URI is refused', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: 'not a uri' }), expectError: 'validation failed' },
  { name: 'a jwks_uri over plain http to another machine is refused', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: 'http://idp.example.com/jwks' }), expectError: 'validation failed' },
  { name: 'a role that does not exist is refused', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: JWKS, roles: [q.Role('nope')] }), expectError: 'validation failed' },
  { name: 'a built-in role is refused', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: JWKS, roles: ['server'] }), expectError: 'validation failed' },
  { name: 'a role predicate that is not a Query is refused', setup: [reader], query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: JWKS, roles: [{ role: q.Role('reader'), predicate: true }] }), expectError: 'validation failed' },
  { name: 'an unknown field is refused', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: JWKS, audience: 'mine' }), expectError: 'validation failed' },
  { name: 'a server key may not create an access provider', as: 'server', query: q.CreateAccessProvider({ name: 'idp', issuer: 'i', jwks_uri: JWKS }), expectError: 'permission denied' },
  { name: 'a server key may not read an access provider', setup: withProvider, as: 'server', query: q.Get(idp), expectError: 'permission denied' },
  { name: 'a server key may not list access providers', setup: withProvider, as: 'server', query: q.Paginate(q.AccessProviders()), expectError: 'permission denied' },
  { name: 'a server key may not delete an access provider', setup: withProvider, as: 'server', query: q.Delete(idp), expectError: 'permission denied', afterwards: { query: q.Exists(idp), expect: true } },
];
