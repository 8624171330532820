/**
 * The three FQL queries of the passwordless-login article (../shared/seeds/passwordless-login-article.txt),
 * run with the article's collections and indexes on both backends, in-process and over HTTP/2.
 *
 * The queries are copied as the article writes them (its shell syntax is valid JavaScript with
 * the query functions in scope). Only the placeholders are substituted: the token hash and the
 * e-mail address become parameters. Two things the article's text forces:
 * - each of the three queries ends one `)` short in the article (the line closing `Let(` was
 *   lost); the last `)` below is that missing one;
 * - line breaks are restored after its `//` comments, which the text had run into the code.
 *
 * Time passes through the engine's injectable clock, so "expired" is reached the way it is in
 * production: the token is written with the article's own expiry, then the clock moves on.
 */

import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackendRig,
  connectionOf,
  createCaseDatabase,
  postgresTarget,
  runAll,
  scopedSecret,
  type BackendName,
  type Connection,
  type ExprArg,
  type Outcome,
  type TransportName,
} from './harness.ts';

const {
  Let,
  Match,
  Index,
  Var,
  Not,
  Exists,
  If,
  Do,
  Create,
  Collection,
  TimeAdd,
  TimeSubtract,
  Now,
  Get,
  IsNull,
  GT,
  TimeDiff,
  Select,
  Update,
  CreateCollection,
  CreateIndex,
} = faunadb.query;

// ---------------------------------------------------------------------------------------
// The article's schema. Its text cuts each CreateIndex off before the closing `})`.

// dprint-ignore: as the article writes it
const articleSchema: readonly ExprArg[] = [
  CreateCollection({ name: "accounts" }),
  CreateIndex({ name: "unique_emails", source: Collection("accounts"), terms: [{field: ["data", "email"]}], unique: true, }),
  CreateIndex({ name: "accounts_by_email", source: Collection("accounts"), terms: [{field: ["data", "email"]}], values: [{field: ["data", "account_id"]}], unique: true, }),
  CreateCollection({ name: "login_tokens", ttl_days: 7 }),
  CreateIndex({ name: "login_tokens_by_hash", source: Collection("login_tokens"), terms: [{field: ["data", "token_hash"]}], values: [ {field: ["data", "expires_at"]}, {field: ["data", "account_id"]}, {field: ["data", "used"]} ], }),
  CreateCollection({ name: "signup_tokens", ttl_days: 7 }),
  CreateIndex({ name: "signup_tokens_by_hash", source: Collection("signup_tokens"), terms: [{field: ["data", "token_hash"]}], values: [ {field: ["data", "email"]}, {field: ["data", "expires_at"]} ], }),
];

// ---------------------------------------------------------------------------------------
// The article's three queries.

/** The /magic endpoint: a signup token for a new address, a login token for an existing account. */
function magicInsert(tokenHash: string, email: string): ExprArg {
  // dprint-ignore: as the article writes it
  return (
Let( { token_hash: tokenHash, email: email, account_match: Match(Index("accounts_by_email"), Var("email")), account_is_new: Not(Exists(Var("account_match"))), }, If( Var("account_is_new"), Do( // In case it does not exist
Create( // Store signup token for new account
Collection("signup_tokens"), { data: { token_hash: Var("token_hash"), email: Var("email"), expires_at: TimeAdd(Now(), 8, "hours"), } } ), "signup" ), Do( // In case a user exists with this e-mail
Create( // Store token for existing account
Collection("login_tokens"), { data: { token_hash: Var("token_hash"), email: Var("email"), account_ref: Var("account_match"), used: false, expires_at: TimeAdd(Now(), 30, "minutes") } } ), "login" ) )
)
  );
}

/** The /login endpoint: "invalid", "expired", "used", or {account_id} (and the token is spent). */
function loginCheck(tokenHash: string): ExprArg {
  // dprint-ignore: as the article writes it
  return (
Let( { token_hash: tokenHash, token_match: Match(Index("login_tokens_by_hash"), Var("token_hash")), token: If(Exists(Var("token_match")), Get(Var("token_match")), null), }, If( IsNull(Var("token")), // Token not found?
"invalid", If( GT(TimeDiff(Select(["data", "expires_at"], Var("token")), Now(), "seconds"), 0), // Expired?
"expired", If( Select(["data", "used"], Var("token")), // Used?
"used", Do( // Valid token
Update(Select("ref", Var("token")), {data: {used: true}}), // Set as used
{ account_id: Select(["data", "account_id"], Var("token"))} // Return value
), ), ) )
)
  );
}

/** The /signup endpoint: "invalid", "expired", or {email}. */
function signupCheck(tokenHash: string): ExprArg {
  // dprint-ignore: as the article writes it
  return (
Let( { token_hash: tokenHash, token_match: Match(Index("signup_tokens_by_hash"), Var("token_hash")), token: If(Exists(Var("token_match")), Get(Var("token_match")), null), }, If( IsNull(Var("token")), // Hash not found?
"invalid", If( GT(TimeDiff(Select(["data", "expires_at"], Var("token")), Now(), "seconds"), 0), // Expired?
"expired", { email: Select(["data", "email"], Var("token")) } ) )
)
  );
}

// ---------------------------------------------------------------------------------------
// Around the queries

const MINUTE = 60_000;

/** The engine's clock: real time plus however far a test has moved it on. */
class TestClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** One fresh database holding the article's schema. */
class ArticleDatabase {
  private constructor(
    private readonly conn: Connection,
    private readonly db: string,
  ) {}

  static async create(conn: Connection): Promise<ArticleDatabase> {
    const db = await createCaseDatabase(conn);
    await runAll(conn, db, articleSchema);
    return new ArticleDatabase(conn, db);
  }

  attempt(query: ExprArg): Promise<Outcome> {
    return this.conn.attempt(query, scopedSecret(this.db));
  }

  async run(query: ExprArg): Promise<unknown> {
    const [value] = await runAll(this.conn, this.db, [query]);
    return value;
  }

  addAccount(email: string, accountId: string): Promise<unknown> {
    return this.run(Create(Collection('accounts'), { data: { email, account_id: accountId } }));
  }

  /** A login token as the login check expects one: carrying the account id. */
  addLoginToken(tokenHash: string, fields: { accountId: string; used?: boolean; expiresAt?: ExprArg }): Promise<unknown> {
    const data = {
      token_hash: tokenHash,
      account_id: fields.accountId,
      used: fields.used ?? false,
      expires_at: fields.expiresAt ?? TimeAdd(Now(), 30, 'minutes'),
    };
    return this.run(Create(Collection('login_tokens'), { data }));
  }

  countOf(collection: string): Promise<unknown> {
    return this.run(faunadb.query.Count(faunadb.query.Documents(Collection(collection))));
  }
}

function errorCode(outcome: Outcome): string {
  if (outcome.kind === 'value') throw new Error(`expected an error, got ${JSON.stringify(outcome.value)}`);
  return outcome.code;
}

// ---------------------------------------------------------------------------------------
// The scenarios, on each backend × transport

function declareScenarios(rig: BackendRig, clock: TestClock, transport: TransportName): void {
  let conn: Connection;
  let db: ArticleDatabase;
  beforeAll(async () => {
    conn = connectionOf(await rig.client(transport));
  });
  beforeAll(async () => {
    db = await ArticleDatabase.create(conn);
  });
  // Each scenario uses its own hash and address, so they share one database without meeting.
  const hash = (name: string): string => `hash-${name}-${transport}`;
  const email = (name: string): string => `${name}-${transport}@example.com`;

  it('magic insert: a new address gets a signup token', async () => {
    expect(await db.run(magicInsert(hash('new'), email('new')))).toBe('signup');
    expect(await db.run(faunadb.query.Paginate(Match(Index('signup_tokens_by_hash'), hash('new'))))).toMatchObject({
      data: [[email('new'), expect.anything()]],
    });
    expect(await db.run(Exists(Match(Index('login_tokens_by_hash'), hash('new'))))).toBe(false);
  });

  it('magic insert: an existing account gets a login token', async () => {
    await db.addAccount(email('known'), 'acct-known');
    expect(await db.run(magicInsert(hash('known'), email('known')))).toBe('login');
    const token = await db.run(Select('data', Get(Match(Index('login_tokens_by_hash'), hash('known')))));
    expect(token).toMatchObject({ token_hash: hash('known'), email: email('known'), used: false });
    expect(await db.run(Exists(Match(Index('signup_tokens_by_hash'), hash('known'))))).toBe(false);
  });

  it('unique_emails: a second account with the same address is refused', async () => {
    await db.addAccount(email('twice'), 'acct-1');
    expect(errorCode(await db.attempt(Create(Collection('accounts'), { data: { email: email('twice'), account_id: 'acct-2' } })))).toBe('instance not unique');
  });

  it('login check: an unknown token is "invalid"', async () => {
    expect(await db.run(loginCheck(hash('nobody')))).toBe('invalid');
  });

  it('login check: a token carrying account_id is valid once, then "used"', async () => {
    await db.addLoginToken(hash('valid'), { accountId: '12345' });
    expect(await db.run(loginCheck(hash('valid')))).toEqual({ account_id: '12345' });
    expect(await db.run(Select(['data', 'used'], Get(Match(Index('login_tokens_by_hash'), hash('valid')))))).toBe(true);
    expect(await db.run(loginCheck(hash('valid')))).toBe('used');
  });

  it('login check: a token already marked used is "used"', async () => {
    await db.addLoginToken(hash('spent'), { accountId: '12345', used: true });
    expect(await db.run(loginCheck(hash('spent')))).toBe('used');
  });

  it('login check: a token whose expires_at has passed is "expired"', async () => {
    await db.addLoginToken(hash('past'), { accountId: '12345', expiresAt: TimeSubtract(Now(), 1, 'minute') });
    expect(await db.run(loginCheck(hash('past')))).toBe('expired');
  });

  it("login check: the insert's login token expires after its 30 minutes", async () => {
    await db.addAccount(email('late'), 'acct-late');
    expect(await db.run(magicInsert(hash('late'), email('late')))).toBe('login');
    clock.advance(31 * MINUTE);
    expect(await db.run(loginCheck(hash('late')))).toBe('expired');
  });

  // The article's insert stores `account_ref` (the Match set), but its login check selects
  // ["data", "account_id"]: run as written, a fresh, unused token from the insert has no
  // account_id, so Select fails with 'value not found', as it did on Fauna. The whole query
  // rolls back, so the Update that marked the token used is undone: it stays unused.
  it("login check of the insert's own token: value not found, and nothing written", async () => {
    await db.addAccount(email('asref'), 'acct-asref');
    expect(await db.run(magicInsert(hash('asref'), email('asref')))).toBe('login');
    expect(errorCode(await db.attempt(loginCheck(hash('asref'))))).toBe('value not found');
    expect(await db.run(Select(['data', 'used'], Get(Match(Index('login_tokens_by_hash'), hash('asref')))))).toBe(false);
    expect(errorCode(await db.attempt(loginCheck(hash('asref'))))).toBe('value not found');
  });

  it('signup check: an unknown token is "invalid"', async () => {
    expect(await db.run(signupCheck(hash('stranger')))).toBe('invalid');
  });

  it('signup check: a fresh signup token answers its address', async () => {
    expect(await db.run(magicInsert(hash('signup'), email('signup')))).toBe('signup');
    expect(await db.run(signupCheck(hash('signup')))).toEqual({ email: email('signup') });
  });

  it('signup check: a signup token expires after its 8 hours', async () => {
    expect(await db.run(magicInsert(hash('slow'), email('slow')))).toBe('signup');
    clock.advance(7 * 60 * MINUTE);
    expect(await db.run(signupCheck(hash('slow')))).toEqual({ email: email('slow') });
    clock.advance(61 * MINUTE);
    expect(await db.run(signupCheck(hash('slow')))).toBe('expired');
  });

  it('each insert wrote exactly one token', async () => {
    const fresh = await ArticleDatabase.create(conn);
    await fresh.addAccount(email('count'), 'acct-count');
    await fresh.run(magicInsert(hash('c1'), email('count')));
    await fresh.run(magicInsert(hash('c2'), email('other-count')));
    expect([await fresh.countOf('login_tokens'), await fresh.countOf('signup_tokens')]).toEqual([1, 1]);
  });
}

function declareBackend(backend: BackendName): void {
  const target = backend === 'postgres' ? postgresTarget() : { url: null };
  if ('missing' in target) {
    describe.skip(`passwordless-login article on PostgreSQL did NOT run: ${target.missing}`, () => {
      it('the article scenarios', () => undefined);
    });
    return;
  }
  describe(`passwordless-login article on ${backend === 'pglite' ? 'PGlite (in memory)' : 'PostgreSQL'}`, () => {
    const clock = new TestClock();
    const rig = new BackendRig(backend, target.url, { clock: clock.now });
    afterAll(() => rig.close());
    for (const transport of ['in-process', 'http2'] as const) {
      describe(transport === 'in-process' ? 'in-process fetch' : 'HTTP/2 (driver default)', () => declareScenarios(rig, clock, transport));
    }
  });
}

declareBackend('pglite');
declareBackend('postgres');
