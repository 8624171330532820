/**
 * Error descriptions that programs written for Fauna compare as text (one Angular app checks
 * `description !== 'document is not unique.'`, a Python loader looks for "document is not
 * unique" in the error). The conformance cases compare codes only; these rows pin the words too,
 * each as Fauna's server rendered it (RenderError in its published source), through the driver.
 */

import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../engine.ts';
import { createInProcessFetch } from '../../transport/in-process.ts';
import { q, type ExprArg } from './harness.ts';

interface DescriptionCase {
  readonly name: string;
  readonly setup?: readonly ExprArg[];
  readonly query: ExprArg;
  readonly code: string;
  readonly description: string;
}

const users = q.CreateCollection({ name: 'users' });
const byEmail = q.CreateIndex({ name: 'users_by_email', source: q.Collection('users'), terms: [{ field: ['data', 'email'] }], unique: true });
const alice = q.Create(q.Ref(q.Collection('users'), '1'), { data: { email: 'a@example.com' } });

const rows: readonly DescriptionCase[] = [
  {
    name: 'a unique index refuses a second entry',
    setup: [users, byEmail, alice],
    query: q.Create(q.Collection('users'), { data: { email: 'a@example.com' } }),
    code: 'instance not unique',
    description: 'document is not unique.',
  },
  { name: 'an unbound variable', query: q.Var('nope'), code: 'unbound variable', description: "Variable 'nope' is not defined." },
  {
    name: 'a function whose body fails',
    setup: [q.CreateFunction({ name: 'halve', body: q.Query(q.Lambda('x', q.Divide(q.Var('x'), 0))) })],
    query: q.Call(q.Function('halve'), 1),
    code: 'call error',
    description: 'Calling the function resulted in an error.',
  },
  { name: 'a division by zero', query: q.Divide(1, 0), code: 'invalid argument', description: 'Illegal division by zero.' },
  {
    name: 'a ref to a collection that does not exist',
    query: q.Get(q.Ref(q.Collection('nope'), '1')),
    code: 'invalid ref',
    description: "Ref refers to undefined collection 'nope'",
  },
  {
    name: 'a ref to an index that does not exist',
    query: q.Paginate(q.Match(q.Index('nope'))),
    code: 'invalid ref',
    description: "Ref refers to undefined index 'nope'",
  },
  {
    name: 'a call of a function that does not exist',
    query: q.Call(q.Function('nope'), 1),
    code: 'invalid ref',
    description: "Ref refers to undefined function 'nope'",
  },
  {
    name: 'a regular expression that does not parse',
    query: q.ContainsStrRegex('a', '('),
    code: 'invalid argument',
    description: 'Search pattern /(/ is not a valid regular expression.',
  },
  {
    name: 'an unknown normalizer',
    query: q.Casefold('a', 'NFX'),
    code: 'invalid argument',
    description: "String 'NFKCCaseFold', 'NFC', 'NFD', 'NFKC', or 'NFKD' expected, String provided.",
  },
  {
    name: 'a document that does not exist',
    setup: [users],
    query: q.Get(q.Ref(q.Collection('users'), '9')),
    code: 'instance not found',
    description: 'Document not found.',
  },
  {
    name: 'Get of an empty set',
    setup: [users, byEmail],
    query: q.Get(q.Match(q.Index('users_by_email'), 'x')),
    code: 'instance not found',
    description: 'Set not found.',
  },
  {
    name: 'a wrong password',
    setup: [users, q.Create(q.Ref(q.Collection('users'), '1'), { credentials: { password: 'pw' } })],
    query: q.Login(q.Ref(q.Collection('users'), '1'), { password: 'no' }),
    code: 'authentication failed',
    description: 'The document was not found or provided password was incorrect.',
  },
  { name: 'a path that is not there', query: q.Select(['a', 0], {}), code: 'value not found', description: 'Value not found at path [a,0].' },
  { name: 'an unknown time unit', query: q.TimeAdd(q.Now(), 1, 'fortnight'), code: 'invalid argument', description: "Invalid time unit 'fortnight'." },
  {
    name: 'a lambda given too few values',
    query: q.Map([[1]], q.Lambda(['a', 'b'], q.Var('a'))),
    code: 'invalid argument',
    description: 'Lambda expects an array with 2 elements. Array contains 1.',
  },
  { name: 'an Abort', query: q.Abort('no way'), code: 'transaction aborted', description: 'no way' },
  { name: 'the mean of nothing', query: q.Mean([]), code: 'invalid argument', description: 'Non-empty array expected.' },
];

let engine: Engine;
let root: faunadb.Client;

beforeAll(async () => {
  engine = await openEngine({ adminSecret: 'secret', memory: true });
  root = new faunadb.Client({ secret: 'secret', fetch: createInProcessFetch(engine) });
});
afterAll(async () => engine.close());

interface FaunaErrorBody {
  readonly code: string;
  readonly description: string;
}

async function firstError(client: faunadb.Client, query: ExprArg): Promise<FaunaErrorBody | null> {
  try {
    await client.query(query);
    return null;
  } catch (err) {
    const errors = (err as { requestResult?: { responseContent?: { errors?: FaunaErrorBody[] } } }).requestResult?.responseContent?.errors;
    if (!errors?.[0]) throw err;
    return { code: errors[0].code, description: errors[0].description };
  }
}

describe("Fauna's error descriptions, word for word", () => {
  rows.forEach((row, i) => {
    it(row.name, async () => {
      const db = `descriptions_${i}`;
      await root.query(q.CreateDatabase({ name: db }));
      const client = new faunadb.Client({ secret: `secret:${db}:admin`, fetch: createInProcessFetch(engine) });
      for (const step of row.setup ?? []) await client.query(step);
      expect(await firstError(client, row.query)).toEqual({ code: row.code, description: row.description });
    });
  });
});
