/**
 * A stream's events as Fauna wrote them: one JSON object a line (`\r\n` after each), with the
 * event's `type`, its transaction time `txn`, and the `event` itself. Which fields a version or
 * set event carries is the stream's `fields` option (`?fields=action,document,diff`); Fauna's
 * default was `action` and `document`.
 */

import { FaunaError } from '../errors.ts';
import { decodeValue, encodeValue } from '../wire.ts';
import { isObject, makeObject, valueEquals, type Json, type ObjectValue, type Value } from '../values.ts';
import type { DocChange, SetChange } from './change.ts';

export const EVENT_FIELDS = ['action', 'document', 'diff', 'prev', 'index'] as const;
export type EventField = (typeof EVENT_FIELDS)[number];
const DEFAULT_FIELDS: readonly EventField[] = ['action', 'document'];

const SEPARATOR = '\r\n';

/** The `fields` query parameter: a comma-separated list of event fields, or the defaults when absent. */
export function parseFields(param: string | null | undefined): ReadonlySet<EventField> {
  if (param === null || param === undefined || param.trim() === '') return new Set(DEFAULT_FIELDS);
  const fields = new Set<EventField>();
  for (const name of param.split(',').map((f) => f.trim())) {
    const field = EVENT_FIELDS.find((f) => f === name);
    if (field === undefined) {
      throw new FaunaError('invalid argument', `Unknown stream event field '${name}': expected ${EVENT_FIELDS.join(', ')}.`);
    }
    fields.add(field);
  }
  return fields;
}

function line(type: string, txn: number, event: Json): string {
  return JSON.stringify({ type, txn, event }) + SEPARATOR;
}

export function startEvent(ts: number): string {
  return line('start', ts, ts);
}

export function errorEvent(error: FaunaError, txn = 0): string {
  return line('error', txn, { code: error.code, description: error.description });
}

/** A document stream's event for a write of its document. */
export function versionEvent(change: DocChange, fields: ReadonlySet<EventField>): string {
  const ref = decodeValue(change.ref);
  const doc = asObject(decodeValue(change.doc));
  const prev = change.prev === null ? null : asObject(decodeValue(change.prev));
  const event: [string, Value][] = [];
  if (fields.has('action')) event.push(['action', change.action]);
  // A deleted document shows what it was, at the time it was deleted.
  if (fields.has('document')) event.push(['document', instance(ref, change.ts, doc)]);
  if (fields.has('diff')) event.push(['diff', instance(ref, change.ts, change.action === 'delete' ? {} : diffOf(prev ?? {}, doc))]);
  if (fields.has('prev')) event.push(['prev', prev === null ? instance(ref, change.ts, {}) : instance(ref, change.prevTs ?? change.ts, prev)]);
  return line('version', change.ts, encodeValue(makeObject(event)));
}

/** A Match stream's event for an entry added to or removed from its index. */
export function setEvent(change: SetChange, fields: ReadonlySet<EventField>): string {
  const event: [string, Json][] = [];
  if (fields.has('action')) event.push(['action', change.action]);
  if (fields.has('document')) event.push(['document', { ref: change.ref, ts: change.ts }]);
  if (fields.has('index')) event.push(['index', { ref: change.indexRef, terms: change.termValues, values: change.values }]);
  return line('set', change.ts, Object.fromEntries(event));
}

/** A Documents stream's event: a document of the collection created (added) or deleted (removed). */
export function documentsEvent(change: DocChange, fields: ReadonlySet<EventField>): string {
  const event: [string, Json][] = [];
  if (fields.has('action')) event.push(['action', change.action === 'delete' ? 'remove' : 'add']);
  if (fields.has('document')) event.push(['document', { ref: change.ref, ts: change.ts }]);
  return line('set', change.ts, Object.fromEntries(event));
}

function instance(ref: Value, ts: number, fields: ObjectValue): ObjectValue {
  return makeObject([['ref', ref], ['ts', ts], ...Object.entries(fields).filter(([k]) => k !== 'ref' && k !== 'ts')]);
}

function asObject(v: Value): ObjectValue {
  return isObject(v) ? v : {};
}

/** What changed from `before` to `after`: changed fields with their new value, removed ones as null, objects compared field by field. */
export function diffOf(before: ObjectValue, after: ObjectValue): ObjectValue {
  const out: [string, Value][] = [];
  for (const [key, value] of Object.entries(after)) {
    const old = before[key];
    if (old !== undefined && valueEquals(old, value)) continue;
    out.push([key, old !== undefined && isObject(old) && isObject(value) ? diffOf(old, value) : value]);
  }
  for (const key of Object.keys(before)) if (!(key in after)) out.push([key, null]);
  return makeObject(out);
}
