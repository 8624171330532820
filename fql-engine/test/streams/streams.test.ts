// Stream behaviour beyond single cases: losing authorization mid-stream, releasing the storage
// subscription whenever a stream ends, bounded memory for a client that stops reading, engines
// in separate processes' shoes sharing one PostgreSQL, and the endpoint's method.
import http from 'node:http';
import http2 from 'node:http2';
import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openStorage } from '../../storage/open-storage.ts';
import type { Storage } from '../../storage/types.ts';
import { createInProcessFetch } from '../../transport/in-process.ts';
import { postgresMissingReason, postgresUrl } from '../support/environment.ts';
import { ADMIN_SECRET, caseDatabase, collect, q, StreamRig } from './stream-harness.ts';

const databaseUrl = postgresUrl();

/**
 * A storage that counts the subscriptions open on it, and can hold back the changes it announces
 * (`hold`) until `release`: a stream then judges them after later writes have committed.
 */
function counting(storage: Storage): { storage: Storage; open: () => number; hold: () => void; release: () => void } {
  let open = 0;
  let held: (() => void)[] | null = null;
  const wrapped: Storage = {
    backend: storage.backend,
    transaction: (fn) => storage.transaction(fn),
    sweepExpired: (now) => storage.sweepExpired(now),
    close: () => storage.close(),
    subscribe: async (listener) => {
      const stop = await storage.subscribe({
        changes: (batch) => (held === null ? listener.changes(batch) : held.push(() => listener.changes(batch))),
        failed: (error) => listener.failed(error),
      });
      open += 1;
      let stopped = false;
      return async () => {
        if (!stopped) open -= 1;
        stopped = true;
        await stop();
      };
    },
  };
  const release = (): void => {
    const deliveries = held ?? [];
    held = null;
    for (const deliver of deliveries) deliver();
  };
  return { storage: wrapped, open: () => open, hold: () => void (held = []), release };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!check()) throw new Error(`never: ${what}`);
}

const backends = [
  { title: 'PGlite', missing: null, open: () => openStorage({ memory: true }) },
  { title: 'PostgreSQL', missing: databaseUrl === null ? postgresMissingReason() : null, open: () => openStorage({ databaseUrl: databaseUrl ?? '' }) },
];

for (const backend of backends) {
  const title = backend.missing === null ? backend.title : `${backend.title}: NOT RUN (${backend.missing})`;
  (backend.missing === null ? describe : describe.skip)(title, () => {
    let rig: StreamRig;
    let subscriptions: () => number;
    let gate: Pick<ReturnType<typeof counting>, 'hold' | 'release'>;
    beforeAll(async () => {
      const counted = counting(await backend.open());
      subscriptions = counted.open;
      gate = counted;
      rig = await StreamRig.open({ storage: counted.storage, streamQueueLimit: 3 });
    });
    afterAll(async () => {
      await rig?.close();
      await rig?.engine.storage.close();
    });

    test("a key deleted while its stream is open ends the stream with Fauna's error event", async () => {
      const { admin } = await caseDatabase(rig, 'lost');
      await admin.query(q.CreateCollection({ name: 'c' }));
      await admin.query(q.Create(q.Ref(q.Collection('c'), '1'), { data: {} }));
      const key = await admin.query<{ ref: unknown; secret: string }>(q.CreateKey({ role: 'server' }));
      const streamer = rig.client(key.secret);
      const got = await collect(streamer, q.Ref(q.Collection('c'), '1'), undefined, async () => {
        await admin.query(q.Delete(key.ref as Parameters<typeof q.Delete>[0]));
        await admin.query(q.Update(q.Ref(q.Collection('c'), '1'), { data: { a: 1 } }));
      }, 1);
      await streamer.close();
      expect(got.events).toEqual([]);
      expect(got.error).toEqual({ code: 'permission denied', description: 'Authorization lost during stream evaluation.' });
      await eventually(() => subscriptions() === 0, 'the subscription is released');
    });

    test('closing the stream, or failing to open it, releases the storage subscription', async () => {
      const { admin, name } = await caseDatabase(rig, 'close');
      await admin.query(q.CreateCollection({ name: 'c' }));
      const streamer = rig.client(`${ADMIN_SECRET}:${name}:admin`);
      const stream = streamer.stream(q.Documents(q.Collection('c')));
      const started = new Promise<void>((resolve) => stream.on('start', () => resolve()));
      stream.start();
      await started;
      expect(subscriptions()).toBe(1);
      stream.close();
      await eventually(() => subscriptions() === 0, 'the closed stream lets go');
      await collect(streamer, q.Collection('c'), undefined, async () => {}, 0);
      expect(subscriptions()).toBe(0);
      await streamer.close();
    });

    test('a client that stops reading gets a congestion error event, and the stream lets go', async () => {
      const { admin, name } = await caseDatabase(rig, 'slow');
      await admin.query(q.CreateCollection({ name: 'c' }));
      await admin.query(q.Create(q.Ref(q.Collection('c'), '1'), { data: {} }));
      const session = http2.connect(rig.server.url);
      const request = session.request({ ':method': 'POST', ':path': '/stream', authorization: `Bearer ${ADMIN_SECRET}:${name}:admin` });
      request.end(JSON.stringify(q.Ref(q.Collection('c'), '1')));
      let text = '';
      request.setEncoding('utf8');
      request.once('data', (chunk: string) => {
        text += chunk;
        request.pause();
      });
      await eventually(() => text.includes('"start"'), 'the stream starts');
      // Each event carries ~64 KiB: the connection's window and buffers fill after a few.
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 20; i++) await admin.query(q.Update(q.Ref(q.Collection('c'), '1'), { data: { big, i } }));
      await eventually(() => subscriptions() === 0, 'the congested stream lets go');
      const ended = new Promise<void>((resolve) => request.on('end', () => resolve()));
      request.on('data', (chunk: string) => (text += chunk));
      request.resume();
      await ended;
      session.close();
      const events = text.split('\r\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { type: string; event: unknown });
      expect(events.at(-1)).toEqual({
        type: 'error',
        txn: 0,
        event: { code: 'time out', description: 'Stream closed due to congestion after accumulating 3 items.' },
      });
      expect(events.filter((e) => e.type === 'version').length).toBeLessThan(20);
    });

    for (const historyDays of [30, 0])
      test(`an event is judged as of its own transaction: a role that reads only red documents never hears a blue version (history_days ${historyDays})`, async () => {
        const { admin } = await caseDatabase(rig, 'judged');
        // Without history the blue version is gone by the time it is judged: it is then not sent at all.
        await admin.query(q.CreateCollection({ name: 'things', history_days: historyDays }));
        await admin.query(q.Create(q.Ref(q.Collection('things'), '1'), { data: { colour: 'red' } }));
        const onlyRed = q.Query(q.Lambda('ref', q.Equals('red', q.Select(['data', 'colour'], q.Get(q.Var('ref')), null))));
        await admin.query(q.CreateRole({ name: 'reds', privileges: [{ resource: q.Collection('things'), actions: { read: onlyRed } }] }));
        const secret = await admin.query<string>(q.Select('secret', q.CreateKey({ role: q.Role('reds') })));
        const streamer = rig.client(secret);
        const thing = q.Ref(q.Collection('things'), '1');
        const got = await collect(
          streamer,
          thing,
          ['document'],
          async () => {
            // Both writes commit before the stream looks at the first: it must judge the blue version, not the red one.
            gate.hold();
            try {
              await admin.query(q.Update(thing, { data: { colour: 'blue', secret: 'seen by no red reader' } }));
              await admin.query(q.Update(thing, { data: { colour: 'red', secret: null } }));
            } finally {
              gate.release();
            }
          },
          2,
          1500,
        );
        await streamer.close();
        await admin.close();
        expect(got.error).toBeNull();
        expect(got.events.map((e) => (e.event as { document: { data: unknown } }).document.data)).toEqual([{ colour: 'red' }]);
      });

    test('closing the server ends its open streams at once', async () => {
      const other = await StreamRig.open({ storage: rig.engine.storage });
      const { admin } = await caseDatabase(other, 'shutdown');
      await admin.query(q.CreateCollection({ name: 'c' }));
      const stream = admin.stream(q.Documents(q.Collection('c')));
      const started = new Promise<void>((resolve) => stream.on('start', () => resolve()));
      stream.on('error', () => undefined);
      stream.start();
      await started;
      expect(subscriptions()).toBe(1);
      const began = performance.now();
      await other.server.close();
      expect(performance.now() - began).toBeLessThan(1500);
      await eventually(() => subscriptions() === 0, 'the server close lets go');
      await admin.close();
      await other.engine.close();
    });

    test('#15 (known difference): the in-process fetch refuses a stream, and lets go of it', async () => {
      const { name, admin } = await caseDatabase(rig, 'inproc');
      await admin.query(q.CreateCollection({ name: 'c' }));
      await admin.close();
      const client = new faunadb.Client({ secret: `${ADMIN_SECRET}:${name}:admin`, fetch: createInProcessFetch(rig.engine) });
      const got = await collect(client, q.Ref(q.Collection('c'), '1'), undefined, async () => {}, 0);
      expect(got.error?.code).toBe('bad request');
      expect(subscriptions()).toBe(0);
    });

    test('Logout deletes its token: a stream of the token hears it', async () => {
      const { admin, name } = await caseDatabase(rig, 'logout');
      await admin.query(q.CreateCollection({ name: 'users' }));
      await admin.query(q.Create(q.Ref(q.Collection('users'), '1'), { credentials: { password: 'pw' } }));
      const token = await admin.query<{ ref: unknown; secret: string }>(q.Login(q.Ref(q.Collection('users'), '1'), { password: 'pw' }));
      const user = rig.client(token.secret);
      const streamer = rig.client(`${ADMIN_SECRET}:${name}:admin`);
      const got = await collect(streamer, token.ref as Parameters<typeof q.Get>[0], ['action'], async () => {
        await user.query(q.Logout(false));
      }, 1);
      await user.close();
      await streamer.close();
      await admin.close();
      expect(got.error).toBeNull();
      expect(got.events.map((e) => e.event)).toEqual([{ action: 'delete' }]);
    });

    test('HTTP/1.1 gets the same stream, chunked, and closing the connection lets go', async () => {
      const { admin, name } = await caseDatabase(rig, 'http1');
      await admin.query(q.CreateCollection({ name: 'c' }));
      await admin.query(q.Create(q.Ref(q.Collection('c'), '1'), { data: {} }));
      const body = JSON.stringify(q.Ref(q.Collection('c'), '1'));
      const request = http.request(`${rig.server.url}/stream?fields=action`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_SECRET}:${name}:admin` },
      });
      request.end(body);
      const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
      response.setEncoding('utf8');
      let text = '';
      response.on('data', (chunk: string) => (text += chunk));
      await eventually(() => text.includes('"start"'), 'the stream starts');
      await admin.query(q.Update(q.Ref(q.Collection('c'), '1'), { data: { a: 1 } }));
      await eventually(() => text.includes('"version"'), 'the event comes');
      expect(response.headers['transfer-encoding']).toBe('chunked');
      expect(JSON.parse(text.split('\r\n')[1])).toMatchObject({ type: 'version', event: { action: 'update' } });
      request.destroy();
      await admin.close();
      await eventually(() => subscriptions() === 0, 'the closed connection lets go');
    });

    test('/stream answers only POST', async () => {
      const session = http2.connect(rig.server.url);
      const request = session.request({ ':method': 'GET', ':path': '/stream', authorization: `Bearer ${ADMIN_SECRET}` });
      request.end();
      const status = await new Promise<unknown>((resolve) => request.on('response', (headers) => resolve(headers[':status'])));
      request.close();
      session.close();
      expect(status).toBe(405);
    });
  });
}

(databaseUrl === null ? describe.skip : describe)(
  databaseUrl === null ? `PostgreSQL shared: NOT RUN (${postgresMissingReason()})` : 'PostgreSQL shared by two engines',
  () => {
    test('a stream on one engine hears the writes committed through another', async () => {
      const streaming = await StreamRig.open({ databaseUrl: databaseUrl ?? '' });
      const writing = await StreamRig.open({ databaseUrl: databaseUrl ?? '' });
      try {
        const { name, admin } = await caseDatabase(writing, 'shared');
        await admin.query(q.CreateCollection({ name: 'c' }));
        const streamer = streaming.client(`${ADMIN_SECRET}:${name}:admin`);
        const got = await collect(streamer, q.Documents(q.Collection('c')), ['action'], async () => {
          for (let i = 1; i <= 5; i++) await admin.query(q.Create(q.Ref(q.Collection('c'), String(i)), { data: {} }));
          await admin.query(q.Delete(q.Ref(q.Collection('c'), '1')));
        }, 6);
        await streamer.close();
        await admin.close();
        expect(got.error).toBeNull();
        expect(got.events.map((e) => e.event)).toEqual([...Array(5).fill({ action: 'add' }), { action: 'remove' }]);
        const txns = got.events.map((e) => e.txn);
        expect([...txns].sort((a, b) => a - b)).toEqual(txns);
      } finally {
        await streaming.close();
        await writing.close();
      }
    });
  },
);
