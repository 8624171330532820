/**
 * JWT secrets through an access provider (issue 14 §2), end to end: a JWKS server on an
 * ephemeral port of this machine publishes an RS256 key, tokens signed with it go through the
 * unmodified driver to the engine, on PGlite and on PostgreSQL. Every way a token can be wrong
 * must get Fauna's `unauthorized`, and a good one must act with the provider's roles, no more.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import faunadb from 'faunadb';
import { openEngine } from '../../engine.ts';
import { createInProcessFetch } from '../../transport/in-process.ts';
import {
  ADMIN_SECRET,
  BackendRig,
  connectionOf,
  createCaseDatabase,
  declareBackends,
  q,
  runAll,
  scopedSecret,
  type Connection,
  type Outcome,
} from './harness.ts';

const ISSUER = 'https://idp.test/';

/** A JWKS server: serves whatever keys it holds at /jwks.json (anything else is a 404), and counts its requests. */
class JwksServer {
  keys: JWK[] = [];
  requests = 0;
  private readonly server: Server = createServer((req, res) => {
    this.requests += 1;
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: this.keys }));
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks.json`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.server.close((err) => (err ? reject(err) : resolve())));
  }
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A token as an identity provider would issue it; `claims` and `key` vary it. */
async function token(audience: string, key: SigningKey, claims: JWTPayload = {}): Promise<string> {
  const base: JWTPayload = { iss: ISSUER, aud: audience, sub: 'user-42', iat: nowSeconds(), exp: nowSeconds() + 300, ...claims };
  return new SignJWT(base).setProtectedHeader({ alg: 'RS256', kid: key.kid }).sign(key.privateKey);
}

/** An HS256 token: a shared-secret signature no provider can publish, refused as Fauna refused it. */
async function hs256Token(audience: string): Promise<string> {
  return new SignJWT({ iss: ISSUER, aud: audience, sub: 'x', exp: nowSeconds() + 300 }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(
    new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'),
  );
}

function valueOf(outcome: Outcome): unknown {
  if (outcome.kind === 'error') throw new Error(`expected a value, got '${outcome.code}': ${outcome.description}`);
  return outcome.value;
}

function codeOf(outcome: Outcome): string {
  return outcome.kind === 'error' ? outcome.code : `a value: ${JSON.stringify(outcome.value)}`;
}

interface World {
  readonly conn: Connection;
  readonly db: string;
  readonly audience: string;
  readonly key: SigningKey;
}

/** A case database with a collection, a reader role, a writer role and a provider granting them. */
async function world(rig: BackendRig, jwks: JwksServer, jwksUri: string): Promise<World> {
  const conn = connectionOf(await rig.client('in-process'));
  const db = await createCaseDatabase(conn);
  const key = await signingKey('k1');
  jwks.keys = [key.jwk];
  const [, , , , provider] = await runAll(conn, db, [
    q.CreateCollection({ name: 'notes' }),
    q.Create(q.Ref(q.Collection('notes'), '1'), { data: { text: 'hello' } }),
    q.CreateRole({ name: 'reader', privileges: [{ resource: q.Collection('notes'), actions: { read: true } }] }),
    q.CreateRole({ name: 'writer', privileges: [{ resource: q.Collection('notes'), actions: { create: true } }] }),
    q.CreateAccessProvider({
      name: 'idp',
      issuer: ISSUER,
      jwks_uri: jwksUri,
      roles: [q.Role('reader'), { role: q.Role('writer'), predicate: q.Query(q.Lambda('claims', q.Equals(q.Select('scope', q.Var('claims'), ''), 'write'))) }],
    }),
  ]);
  return { conn, db, audience: String((provider as { audience: unknown }).audience), key };
}

const readNote = q.Select(['data', 'text'], q.Get(q.Ref(q.Collection('notes'), '1')));
const writeNote = q.Select(['data', 'text'], q.Create(q.Collection('notes'), { data: { text: 'new' } }));

declareBackends('access-provider JWTs', [{ backend: 'pglite' }, { backend: 'postgres' }], (backend, url) => {
  const rig = new BackendRig(backend, url);
  const jwks = new JwksServer();
  let w: World;
  let jwksUri = '';

  beforeAll(async () => {
    jwksUri = await jwks.start();
    w = await world(rig, jwks, jwksUri);
  });
  afterAll(async () => {
    await rig.close();
    await jwks.stop();
  });

  describe('a valid token', () => {
    it('acts with the roles its provider grants, and no others', async () => {
      const jwt = await token(w.audience, w.key);
      expect(valueOf(await w.conn.attempt(readNote, jwt))).toBe('hello');
      expect(codeOf(await w.conn.attempt(writeNote, jwt))).toBe('permission denied');
      expect(codeOf(await w.conn.attempt(q.Paginate(q.Collections()), jwt))).toBe('permission denied');
    });

    it('gets a role whose predicate admits its claims', async () => {
      const jwt = await token(w.audience, w.key, { scope: 'write' });
      expect(valueOf(await w.conn.attempt(writeNote, jwt))).toBe('new');
    });

    it('is its sub for CurrentIdentity and its claims for CurrentToken', async () => {
      const jwt = await token(w.audience, w.key, { scope: 'read' });
      const answer = valueOf(
        await w.conn.attempt([
          q.CurrentIdentity(),
          q.HasCurrentIdentity(),
          q.HasCurrentToken(),
          q.Select('scope', q.CurrentToken()),
          q.Select('iss', q.CurrentToken()),
          q.Select('aud', q.CurrentToken()),
        ], jwt),
      );
      expect(answer).toEqual(['user-42', true, true, 'read', ISSUER, w.audience]);
    });

    it('cannot log out: Logout answers false, and the token still works', async () => {
      const jwt = await token(w.audience, w.key);
      expect(valueOf(await w.conn.attempt([q.Logout(false), q.Logout(true)], jwt))).toEqual([false, false]);
      expect(valueOf(await w.conn.attempt(readNote, jwt))).toBe('hello');
    });

    it('without a sub has no current identity, but a current token', async () => {
      const jwt = await token(w.audience, w.key, { sub: undefined });
      expect(valueOf(await w.conn.attempt([q.HasCurrentIdentity(), q.HasCurrentToken()], jwt))).toEqual([false, true]);
      expect(codeOf(await w.conn.attempt(q.CurrentIdentity(), jwt))).toBe('missing identity');
    });

    it('works the same over HTTP/2, as the driver sends it by default', async () => {
      const http2 = connectionOf(await rig.client('http2'));
      expect(valueOf(await http2.attempt([readNote, q.CurrentIdentity()], await token(w.audience, w.key)))).toEqual(['hello', 'user-42']);
      expect(codeOf(await http2.attempt(readNote, await token(w.audience, w.key, { exp: nowSeconds() - 1 })))).toBe('unauthorized');
    });

    it('is verified against a cached JWKS, not one fetched per query', async () => {
      const before = jwks.requests;
      for (let i = 0; i < 3; i++) valueOf(await w.conn.attempt(readNote, await token(w.audience, w.key)));
      expect(jwks.requests - before).toBe(0);
    });

    it('signed with a new key is accepted once the JWKS publishes it', async () => {
      const rotated = await signingKey('k2');
      jwks.keys = [w.key.jwk, rotated.jwk];
      // An unknown kid fetches the JWKS again, after a cool-down of half a second.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(valueOf(await w.conn.attempt(readNote, await token(w.audience, rotated)))).toBe('hello');
    });
  });

  describe('gets unauthorized when', () => {
    const refused: readonly [string, () => Promise<string>][] = [
      ['it has expired', () => token(w.audience, w.key, { exp: nowSeconds() - 1 })],
      ['it is not valid yet (nbf)', () => token(w.audience, w.key, { nbf: nowSeconds() + 60 })],
      ['its issuer is no provider of the database', () => token(w.audience, w.key, { iss: 'https://other.test/' })],
      ['its audience is another database', () => token('https://db.fauna.com/db/g123456789', w.key)],
      ['its audience is not a database at all', () => token('https://example.com/api', w.key)],
      ['it names two databases as its audience', () => token(w.audience, w.key, { aud: [w.audience, 'https://db.fauna.com/db/groot'] })],
      ['it is signed by a key the JWKS does not hold', async () => token(w.audience, await signingKey('k1'))],
      ['its kid is unknown', async () => token(w.audience, await signingKey('nobody'))],
      ['it is signed with HS256', () => hs256Token(w.audience)],
      ['its payload was changed after signing', async () => {
        const [header, , signature] = (await token(w.audience, w.key)).split('.');
        const payload = Buffer.from(JSON.stringify({ iss: ISSUER, aud: w.audience, sub: 'admin', exp: nowSeconds() + 300 })).toString('base64url');
        return `${header}.${payload}.${signature}`;
      }],
      ['it is not signed at all (alg none)', async () => {
        const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${enc({ alg: 'none', kid: 'k1' })}.${enc({ iss: ISSUER, aud: w.audience, sub: 'x', exp: nowSeconds() + 300 })}.x`;
      }],
      ["no role's predicate admits it and its provider grants no plain role", async () => {
        await runAll(w.conn, w.db, [
          q.CreateAccessProvider({
            name: 'strict',
            issuer: 'https://strict.test/',
            jwks_uri: jwksUri,
            roles: [{ role: q.Role('reader'), predicate: q.Query(q.Lambda('c', false)) }],
          }),
        ]);
        return token(w.audience, w.key, { iss: 'https://strict.test/' });
      }],
    ];
    for (const [what, make] of refused) {
      it(what, async () => {
        expect(codeOf(await w.conn.attempt(readNote, await make()))).toBe('unauthorized');
      });
    }

    it('its provider was deleted', async () => {
      const jwt = await token(w.audience, w.key, { iss: 'https://gone.test/' });
      await runAll(w.conn, w.db, [q.CreateAccessProvider({ name: 'gone', issuer: 'https://gone.test/', jwks_uri: jwksUri, roles: [q.Role('reader')] })]);
      expect(valueOf(await w.conn.attempt(readNote, jwt))).toBe('hello');
      await runAll(w.conn, w.db, [q.Delete(q.AccessProvider('gone'))]);
      expect(codeOf(await w.conn.attempt(readNote, jwt))).toBe('unauthorized');
    });

    it('the JWKS cannot be fetched', async () => {
      const jwt = await token(w.audience, w.key, { iss: 'https://down.test/' });
      await runAll(w.conn, w.db, [
        q.CreateAccessProvider({
          name: 'down',
          issuer: 'https://down.test/',
          jwks_uri: jwksUri.replace('/jwks.json', '/missing.json'),
          roles: [q.Role('reader')],
        }),
      ]);
      expect(codeOf(await w.conn.attempt(readNote, jwt))).toBe('unauthorized');
    });
  });

  it('a JWT is no secret for a child database (no `:path` narrowing)', async () => {
    const jwt = await token(w.audience, w.key);
    expect(codeOf(await w.conn.attempt(readNote, `${jwt}:child:admin`))).toBe('unauthorized');
    // The case database's admin is unaffected, and the scoped secret still works.
    expect(valueOf(await w.conn.attempt(readNote, scopedSecret(w.db)))).toBe('hello');
  });
});

describe('a JWKS that does not answer', () => {
  // A server that takes the request and never answers: the engine's timeout must end the wait.
  const silent = createServer(() => undefined);
  let uri = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    uri = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('is given up after the timeout, and the token is unauthorized', async () => {
    const engine = await openEngine({ adminSecret: ADMIN_SECRET, memory: true, bcryptCost: 4, jwks: { timeoutMs: 300 } });
    const client = new faunadb.Client({ secret: ADMIN_SECRET, domain: 'engine.invalid', scheme: 'http', fetch: createInProcessFetch(engine) });
    try {
      const conn = connectionOf(client);
      const provider = await client.query<{ audience: string }>(
        q.Do(
          q.CreateRole({ name: 'reader', privileges: [] }),
          q.CreateAccessProvider({ name: 'idp', issuer: ISSUER, jwks_uri: uri, roles: [q.Role('reader')] }),
        ),
      );
      const jwt = await token(provider.audience, await signingKey('k1'));
      const started = Date.now();
      expect(codeOf(await conn.attempt(q.Add(1, 1), jwt))).toBe('unauthorized');
      // Not a timing measurement: the wait must end by the 300 ms timeout, well before the 5 s default would.
      expect(Date.now() - started).toBeLessThan(4000);
    } finally {
      await client.close({ force: true });
      await engine.close();
    }
  });
});
