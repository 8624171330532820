// The stream cases (stream-cases.ts) through the driver over HTTP/2, on PGlite and PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { postgresMissingReason, postgresUrl } from '../support/environment.ts';
import { STREAM_CASES } from './stream-cases.ts';
import { caseDatabase, collect, normalise, q, StreamRig, type StreamCase } from './stream-harness.ts';

const databaseUrl = postgresUrl();
const backends = [
  { title: 'PGlite', missing: null, options: { memory: true } },
  { title: 'PostgreSQL', missing: databaseUrl === null ? postgresMissingReason() : null, options: { databaseUrl: databaseUrl ?? '' } },
];

for (const backend of backends) {
  const title = backend.missing === null ? `streams on ${backend.title}` : `streams on ${backend.title}: NOT RUN (${backend.missing})`;
  (backend.missing === null ? describe : describe.skip)(title, () => {
    let rig: StreamRig;
    beforeAll(async () => {
      rig = await StreamRig.open(backend.options);
    });
    afterAll(async () => rig?.close());
    for (const c of STREAM_CASES) test(c.name, () => runCase(rig, c));
  });
}

async function runCase(rig: StreamRig, c: StreamCase): Promise<void> {
  if ((c.expectEvents === undefined) === (c.expectError === undefined)) throw new Error(`${c.name}: declare exactly one of expectEvents and expectError`);
  const { name, admin } = await caseDatabase(rig, 'case');
  for (const step of c.setup?.(q) ?? []) await admin.query(step);
  const secret = c.asRole === undefined ? `secret:${name}:admin` : await admin.query<string>(q.Select('secret', q.CreateKey({ role: q.Role(c.asRole) })));
  const streamer = rig.client(secret);
  const writes = c.writes?.(q) ?? [];
  const expected = c.expectEvents ?? [];
  const got = await collect(streamer, c.stream(q), c.fields, async () => {
    for (const step of writes) await admin.query(step);
  }, expected.length);
  await streamer.close();
  await admin.close();
  if (c.expectError !== undefined) {
    expect(got.error?.code).toBe(c.expectError);
    return;
  }
  expect(got.error).toBeNull();
  expect(got.start).toBeTypeOf('number');
  for (const event of got.events) expect(event.txn).toBeGreaterThanOrEqual(got.start ?? Infinity);
  expect(normalise(got.events.map(({ type, event }) => ({ type, event })))).toEqual(expected);
}
