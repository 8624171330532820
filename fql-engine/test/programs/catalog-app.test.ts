/**
 * A small shop catalogue written in FQL: categories, products with a price, and the queries an
 * app makes of them — the products of a category by name (Join through two indexes), a price
 * range (Range over an index whose values lead with the price), the price history of a product
 * (Get at a ts, Events, At(ts, Paginate(...))) — and a storefront that streams a product and a
 * category's set while the shop changes prices. Through the unmodified driver on PGlite and
 * PostgreSQL: the queries in-process and over HTTP/2, the streams over HTTP/2 (streams need the
 * HTTP server: known difference 15).
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { q, type ExprArg } from '../conformance/harness.ts';
import { runSessionMatrix, type Saved, type SessionCase, type SessionGroup, type SessionStep } from '../conformance/identity-harness.ts';
import { caseDatabase, collect, normalise, StreamRig } from '../streams/stream-harness.ts';
import { postgresMissingReason, postgresUrl } from '../support/environment.ts';

const category = (id: string): ExprArg => q.Ref(q.Collection('categories'), id);
const product = (id: string): ExprArg => q.Ref(q.Collection('products'), id);
const TEA = category('1');
const COFFEE = category('2');
const GREEN = product('11');
const BLACK = product('12');
const ESPRESSO = product('13');
const OOLONG = product('14');

const schema: readonly ExprArg[] = [
  q.CreateCollection({ name: 'categories' }),
  q.CreateCollection({ name: 'products' }),
  q.CreateIndex({ name: 'categories_by_name', source: q.Collection('categories'), terms: [{ field: ['data', 'name'] }], unique: true }),
  q.CreateIndex({ name: 'products_by_category', source: q.Collection('products'), terms: [{ field: ['data', 'category'] }] }),
  q.CreateIndex({
    name: 'products_by_category_price',
    source: q.Collection('products'),
    terms: [{ field: ['data', 'category'] }],
    values: [{ field: ['data', 'price'] }, { field: ['ref'] }],
  }),
  q.CreateIndex({ name: 'products_by_price', source: q.Collection('products'), values: [{ field: ['data', 'price'] }, { field: ['ref'] }] }),
  q.Create(TEA, { data: { name: 'tea' } }),
  q.Create(COFFEE, { data: { name: 'coffee' } }),
];
const stock: readonly ExprArg[] = [
  q.Create(GREEN, { data: { name: 'green tea', category: TEA, price: 8 } }),
  q.Create(BLACK, { data: { name: 'black tea', category: TEA, price: 5 } }),
  q.Create(ESPRESSO, { data: { name: 'espresso', category: COFFEE, price: 12 } }),
  q.Create(OOLONG, { data: { name: 'oolong', category: TEA, price: 15 } }),
];

const named = (name: string): ExprArg => q.Match(q.Index('categories_by_name'), name);
const page = (set: ExprArg): ExprArg => q.Select('data', q.Paginate(set));
const namesOf = (refs: ExprArg): ExprArg => q.Map(refs, q.Lambda('ref', q.Select(['data', 'name'], q.Get(q.Var('ref')))));
const priceRange = (from: ExprArg, to: ExprArg): ExprArg => q.Range(q.Match(q.Index('products_by_price')), from, to);
const setPrice = (ref: ExprArg, price: number): ExprArg => q.Update(ref, { data: { price } });

const browsing: readonly SessionCase[] = [
  {
    name: 'Join: the products of a category found by its name',
    setup: [...schema, ...stock],
    steps: [
      { query: page(q.Join(named('tea'), q.Index('products_by_category'))), expect: [GREEN, BLACK, OOLONG] },
      { query: namesOf(page(q.Join(named('coffee'), q.Index('products_by_category')))), expect: ['espresso'] },
      { query: page(q.Join(named('cocoa'), q.Index('products_by_category'))), expect: [] },
    ],
  },
  {
    name: 'Join with a Lambda: a category ordered by price, cheapest first',
    setup: [...schema, ...stock],
    steps: [
      {
        query: page(q.Join(named('tea'), q.Lambda('c', q.Match(q.Index('products_by_category_price'), q.Var('c'))))),
        expect: [
          [5, BLACK],
          [8, GREEN],
          [15, OOLONG],
        ],
      },
    ],
  },
  {
    name: 'Range: a price band, inclusive at both ends, open-ended with []',
    setup: [...schema, ...stock],
    steps: [
      {
        query: page(priceRange(5, 12)),
        expect: [
          [5, BLACK],
          [8, GREEN],
          [12, ESPRESSO],
        ],
      },
      { query: page(priceRange(6, 11)), expect: [[8, GREEN]] },
      { query: q.Map(page(priceRange(10, [])), q.Lambda(['price', 'ref'], q.Select(['data', 'name'], q.Get(q.Var('ref'))))), expect: ['espresso', 'oolong'] },
      { query: page(priceRange([], 5)), expect: [[5, BLACK]] },
      { query: page(priceRange(20, [])), expect: [] },
    ],
  },
  {
    name: "Range over a category's price index: tea up to 10",
    setup: [...schema, ...stock],
    steps: [
      {
        query: page(q.Range(q.Match(q.Index('products_by_category_price'), TEA), [], 10)),
        expect: [
          [5, BLACK],
          [8, GREEN],
        ],
      },
    ],
  },
];

const tsOf = (saved: Saved, name: string): number => {
  const kept = saved[name];
  const ts = typeof kept === 'object' && kept !== null ? (kept as { ts?: unknown }).ts : undefined;
  if (typeof ts !== 'number') throw new Error(`no ts kept under '${name}'`);
  return ts;
};
const priceAt = (ref: ExprArg, version: string) => (saved: Saved): ExprArg => q.Select(['data', 'price'], q.Get(ref, tsOf(saved, version)));

/** Green tea is stocked at 8, then 9 a second later, then 7 a second after that. */
const priceChanges: readonly SessionStep[] = [
  { query: q.Create(GREEN, { data: { name: 'green tea', category: TEA, price: 8 } }), save: 'v1' },
  { advanceMs: 1000, query: setPrice(GREEN, 9), save: 'v2' },
  { advanceMs: 1000, query: setPrice(GREEN, 7), save: 'v3' },
];
const withoutGreen = stock.filter((_, i) => i !== 0);

const history: readonly SessionCase[] = [
  {
    name: 'Get at a ts reads the price as it was then',
    setup: [...schema, ...withoutGreen],
    steps: [
      ...priceChanges,
      { query: priceAt(GREEN, 'v1'), expect: 8 },
      { query: priceAt(GREEN, 'v2'), expect: 9 },
      { query: priceAt(GREEN, 'v3'), expect: 7 },
      { query: (s) => q.Select(['data', 'price'], q.Get(GREEN, tsOf(s, 'v2') - 1)), expect: 8 },
      { query: (s) => q.Get(GREEN, tsOf(s, 'v1') - 1), expectError: 'instance not found' },
    ],
  },
  {
    name: 'Events of a product: its create and each price change, oldest first',
    setup: [...schema, ...withoutGreen],
    steps: [
      ...priceChanges,
      {
        query: q.Map(
          page(q.Events(GREEN)),
          q.Lambda('e', [q.Select('action', q.Var('e')), q.Select('document', q.Var('e')), q.Select(['data', 'price'], q.Var('e'))]),
        ),
        expect: [
          ['create', GREEN, 8],
          ['update', GREEN, 9],
          ['update', GREEN, 7],
        ],
      },
      { query: q.Map(page(q.Events(GREEN)), q.Lambda('e', q.Select('ts', q.Var('e')))), expect: (s: Saved) => [tsOf(s, 'v1'), tsOf(s, 'v2'), tsOf(s, 'v3')] },
      { query: q.Select(['data', 0, 'action'], q.Paginate(q.Events(GREEN), { size: 1, after: 0 })), expect: 'create' },
    ],
  },
  {
    name: 'At(ts, Paginate(Range(...))): the price band as it was',
    setup: [...schema, ...withoutGreen],
    steps: [
      ...priceChanges,
      {
        query: (s) => q.At(tsOf(s, 'v2'), page(priceRange(5, 10))),
        expect: [
          [5, BLACK],
          [9, GREEN],
        ],
      },
      {
        query: page(priceRange(5, 10)),
        expect: [
          [5, BLACK],
          [7, GREEN],
        ],
      },
      { query: (s) => q.At(tsOf(s, 'v1') - 1, page(priceRange(5, 10))), expect: [[5, BLACK]] },
    ],
  },
  {
    name: 'a wrong price is corrected in history: Remove the event, Insert the right one at its ts',
    setup: [...schema, ...withoutGreen],
    steps: [
      ...priceChanges,
      { query: (s) => q.Remove(GREEN, tsOf(s, 'v2'), 'update'), expect: null },
      { query: q.Map(page(q.Events(GREEN)), q.Lambda('e', q.Select(['data', 'price'], q.Var('e')))), expect: [8, 7] },
      { query: priceAt(GREEN, 'v2'), expect: 8 },
      {
        query: (s) => q.Select('action', q.Insert(GREEN, tsOf(s, 'v2'), 'update', { data: { name: 'green tea', category: TEA, price: 10 } })),
        expect: 'update',
      },
      { query: q.Map(page(q.Events(GREEN)), q.Lambda('e', q.Select(['data', 'price'], q.Var('e')))), expect: [8, 10, 7] },
      { query: q.Select(['data', 'price'], q.Get(GREEN)), expect: 7 },
      {
        query: (s) => q.At(tsOf(s, 'v2'), page(priceRange(5, 10))),
        expect: [
          [5, BLACK],
          [10, GREEN],
        ],
      },
    ],
  },
  {
    name: "At(ts, ...) a Join sees the category as it was before a product moved; the set's Events show the move",
    setup: [...schema, ...stock],
    steps: [
      { query: q.Update(BLACK, { data: { category: COFFEE } }), save: 'moved' },
      { query: page(q.Join(named('tea'), q.Index('products_by_category'))), expect: [GREEN, OOLONG] },
      { query: (s) => q.At(tsOf(s, 'moved') - 1, page(q.Join(named('tea'), q.Index('products_by_category')))), expect: [GREEN, BLACK, OOLONG] },
      {
        query: q.Map(
          page(q.Events(q.Match(q.Index('products_by_category'), TEA))),
          q.Lambda('e', [q.Select('action', q.Var('e')), q.Select('document', q.Var('e'))]),
        ),
        expect: [
          ['add', GREEN],
          ['add', BLACK],
          ['add', OOLONG],
          ['remove', BLACK],
        ],
      },
    ],
  },
];

const groups: readonly SessionGroup[] = [
  { topic: 'browsing: Join and Range', cases: browsing },
  { topic: 'price history', cases: history },
];

runSessionMatrix([
  { backend: 'pglite', transport: 'in-process', groups },
  { backend: 'pglite', transport: 'http2', groups },
  // Join, Range and At have SQL shortcuts: the same answers with every set evaluated in memory.
  { backend: 'pglite', transport: 'in-process', pushdown: false, groups },
  { backend: 'postgres', transport: 'in-process', groups },
  { backend: 'postgres', transport: 'http2', groups },
]);

// ---------------------------------------------------------------------------------------
// The storefront's streams, over HTTP/2

/** A ref as the driver's values serialise to JSON (what normalise compares). */
const json = {
  product: (id: string): unknown => ({ '@ref': { id, collection: { '@ref': { id: 'products', collection: { '@ref': { id: 'collections' } } } } } }),
  category: (id: string): unknown => ({ '@ref': { id, collection: { '@ref': { id: 'categories', collection: { '@ref': { id: 'collections' } } } } } }),
};
const greenTea = (price: number): unknown => ({ name: 'green tea', category: json.category('1'), price });

interface StorefrontStream {
  readonly name: string;
  readonly stream: ExprArg;
  readonly fields?: readonly string[];
  readonly writes: readonly ExprArg[];
  readonly expectEvents: readonly unknown[];
}

const storefront: readonly StorefrontStream[] = [
  {
    name: "a product's page hears each price change as a version event, and nothing of other products",
    stream: GREEN,
    fields: ['action', 'document', 'diff'],
    writes: [setPrice(GREEN, 9), setPrice(BLACK, 4), setPrice(GREEN, 7)],
    expectEvents: [
      {
        type: 'version',
        event: {
          action: 'update',
          document: { ref: json.product('11'), ts: '<ts>', data: greenTea(9) },
          diff: { ref: json.product('11'), ts: '<ts>', data: { price: 9 } },
        },
      },
      {
        type: 'version',
        event: {
          action: 'update',
          document: { ref: json.product('11'), ts: '<ts>', data: greenTea(7) },
          diff: { ref: json.product('11'), ts: '<ts>', data: { price: 7 } },
        },
      },
    ],
  },
  {
    name: "a category's set hears products added and moved away, not price changes",
    stream: q.Match(q.Index('products_by_category'), TEA),
    writes: [
      setPrice(GREEN, 9),
      q.Create(product('15'), { data: { name: 'sencha', category: TEA, price: 11 } }),
      q.Update(BLACK, { data: { category: COFFEE } }),
      q.Create(product('16'), { data: { name: 'mocha', category: COFFEE, price: 6 } }),
    ],
    expectEvents: [
      { type: 'set', event: { action: 'add', document: { ref: json.product('15'), ts: '<ts>' } } },
      { type: 'set', event: { action: 'remove', document: { ref: json.product('12'), ts: '<ts>' } } },
    ],
  },
  {
    name: "a category's price list hears a price change as the old entry removed and the new one added",
    stream: q.Match(q.Index('products_by_category_price'), TEA),
    fields: ['action', 'document', 'index'],
    writes: [setPrice(GREEN, 9), setPrice(ESPRESSO, 13)],
    expectEvents: [
      {
        type: 'set',
        event: {
          action: 'remove',
          document: { ref: json.product('11'), ts: '<ts>' },
          index: {
            ref: { '@ref': { id: 'products_by_category_price', collection: { '@ref': { id: 'indexes' } } } },
            terms: [json.category('1')],
            values: [8, json.product('11')],
          },
        },
      },
      {
        type: 'set',
        event: {
          action: 'add',
          document: { ref: json.product('11'), ts: '<ts>' },
          index: {
            ref: { '@ref': { id: 'products_by_category_price', collection: { '@ref': { id: 'indexes' } } } },
            terms: [json.category('1')],
            values: [9, json.product('11')],
          },
        },
      },
    ],
  },
];

const databaseUrl = postgresUrl();
const streamBackends = [
  { title: 'PGlite', missing: null, options: { memory: true } },
  { title: 'PostgreSQL', missing: databaseUrl === null ? postgresMissingReason() : null, options: { databaseUrl: databaseUrl ?? '' } },
];

for (const backend of streamBackends) {
  const title = backend.missing === null
    ? `storefront streams on ${backend.title}, HTTP/2`
    : `storefront streams on ${backend.title}: NOT RUN (${backend.missing})`;
  (backend.missing === null ? describe : describe.skip)(title, () => {
    let rig: StreamRig | undefined;
    beforeAll(async () => {
      rig = await StreamRig.open(backend.options);
    });
    afterAll(async () => rig?.close());
    for (const c of storefront) {
      test(c.name, async () => {
        if (rig === undefined) throw new Error('the engine did not open');
        const { name, admin } = await caseDatabase(rig, 'catalog');
        for (const step of [...schema, ...stock]) await admin.query(step);
        const shopper = rig.client(`secret:${name}:server`);
        const got = await collect(shopper, c.stream, c.fields, async () => {
          for (const step of c.writes) await admin.query(step);
        }, c.expectEvents.length);
        await shopper.close();
        await admin.close();
        expect(got.error).toBeNull();
        expect(got.start).toBeTypeOf('number');
        for (const event of got.events) expect(event.txn).toBeGreaterThan(got.start ?? Infinity);
        expect(normalise(got.events.map(({ type, event }) => ({ type, event })))).toEqual(c.expectEvents);
      });
    }
  });
}
