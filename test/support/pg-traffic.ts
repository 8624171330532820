/**
 * Counts what this process sends to PostgreSQL through pg: statements, round trips and
 * serialization failures. Shared by bench:pg and the round-trip tests (test/auth/pg-round-trips.test.ts).
 *
 * A round trip: the client writes to a connection after it has heard from the server on it. So
 * statements pipelined together (written before any answer came back) count as one.
 */

import pg from 'pg';

export interface PgTraffic {
  statements: number;
  roundTrips: number;
  /** SQLSTATE 40001: a transaction aborted for serializability, which the engine then runs again. */
  serializationFailures: number;
}

const SERIALIZATION_FAILURE = '40001';

let traffic: PgTraffic | null = null;

/** Starts counting (once per process; later calls answer the same counters), for every pg client. */
export function countPgTraffic(): PgTraffic {
  if (traffic !== null) return traffic;
  const counted: PgTraffic = { statements: 0, roundTrips: 0, serializationFailures: 0 };
  traffic = counted;
  const client = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const query = client.query;
  client.query = function(this: unknown, ...args: unknown[]) {
    counted.statements += 1;
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      result.catch((error: unknown) => {
        if ((error as { code?: unknown }).code === SERIALIZATION_FAILURE) counted.serializationFailures += 1;
      });
    }
    return result;
  };
  // Every protocol message goes out through Connection's _send; one sent after something came
  // back starts a new round trip.
  const connection = (pg as unknown as { Connection: { prototype: { _send: (...args: unknown[]) => unknown } } }).Connection.prototype;
  const send = connection._send;
  const heard = new WeakMap<object, boolean>();
  connection._send = function(this: { stream: NodeJS.ReadableStream }, ...args: unknown[]) {
    if (!heard.has(this)) this.stream.on('data', () => heard.set(this, true));
    if (heard.get(this) !== false) counted.roundTrips += 1;
    heard.set(this, false);
    return send.apply(this, args);
  };
  return counted;
}
