import faunadb from 'faunadb';
import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest';
import { faunaCode } from '../shared/fql/driver-errors.ts';
import { closeAuthEngine, emptyDatabase, type AuthDatabase } from '../test/support/auth-db.ts';
import { applySchema, SchemaMigrationError, type SchemaChange } from './apply.ts';
import { withOwnedData } from './owned-data.ts';
import { APP_SCHEMA, AUTH_SCHEMA, type SchemaSpec } from './schema.ts';

/** Every object the app's schema creates (one change each; the timing account is a line, not a change). */
const CHANGES = APP_SCHEMA.collections.length + APP_SCHEMA.indexes.length + APP_SCHEMA.functions.length + (APP_SCHEMA.roles?.length ?? 0);

const q = faunadb.query;

let db: AuthDatabase;
let lines: string[];
const log = (line: string): void => void lines.push(line);

beforeEach(async () => {
  db = await emptyDatabase();
  lines = [];
});
afterEach(() => db.close());
afterAll(() => closeAuthEngine());

function withCollection(schema: SchemaSpec, name: string, change: Partial<SchemaSpec['collections'][number]>): SchemaSpec {
  return { ...schema, collections: schema.collections.map((c) => (c.name === name ? { ...c, ...change } : c)) };
}

function withIndex(schema: SchemaSpec, name: string, change: Partial<SchemaSpec['indexes'][number]>): SchemaSpec {
  return { ...schema, indexes: schema.indexes.map((i) => (i.name === name ? { ...i, ...change } : i)) };
}

async function names(set: faunadb.Expr): Promise<string[]> {
  const page = await db.client.query<{ data: faunadb.values.Ref[] }>(q.Paginate(set));
  return page.data.map((ref) => ref.id).sort();
}

interface IndexDoc {
  source: faunadb.values.Ref;
  terms?: unknown;
  values?: unknown;
  unique: boolean;
}

describe('applySchema on a fresh database', () => {
  test('creates every collection and index of the design, and says so', async () => {
    const changes = await applySchema(db.adminClient, { log });
    expect(await names(q.Collections())).toEqual([
      'accounts',
      'anomalies',
      'audit_events',
      'email_tokens',
      'invitations',
      'notes',
      'rate_events',
      'refresh_tokens',
      'sessions',
    ]);
    expect(await names(q.Indexes())).toEqual([
      'accounts_by_email',
      'accounts_by_email_prefix',
      'anomalies_by_account',
      'audit_events_by_account',
      'audit_events_by_actor',
      'email_tokens_by_account',
      'email_tokens_by_email',
      'email_tokens_by_hash',
      'invitations_by_email',
      'invitations_by_hash',
      'invitations_by_inviter',
      'notes_by_owner',
      'rate_events_by_key',
      'rate_events_by_key_order',
      'refresh_tokens_by_account',
      'refresh_tokens_by_hash',
      'refresh_tokens_by_session',
      'sessions_by_account',
      'tokens_by_session',
    ]);
    expect(await names(q.Roles())).toEqual(['owner']);
    expect(changes).toHaveLength(CHANGES);
    expect(changes.every((c) => c.action === 'created')).toBe(true);
    expect(lines).toHaveLength(CHANGES + 1);
    expect(lines).toContain('created role owner (2 privileges)');
    expect(lines).toContain('created the timing account (accounts/1)');
    expect(lines).toContain('created collection email_tokens (ttl_days 7)');
    expect(lines).toContain('created index accounts_by_email (terms [data.email], unique)');
    expect(lines).not.toContain('schema up to date');
  });

  test('sets ttl_days where the data model says (docs/ARCHITECTURE.md), and nowhere else', async () => {
    await applySchema(db.adminClient, { log });
    const ttl = await db.client.query<Record<string, number | null>>(
      q.ToObject(
        q.Select(
          'data',
          q.Map(q.Paginate(q.Collections()), q.Lambda('c', [q.Select('name', q.Get(q.Var('c'))), q.Select('ttl_days', q.Get(q.Var('c')), null)])),
        ),
      ),
    );
    expect(ttl).toEqual({
      accounts: null,
      sessions: null,
      refresh_tokens: null,
      email_tokens: 7,
      rate_events: 1,
      anomalies: null,
      audit_events: null,
      invitations: null,
      notes: null,
    });
  });

  test('keeps no history anywhere: an old version of an account or a token must not outlive it', async () => {
    await applySchema(db.adminClient, { log });
    const kept = await db.client.query<number[]>(
      q.Select('data', q.Map(q.Paginate(q.Collections()), q.Lambda('c', q.Select('history_days', q.Get(q.Var('c')), -1)))),
    );
    expect(kept.length).toBe(APP_SCHEMA.collections.length);
    expect(new Set(kept)).toEqual(new Set([0]));
  });

  test('a collection made with the default history (30 days) is set to keep none', async () => {
    await db.adminClient.query(q.CreateCollection({ name: 'sessions' }));
    const changes = await applySchema(db.adminClient, { log });
    expect(changes).toContainEqual<SchemaChange>({ action: 'updated', kind: 'collection', name: 'sessions', details: ['history_days 30 -> 0'] });
    expect(await db.client.query(q.Select('history_days', q.Get(q.Collection('sessions'))))).toBe(0);
  });

  test('defines the indexes exactly as the queries in shared/fql rely on them', async () => {
    await applySchema(db.adminClient, { log });
    const get = (name: string): Promise<IndexDoc> => db.client.query<IndexDoc>(q.Get(q.Index(name)));
    const rate = await get('rate_events_by_key');
    expect(rate.source.id).toBe('rate_events');
    expect(rate.terms).toEqual([{ field: ['data', 'key'] }]);
    expect(rate.values).toEqual([{ field: ['data', 'at'], reverse: true }, { field: ['ref'] }]);
    expect(rate.unique).toBe(false);
    for (
      const [name, source, field, unique] of [
        ['accounts_by_email', 'accounts', 'email', true],
        ['sessions_by_account', 'sessions', 'account', false],
        ['refresh_tokens_by_hash', 'refresh_tokens', 'jti_hash', true],
        ['refresh_tokens_by_session', 'refresh_tokens', 'session', false],
        ['refresh_tokens_by_account', 'refresh_tokens', 'account', false],
        ['email_tokens_by_hash', 'email_tokens', 'token_hash', true],
        ['email_tokens_by_account', 'email_tokens', 'account', false],
        ['invitations_by_hash', 'invitations', 'token_hash', true],
        ['invitations_by_email', 'invitations', 'email', false],
        ['invitations_by_inviter', 'invitations', 'invited_by', false],
      ] as const
    ) {
      const index = await get(name);
      expect({ name, source: index.source.id, terms: index.terms, unique: index.unique }).toEqual({
        name,
        source,
        terms: [{ field: ['data', field] }],
        unique,
      });
    }
  });

  test('a second run changes nothing and says "schema up to date"', async () => {
    await applySchema(db.adminClient, { log });
    lines = [];
    const before = await db.client.query<number[]>(q.Map(q.Paginate(q.Indexes()), q.Lambda('i', q.Select('ts', q.Get(q.Var('i'))))));
    expect(await applySchema(db.adminClient, { log })).toEqual([]);
    expect(lines).toEqual(['schema up to date']);
    const after = await db.client.query<number[]>(q.Map(q.Paginate(q.Indexes()), q.Lambda('i', q.Select('ts', q.Get(q.Var('i'))))));
    expect(after).toEqual(before);
  });

  test('two runs at once both succeed and create each object once', async () => {
    const [a, b] = await Promise.all([applySchema(db.adminClient, { log }), applySchema(db.adminClient, { log })]);
    expect(a.length + b.length).toBe(CHANGES);
    expect(await names(q.Indexes())).toHaveLength(APP_SCHEMA.indexes.length);
  });

  test('creating the admin search index gives accounts made before it their search prefixes', async () => {
    const before: SchemaSpec = { ...AUTH_SCHEMA, indexes: AUTH_SCHEMA.indexes.filter((i) => i.name !== 'accounts_by_email_prefix') };
    await applySchema(db.adminClient, { log: () => {}, schema: before });
    await db.client.query(q.Create(q.Collection('accounts'), { data: { email: 'old@example.com', email_verified: true } }));
    await applySchema(db.adminClient, { log });
    expect(lines).toContain('gave 1 existing accounts their search prefixes (accounts_by_email_prefix)');
    const found = await db.client.query<{ data: unknown[] }>(q.Paginate(q.Match(q.Index('accounts_by_email_prefix'), 'old@')));
    expect(found.data).toHaveLength(1);
    // The timing account has no address, and gets none.
    const timing = await db.client.query<{ data: Record<string, unknown> }>(q.Get(q.Ref(q.Collection('accounts'), '1')));
    expect(timing.data.email_prefixes).toBeUndefined();
  });
});

describe('applySchema on a database that differs', () => {
  beforeEach(async () => {
    await applySchema(db.adminClient, { log: () => {} });
  });

  test('a changed ttl_days is updated, then the next run finds nothing to do', async () => {
    const schema = withCollection(AUTH_SCHEMA, 'email_tokens', { ttl_days: 3 });
    const changed = await applySchema(db.adminClient, { log, schema });
    expect(changed).toEqual<SchemaChange[]>([{ action: 'updated', kind: 'collection', name: 'email_tokens', details: ['ttl_days 7 -> 3'] }]);
    expect(lines).toEqual(['updated collection email_tokens: ttl_days 7 -> 3']);
    expect(await db.client.query(q.Select('ttl_days', q.Get(q.Collection('email_tokens'))))).toBe(3);
    expect(await applySchema(db.adminClient, { log, schema })).toEqual([]);
    expect(await applySchema(db.adminClient, { log, schema: AUTH_SCHEMA })).toHaveLength(1);
    expect(await db.client.query(q.Select('ttl_days', q.Get(q.Collection('email_tokens'))))).toBe(7);
  });

  test('a ttl_days dropped from the schema is reported as removed', async () => {
    const changes = await applySchema(db.adminClient, { log, schema: withCollection(AUTH_SCHEMA, 'email_tokens', { ttl_days: undefined }) });
    expect(changes).toEqual([{ action: 'updated', kind: 'collection', name: 'email_tokens', details: ['ttl_days 7 -> none'] }]);
  });

  // Fauna removes a field that an Update sets to null; so does the engine.
  test('a ttl_days dropped from the schema is removed from the collection', async () => {
    await applySchema(db.adminClient, { log, schema: withCollection(AUTH_SCHEMA, 'email_tokens', { ttl_days: undefined }) });
    expect(await db.client.query(q.Select('ttl_days', q.Get(q.Collection('email_tokens')), 'none'))).toBe('none');
  });

  test("an index's data is updated in place, keys dropped from the schema are removed", async () => {
    await applySchema(db.adminClient, { log, schema: withIndex(AUTH_SCHEMA, 'sessions_by_account', { data: { note: 'a', owner: 'auth' } }) });
    const changes = await applySchema(db.adminClient, { log, schema: withIndex(AUTH_SCHEMA, 'sessions_by_account', { data: { owner: 'auth' } }) });
    expect(changes).toEqual([{ action: 'updated', kind: 'index', name: 'sessions_by_account', details: ['data'] }]);
    expect(await db.client.query(q.Select('data', q.Get(q.Index('sessions_by_account'))))).toEqual({ owner: 'auth' });
  });

  test('changed index terms throw a clear SchemaMigrationError and nothing is written', async () => {
    const schema = withCollection(withIndex(AUTH_SCHEMA, 'accounts_by_email', { terms: [{ field: ['data', 'address'] }] }), 'rate_events', { ttl_days: 2 });
    const run = applySchema(db.adminClient, { log, schema });
    await expect(run).rejects.toBeInstanceOf(SchemaMigrationError);
    await expect(run).rejects.toThrow(/index accounts_by_email: terms is \[data\.email\] in the database, \[data\.address\] in the schema/);
    await expect(run).rejects.toThrow(/nothing was changed/);
    expect(lines).toEqual([]);
    expect(await db.client.query(q.Select('ttl_days', q.Get(q.Collection('rate_events'))))).toBe(1);
  });

  test('changed values, source and unique are each reported', async () => {
    let schema = withIndex(AUTH_SCHEMA, 'rate_events_by_key', { values: [{ field: ['data', 'at'] }, { field: ['ref'] }] });
    schema = withIndex(schema, 'sessions_by_account', { source: 'anomalies' });
    schema = withIndex(schema, 'email_tokens_by_hash', { unique: false });
    const error = await applySchema(db.adminClient, { log, schema }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SchemaMigrationError);
    expect((error as SchemaMigrationError).conflicts).toEqual([
      { index: 'sessions_by_account', property: 'source', database: '[sessions]', schema: '[anomalies]' },
      { index: 'email_tokens_by_hash', property: 'unique', database: 'true', schema: 'false' },
      { index: 'rate_events_by_key', property: 'values', database: '[data.at (reverse), ref]', schema: '[data.at, ref]' },
    ]);
  });

  test('an index deleted by hand (the documented migration) is rebuilt from the documents', async () => {
    await db.client.query(q.Create(q.Collection('accounts'), { data: { email: 'a@example.com' } }));
    await db.client.query(q.Delete(q.Index('accounts_by_email')));
    expect(await applySchema(db.adminClient, { log })).toEqual([
      { action: 'created', kind: 'index', name: 'accounts_by_email', details: ['terms [data.email]', 'unique'] },
    ]);
    expect(await db.client.query(q.Exists(q.Match(q.Index('accounts_by_email'), 'a@example.com')))).toBe(true);
  });
});

describe('user-defined functions', () => {
  const lookup = (field: string): SchemaSpec => ({
    ...AUTH_SCHEMA,
    functions: [{
      name: 'account_field',
      body: q.Query(q.Lambda('email', q.Select(['data', field], q.Get(q.Match(q.Index('accounts_by_email'), q.Var('email')))))),
    }],
  });

  test('are created, updated when their body changes, and left alone when it does not', async () => {
    await applySchema(db.adminClient, { log: () => {}, schema: lookup('email') });
    await db.client.query(q.Create(q.Collection('accounts'), { data: { email: 'a@example.com', name: 'Ada' } }));
    expect(await db.client.query(q.Call('account_field', 'a@example.com'))).toBe('a@example.com');

    expect(await applySchema(db.adminClient, { log, schema: lookup('email') })).toEqual([]);
    const changes = await applySchema(db.adminClient, { log, schema: lookup('name') });
    expect(changes).toEqual([{ action: 'updated', kind: 'function', name: 'account_field', details: ['body'] }]);
    expect(await db.client.query(q.Call('account_field', 'a@example.com'))).toBe('Ada');
  });

  const withServerRole = (schema: SchemaSpec): SchemaSpec => ({ ...schema, functions: schema.functions.map((f) => ({ ...f, role: 'server' as const })) });

  test('a role is set, and its removal is reported', async () => {
    await applySchema(db.adminClient, { log: () => {}, schema: lookup('name') });
    expect((await applySchema(db.adminClient, { log, schema: withServerRole(lookup('name')) }))[0]?.details).toEqual(['role none -> server']);
    expect(await db.client.query(q.Select('role', q.Get(q.Function('account_field'))))).toBe('server');
    expect((await applySchema(db.adminClient, { log, schema: lookup('name') }))[0]?.details).toEqual(['role server -> none']);
  });

  test('a role dropped from the schema is removed from the function', async () => {
    await applySchema(db.adminClient, { log: () => {}, schema: withServerRole(lookup('name')) });
    await applySchema(db.adminClient, { log, schema: lookup('name') });
    expect(await db.client.query(q.Select('role', q.Get(q.Function('account_field')), 'none'))).toBe('none');
  });

  test('a body that is not Query(Lambda) is refused before anything is written', async () => {
    const schema: SchemaSpec = { ...AUTH_SCHEMA, functions: [{ name: 'bad', body: q.Lambda('x', q.Var('x')) }] };
    await expect(applySchema(db.adminClient, { log, schema })).rejects.toThrow(/function bad must be q\.Query\(q\.Lambda/);
    expect(await names(q.Collections())).toEqual([]);
  });
});

describe('the indexes enforce what the design relies on', () => {
  beforeEach(async () => {
    await applySchema(db.adminClient, { log: () => {} });
  });

  async function errorCode(expr: faunadb.Expr): Promise<string | undefined> {
    const err = await db.client.query(expr).then(
      () => undefined,
      (e: unknown) => e,
    );
    return faunaCode(err);
  }

  test("two accounts with one email: 'instance not unique'", async () => {
    const account = q.Create(q.Collection('accounts'), { data: { email: 'same@example.com', email_verified: false } });
    expect(await errorCode(account)).toBeUndefined();
    expect(await errorCode(account)).toBe('instance not unique');
    expect(await db.client.query(q.Count(q.Match(q.Index('accounts_by_email'), 'same@example.com')))).toBe(1);
  });

  test('twenty concurrent sign-ups with one email make one account', async () => {
    const account = q.Create(q.Collection('accounts'), { data: { email: 'race@example.com' } });
    const codes = await Promise.all(Array.from({ length: 20 }, () => errorCode(account)));
    expect(codes.filter((c) => c === undefined)).toHaveLength(1);
    expect(new Set(codes.filter((c) => c !== undefined))).toEqual(new Set(['instance not unique']));
  });

  test('token hashes are unique too', async () => {
    const refresh = q.Create(q.Collection('refresh_tokens'), { data: { jti_hash: 'h1', used: false } });
    const email = q.Create(q.Collection('email_tokens'), { data: { token_hash: 'h1', kind: 'verify' } });
    expect([await errorCode(refresh), await errorCode(email)]).toEqual([undefined, undefined]);
    expect([await errorCode(refresh), await errorCode(email)]).toEqual(['instance not unique', 'instance not unique']);
  });

  test('rate events of a key come newest first', async () => {
    for (const at of ['2025-01-01T00:00:01Z', '2025-01-01T00:00:03Z', '2025-01-01T00:00:02Z']) {
      await db.client.query(q.Create(q.Collection('rate_events'), { data: { key: 'k', at: q.Time(at) } }));
    }
    await db.client.query(q.Create(q.Collection('rate_events'), { data: { key: 'other', at: q.Now() } }));
    const page = await db.client.query<{ data: [faunadb.values.FaunaTime, faunadb.values.Ref][] }>(q.Paginate(q.Match(q.Index('rate_events_by_key'), 'k')));
    expect(page.data.map(([at]) => at.date.toISOString())).toEqual(['2025-01-01T00:00:03.000Z', '2025-01-01T00:00:02.000Z', '2025-01-01T00:00:01.000Z']);
  });
});

describe('roles', () => {
  const withNotesAnd = (extra: readonly string[]): SchemaSpec => withOwnedData(AUTH_SCHEMA, ['notes', ...extra]);

  test('a role is created once, left alone while its spec is the same, and updated whole when it changes', async () => {
    await applySchema(db.adminClient, { log: () => {}, schema: withNotesAnd([]) });
    expect(await applySchema(db.adminClient, { log, schema: withNotesAnd([]) })).toEqual([]);
    const changes = await applySchema(db.adminClient, { log, schema: withNotesAnd(['todos']) });
    expect(changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(['created collection todos', 'created index todos_by_owner', 'updated role owner']);
    const privileges = await db.adminClient.query<{ resource: faunadb.values.Ref }[]>(q.Select('privileges', q.Get(q.Role('owner'))));
    expect(privileges.map((p) => p.resource.id)).toEqual(['notes', 'notes_by_owner', 'todos', 'todos_by_owner']);
  });

  test('a server key cannot apply a schema with roles: the engine refuses, and nothing is written', async () => {
    const err = await applySchema(db.client, { log }).catch((e: unknown) => e);
    expect((err as { requestResult?: { responseContent?: { errors?: { code: string }[] } } }).requestResult?.responseContent?.errors?.[0]?.code).toBe(
      'permission denied',
    );
    expect(await names(q.Collections())).toEqual([]);
  });

  test('an index over the built-in Tokens() is made with Tokens() as its source', async () => {
    await applySchema(db.adminClient, { log: () => {} });
    const index = await db.client.query<IndexDoc>(q.Get(q.Index('tokens_by_session')));
    expect(index.source).toBeInstanceOf(faunadb.values.Ref);
    expect([index.source.id, index.source.collection]).toEqual(['tokens', undefined]);
    expect(await applySchema(db.adminClient, { log })).toEqual([]);
  });
});
