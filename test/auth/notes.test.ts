/**
 * Per-user data that the database guards: the demo's notes through functions/notes.ts (db(req)),
 * and the engine itself with each user's own token. Nothing in the notes code checks an owner:
 * every refusal below is the engine's `owner` role (fauna-schema/owned-data.ts).
 */

import faunadb from 'faunadb';
import { describe, expect, it } from 'vitest';
import { endpoint } from '../../shared/endpoint.ts';
import { json } from '../../shared/http.ts';
import { db, userQuery } from '../../shared/user/index.ts';
import { Browser, errorCode, latestLink, signedIn, useAuthWorld, type AuthWorld } from './harness.ts';

const q = faunadb.query;
const world = useAuthWorld();

interface Note {
  readonly id: string;
  readonly text: string;
}

async function sessionOf(browser: Browser): Promise<{ userId: string; sessionId: string }> {
  const body = (await browser.get('/api/auth/session')).body as { user: { id: string }; session: { id: string } };
  return { userId: body.user.id, sessionId: body.session.id };
}

async function addNote(browser: Browser, text: string): Promise<Note> {
  const res = await browser.post('/api/notes', { text });
  expect(res.status, res.text).toBe(201);
  return (res.body as { note: Note }).note;
}

async function listed(browser: Browser): Promise<string[]> {
  const res = await browser.get('/api/notes');
  expect(res.status, res.text).toBe(200);
  return (res.body as { notes: Note[] }).notes.map((n) => n.text);
}

/** The engine error code of a query, or 'ok'. */
async function engineAnswer(client: Querier, expr: faunadb.Expr): Promise<string> {
  try {
    await client.query(expr);
    return 'ok';
  } catch (err) {
    return (err as { requestResult?: { responseContent?: { errors?: { code: string }[] } } }).requestResult?.responseContent?.errors?.[0]?.code ?? String(err);
  }
}

interface Querier {
  query(expr: faunadb.Expr): Promise<unknown>;
}

/** Queries as an account, with a token of its own made by the server key (as db(req) does), sent as the query's secret. */
async function tokenClient(w: AuthWorld, accountId: string): Promise<Querier> {
  const token = await w.db.client.query<{ secret: string }>(q.Create(q.Tokens(), { instance: q.Ref(q.Collection('accounts'), accountId) }));
  return { query: (expr) => w.db.client.query(expr, { secret: token.secret }) };
}

async function engineTokensOf(w: AuthWorld, sessionId: string): Promise<number> {
  return w.db.client.query<number>(q.Count(q.Match(q.Index('tokens_by_session'), q.Ref(q.Collection('sessions'), sessionId))));
}

describe('the notes of one user, through functions/notes.ts', () => {
  it('lists, creates, reads, edits and deletes, newest change first', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    expect(await listed(ann)).toEqual([]);
    const first = await addNote(ann, 'first');
    await addNote(ann, 'second');
    expect(await listed(ann)).toEqual(['second', 'first']);
    const edited = await ann.patch(`/api/notes/${first.id}`, { text: 'first, edited' });
    expect(edited.status, edited.text).toBe(200);
    expect(await listed(ann)).toEqual(['first, edited', 'second']);
    expect(((await ann.get(`/api/notes/${first.id}`)).body as { note: Note }).note.text).toBe('first, edited');
    expect((await ann.delete(`/api/notes/${first.id}`)).status).toBe(204);
    expect(await listed(ann)).toEqual(['second']);
    const gone = await ann.get(`/api/notes/${first.id}`);
    expect([gone.status, errorCode(gone)]).toEqual([404, 'not_found']);
  });

  it('refuses nobody (401), bad text (400), a bad id (404) and a cross-site write (403)', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const nobody = await new Browser().get('/api/notes');
    expect([nobody.status, errorCode(nobody)]).toEqual([401, 'unauthenticated']);
    for (const body of [{}, { text: '' }, { text: 7 }, { text: 'x'.repeat(10_001) }])
      expect(errorCode(await ann.post('/api/notes', body))).toBe('invalid_body');
    for (const path of ['/api/notes/abc', '/api/notes/1.html', '/api/notes/0']) expect(errorCode(await ann.get(path))).toBe('not_found');
    expect(errorCode(await ann.post('/api/notes', { text: 'x' }, { origin: 'https://evil.example' }))).toBe('cross_origin');
    expect(await listed(ann)).toEqual([]);
  });

  it('accepts the access token as a Bearer header (a client that is not a browser)', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    await addNote(ann, 'from the browser');
    const bearer = await new Browser().get('/api/notes', { headers: { authorization: `Bearer ${ann.jar.get('access_token')}` } });
    expect((bearer.body as { notes: Note[] }).notes.map((n) => n.text)).toEqual(['from the browser']);
  });
});

describe('two users cannot see or touch each other’s notes', () => {
  it('through the functions: each lists only their own; another’s note by id is refused by the engine, answered as missing (404)', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const bob = await signedIn(world, 'bob@example.com');
    const secret = await addNote(ann, "ann's secret");
    await addNote(bob, "bob's note");
    expect(await listed(ann)).toEqual(["ann's secret"]);
    expect(await listed(bob)).toEqual(["bob's note"]);
    for (
      const res of [
        await bob.get(`/api/notes/${secret.id}`),
        await bob.patch(`/api/notes/${secret.id}`, { text: 'mine now' }),
        await bob.delete(`/api/notes/${secret.id}`),
      ]
    ) {
      expect([res.status, errorCode(res)]).toEqual([404, 'not_found']);
    }
    expect(((await ann.get(`/api/notes/${secret.id}`)).body as { note: Note }).note.text).toBe("ann's secret");
  });

  it('even a function with a bug (it reads every note, or any note by id) gets permission denied from the engine', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const bob = await signedIn(world, 'bob@example.com');
    const secret = await addNote(ann, "ann's secret");
    const everyNote = endpoint({
      GET: async (req, ctx) =>
        json(200, await userQuery(db(req, ctx), q.Map(q.Paginate(q.Documents(q.Collection('notes'))), q.Lambda('r', q.Get(q.Var('r')))))),
    });
    const request = (b: Browser): Request =>
      new Request('http://localhost:8888/api/buggy', { headers: { cookie: `access_token=${b.jar.get('access_token')}` } });
    const res = await everyNote.withContext(world.contexts)(request(bob), {} as never);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    const byId = endpoint({ GET: async (req, ctx) => json(200, await userQuery(db(req, ctx), q.Get(q.Ref(q.Collection('notes'), secret.id)))) });
    expect((await byId.withContext(world.contexts)(request(bob), {} as never)).status).toBe(403);
    expect((await byId.withContext(world.contexts)(request(ann), {} as never)).status).toBe(200);
  });

  it("through the engine directly, with each user's own token", async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const bob = await signedIn(world, 'bob@example.com');
    const annId = (await sessionOf(ann)).userId;
    const bobId = (await sessionOf(bob)).userId;
    const annNote = q.Ref(q.Collection('notes'), (await addNote(ann, "ann's")).id);
    const bobNote = q.Ref(q.Collection('notes'), (await addNote(bob, "bob's")).id);
    const asAnn = await tokenClient(world, annId);
    const asBob = await tokenClient(world, bobId);
    const annRef = q.Ref(q.Collection('accounts'), annId);
    const bobRef = q.Ref(q.Collection('accounts'), bobId);
    const byOwner = (owner: faunadb.Expr): faunadb.Expr => q.Paginate(q.Match(q.Index('notes_by_owner'), owner));

    // Each reads, lists, edits and deletes their own.
    expect(await engineAnswer(asAnn, q.Get(annNote))).toBe('ok');
    expect(await engineAnswer(asAnn, byOwner(annRef))).toBe('ok');
    expect(await engineAnswer(asBob, q.Update(bobNote, { data: { text: 'edited' } }))).toBe('ok');
    expect(await engineAnswer(asBob, q.Create(q.Collection('notes'), { data: { owner: bobRef, text: 'new' } }))).toBe('ok');

    // Nothing of the other's.
    const refused = {
      'read ann’s note': await engineAnswer(asBob, q.Get(annNote)),
      'list ann’s notes': await engineAnswer(asBob, byOwner(annRef)),
      'edit ann’s note': await engineAnswer(asBob, q.Update(annNote, { data: { text: 'mine' } })),
      'delete ann’s note': await engineAnswer(asBob, q.Delete(annNote)),
      'create a note for ann': await engineAnswer(asBob, q.Create(q.Collection('notes'), { data: { owner: annRef, text: 'planted' } })),
      'give his note to ann': await engineAnswer(asBob, q.Update(bobNote, { data: { owner: annRef } })),
      'scan every note': await engineAnswer(asBob, q.Map(q.Paginate(q.Documents(q.Collection('notes'))), q.Lambda('r', q.Get(q.Var('r'))))),
      'read ann’s account': await engineAnswer(asBob, q.Get(annRef)),
      'read the sessions': await engineAnswer(asBob, q.Paginate(q.Documents(q.Collection('sessions')))),
      'ann reads bob’s note': await engineAnswer(asAnn, q.Get(bobNote)),
    };
    expect(Object.values(refused)).toEqual(Object.values(refused).map(() => 'permission denied'));
    expect(await listed(ann)).toEqual(["ann's"]);
  });
});

describe('engine tokens die with their session', () => {
  it('at logout: the session’s tokens are deleted, and its old access token gets 401, not data', async () => {
    const ann = await signedIn(world, 'ann@example.com');
    const { sessionId } = await sessionOf(ann);
    await addNote(ann, 'kept');
    expect(await engineTokensOf(world, sessionId)).toBe(1);
    await listed(ann);
    expect(await engineTokensOf(world, sessionId)).toBe(1);
    const stolen = ann.fork();
    expect((await ann.post('/api/auth/logout', {})).status).toBe(200);
    expect(await engineTokensOf(world, sessionId)).toBe(0);
    // The access JWT is still valid for a while; the database is what says no.
    expect((await stolen.get('/api/auth/session')).status).toBe(200);
    const res = await stolen.get('/api/notes');
    expect([res.status, errorCode(res)]).toEqual([401, 'unauthenticated']);
    expect(await engineTokensOf(world, sessionId)).toBe(0);
  });

  it('on revocation from another session, and on a password reset', async () => {
    const phone = await signedIn(world, 'ann@example.com');
    const laptop = new Browser('laptop');
    expect((await laptop.post('/api/auth/login', { email: 'ann@example.com', password: 'correct horse battery staple' })).status).toBe(200);
    const phoneSession = (await sessionOf(phone)).sessionId;
    const laptopSession = (await sessionOf(laptop)).sessionId;
    await listed(phone);
    await listed(laptop);
    expect((await laptop.delete(`/api/auth/sessions/${phoneSession}`)).status).toBe(204);
    expect(await engineTokensOf(world, phoneSession)).toBe(0);
    expect((await phone.get('/api/notes')).status).toBe(401);
    expect(await engineTokensOf(world, laptopSession)).toBe(1);

    expect((await new Browser().post('/api/auth/password/forgot', { email: 'ann@example.com' })).status).toBe(202);
    const { link } = await latestLink(world.mailbox, 'ann@example.com', '/api/auth/password/reset');
    const token = new URL(link).searchParams.get('token') ?? '';
    expect((await new Browser().post('/api/auth/password/reset', { token, password: 'a brand new passphrase' })).status).toBe(200);
    expect(await engineTokensOf(world, laptopSession)).toBe(0);
    expect((await laptop.get('/api/notes')).status).toBe(401);
  });
});
