/**
 * The wire codec: values to and from the tagged JSON that faunadb 4.8.x reads and writes
 * (@ref, @ts, @date, @bytes, @query, @set, @obj). Storage keeps document bodies in the
 * same encoding, so one codec serves both.
 */

import { FaunaError } from './errors.ts';
import { MAX_VALUE_DEPTH, tooDeep } from './limits.ts';
import {
  Bytes,
  FaunaDate,
  FaunaTime,
  QueryValue,
  Ref,
  SetValue,
  isArray,
  setOwnField,
  type Json,
  type NativeName,
  type ObjectValue,
  NATIVE_NAMES,
  type SetSpec,
  type Value,
} from './values.ts';

export function encodeValue(v: Value, depth = 0): Json {
  if (v === null || typeof v !== 'object') return v;
  if (depth >= MAX_VALUE_DEPTH) throw tooDeep('A value', MAX_VALUE_DEPTH);
  if (isArray(v)) return v.map((item) => encodeValue(item, depth + 1));
  if (v instanceof Ref) return { '@ref': encodeRefBody(v) };
  if (v instanceof FaunaTime) return { '@ts': formatTime(v) };
  if (v instanceof FaunaDate) return { '@date': formatDate(v) };
  if (v instanceof Bytes) return { '@bytes': Buffer.from(v.data).toString('base64') };
  if (v instanceof QueryValue) return { '@query': v.lambda };
  if (v instanceof SetValue) return { '@set': encodeSetSpec(v.spec) };
  const out: Record<string, Json> = {};
  let needsEscape = false;
  for (const k of Object.keys(v)) {
    if (k.startsWith('@')) needsEscape = true;
    setOwnField(out, k, encodeValue(v[k], depth + 1));
  }
  return needsEscape ? { '@obj': out } : out;
}

function encodeRefBody(r: Ref): Record<string, Json> {
  const body: Record<string, Json> = { id: r.id };
  if (r.collection) body.collection = encodeValue(r.collection);
  if (r.database) body.database = encodeValue(r.database);
  return body;
}

function encodeSetSpec(spec: SetSpec): Json {
  switch (spec.type) {
    case 'match':
      return { match: encodeValue(spec.index), terms: encodeValue(spec.rawTerms) };
    case 'documents':
      return { documents: encodeValue(spec.collection) };
    case 'native':
      return encodeValue(spec.ref);
    case 'union':
    case 'intersection':
    case 'difference':
      return { [spec.type]: spec.sets.map((s) => encodeValue(s)) };
    case 'distinct':
    case 'reverse':
      return { [spec.type]: encodeValue(spec.set) };
    case 'singleton':
      return { singleton: encodeValue(spec.ref) };
    case 'range':
      return { range: encodeValue(spec.set), from: encodeValue(spec.from), to: encodeValue(spec.to) };
    // Fauna wrote the lambda of a join or filter set as a bare `{lambda, expr}`, not as @query.
    case 'join':
      return { join: encodeValue(spec.source), with: spec.with instanceof QueryValue ? spec.with.lambda : encodeValue(spec.with) };
    case 'filter':
      return { filter: spec.lambda.lambda, collection: encodeValue(spec.set) };
    case 'events':
      return { events: encodeValue(spec.of) };
  }
}

/** Decodes tagged JSON (a stored body, or a literal inside a query) into a value. */
export function decodeValue(j: Json): Value {
  if (j === null || typeof j !== 'object') return j;
  if (Array.isArray(j)) return j.map(decodeValue);
  const o = j as { readonly [k: string]: Json };
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0].startsWith('@')) {
    const tagged = decodeTag(keys[0], o[keys[0]]);
    if (tagged !== undefined) return tagged;
  }
  return decodeFields(o, keys);
}

/**
 * An object's fields decoded, in a loop rather than through makeObject's [key, value] pairs:
 * every stored document read is decoded here, field by field, and the pairs were garbage.
 */
function decodeFields(o: { readonly [k: string]: Json }, keys: readonly string[]): ObjectValue {
  const out: Record<string, Value> = {};
  for (const k of keys) setOwnField(out, k, decodeValue(o[k]));
  return out;
}

/**
 * Decodes a tagged literal ({"@ts": ...} and friends), or returns undefined when the object
 * is not one. `@obj` unwraps one level without decoding its fields as calls.
 */
export function decodeTagged(o: { readonly [k: string]: Json }): Value | undefined {
  const keys = Object.keys(o);
  if (keys.length !== 1 || !keys[0].startsWith('@')) return undefined;
  return decodeTag(keys[0], o[keys[0]]);
}

/** The value of a one-field object whose field is `tag`, or undefined when the tag is none of Fauna's. */
function decodeTag(tag: string, body: Json): Value | undefined {
  switch (tag) {
    case '@ref':
      return decodeRef(body);
    case '@ts':
      return parseTime(expectString(body, tag));
    case '@date':
      return parseDate(expectString(body, tag));
    case '@bytes':
      return new Bytes(new Uint8Array(Buffer.from(expectString(body, tag), 'base64')));
    case '@query':
      return new QueryValue(withApiVersion(body));
    case '@obj': {
      if (!isPlainJsonObject(body)) throw badLiteral(tag);
      return decodeFields(body, Object.keys(body));
    }
    case '@set':
      return decodeSet(body);
    default:
      return undefined;
  }
}

/** The FQL version of a lambda sent without one: Fauna read such a legacy @query as 2.12. */
const LEGACY_LAMBDA_VERSION = '2.12';

function withApiVersion(lambda: Json): Json {
  if (!isPlainJsonObject(lambda) || 'api_version' in lambda || !('lambda' in lambda)) return lambda;
  return { api_version: LEGACY_LAMBDA_VERSION, ...lambda };
}

function decodeRef(body: Json): Ref {
  if (typeof body === 'string') return parseRefPath(body);
  if (!isPlainJsonObject(body) || typeof body.id !== 'string') throw badLiteral('@ref');
  const collection = body.collection === undefined ? undefined : decodeValue(body.collection);
  const database = body.database === undefined ? undefined : decodeValue(body.database);
  if (collection !== undefined && !(collection instanceof Ref)) throw badLiteral('@ref');
  if (database !== undefined && !(database instanceof Ref)) throw badLiteral('@ref');
  if (collection === undefined && !NATIVE_NAMES.includes(body.id as NativeName)) {
    throw new FaunaError('invalid ref', `Ref refers to undefined collection '${body.id}'`);
  }
  return new Ref(body.id, collection, database);
}

function decodeSet(body: Json): SetValue {
  const v = isPlainJsonObject(body) && '@ref' in body ? decodeValue(body) : undefined;
  if (v instanceof Ref) return new SetValue({ type: 'native', ref: v });
  if (!isPlainJsonObject(body)) throw badLiteral('@set');
  if ('match' in body) {
    const index = decodeValue(body.match);
    const rawTerms = body.terms === undefined ? [] : decodeValue(body.terms);
    if (!(index instanceof Ref)) throw badLiteral('@set');
    const terms = Array.isArray(rawTerms) ? rawTerms : [rawTerms];
    return new SetValue({ type: 'match', index, terms, rawTerms });
  }
  if ('documents' in body) {
    const collection = decodeValue(body.documents);
    if (!(collection instanceof Ref)) throw badLiteral('@set');
    return new SetValue({ type: 'documents', collection });
  }
  for (const type of ['union', 'intersection', 'difference'] as const) {
    if (type in body) {
      const parts = decodeValue(body[type]);
      const list = Array.isArray(parts) ? parts : [parts];
      if (!list.every((s): s is SetValue => s instanceof SetValue)) throw badLiteral('@set');
      return new SetValue({ type, sets: list });
    }
  }
  for (const type of ['distinct', 'reverse'] as const) {
    if (type in body) {
      const inner = decodeValue(body[type]);
      if (!(inner instanceof SetValue)) throw badLiteral('@set');
      return new SetValue({ type, set: inner });
    }
  }
  return decodeDerivedSet(body);
}

/** The sets made by Singleton, Range, Join, Filter and Events. */
function decodeDerivedSet(body: { readonly [k: string]: Json }): SetValue {
  if ('singleton' in body) {
    const ref = decodeValue(body.singleton);
    if (ref instanceof Ref) return new SetValue({ type: 'singleton', ref });
  }
  if ('range' in body && 'from' in body && 'to' in body) {
    const set = decodeValue(body.range);
    if (set instanceof SetValue) return new SetValue({ type: 'range', set, from: decodeValue(body.from), to: decodeValue(body.to) });
  }
  if ('join' in body && 'with' in body) {
    const source = decodeValue(body.join);
    const via = isPlainJsonObject(body.with) && 'lambda' in body.with ? new QueryValue(body.with) : decodeValue(body.with);
    if (source instanceof SetValue && (via instanceof Ref || via instanceof QueryValue)) return new SetValue({ type: 'join', source, with: via });
  }
  if ('filter' in body && 'collection' in body && isPlainJsonObject(body.filter)) {
    const set = decodeValue(body.collection);
    if (set instanceof SetValue) return new SetValue({ type: 'filter', set, lambda: new QueryValue(body.filter) });
  }
  if ('events' in body) {
    const of = decodeValue(body.events);
    if (of instanceof SetValue || (of instanceof Ref && !of.isNative())) return new SetValue({ type: 'events', of });
  }
  throw badLiteral('@set');
}

const REF_PATH_KINDS: Readonly<Record<string, NativeName>> = {
  classes: 'collections',
  collections: 'collections',
  indexes: 'indexes',
  functions: 'functions',
  databases: 'databases',
  keys: 'keys',
  tokens: 'tokens',
  credentials: 'credentials',
  roles: 'roles',
  access_providers: 'access_providers',
};

/** The legacy string form of a ref: `collections`, `collections/users`, `collections/users/123`, `indexes/by_email`. */
export function parseRefPath(path: string): Ref {
  const parts = path.split('/');
  const native = REF_PATH_KINDS[parts[0]];
  // `Ref("collections")`, `Ref("tokens")`: the built-in collection itself.
  if (native && parts.length === 1) return Ref.native(native);
  if (!native || parts.length < 2 || parts.length > 3 || parts.some((p) => p.length === 0)) {
    throw new FaunaError('invalid argument', `Invalid ref path '${path}'.`);
  }
  if (parts.length === 2) return new Ref(parts[1], Ref.native(native));
  if (native !== 'collections') throw new FaunaError('invalid argument', `Invalid ref path '${path}'.`);
  return new Ref(parts[2], new Ref(parts[1], Ref.native(native)));
}

export function isPlainJsonObject(j: Json | undefined): j is { readonly [k: string]: Json } {
  return typeof j === 'object' && j !== null && !Array.isArray(j);
}

function expectString(j: Json, tag: string): string {
  if (typeof j !== 'string') throw badLiteral(tag);
  return j;
}

function badLiteral(tag: string): FaunaError {
  return new FaunaError('invalid expression', `Malformed ${tag} literal.`);
}

// ---------------------------------------------------------------------------------------
// Time and date text. Fauna keeps nanoseconds; the text form drops trailing zero digits.

// Years 0000 to 9999, the four-digit years of ISO 8601: the text forms below are exact there.
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})$/;

const NANOS_PER_MS = 1_000_000n;
const MIN_MS = utcMillis(0, 1, 1);
const MAX_MS = utcMillis(9999, 12, 31) + 86_400_000 - 1;
const MIN_NANOS = BigInt(MIN_MS) * NANOS_PER_MS;
const MAX_NANOS = (BigInt(MAX_MS) + 1n) * NANOS_PER_MS - 1n;
const MIN_DAY = MIN_MS / 86_400_000;
const MAX_DAY = Math.floor(MAX_MS / 86_400_000);

/** Milliseconds since the epoch of a UTC calendar time; unlike Date.UTC, years 0 to 99 are taken as they are. */
function utcMillis(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function outOfRange(): FaunaError {
  return new FaunaError('invalid argument', 'Times and dates must fall between the years 0000 and 9999.');
}

/** The time itself, or 'invalid argument' when it falls outside the years 0000 to 9999. */
export function timeInRange(t: FaunaTime): FaunaTime {
  if (t.epochNanos < MIN_NANOS || t.epochNanos > MAX_NANOS) throw outOfRange();
  return t;
}

export function dateInRange(d: FaunaDate): FaunaDate {
  if (!Number.isInteger(d.epochDays) || d.epochDays < MIN_DAY || d.epochDays > MAX_DAY) throw outOfRange();
  return d;
}

export function parseTime(text: string): FaunaTime {
  const utc = parseUtcTime(text);
  if (utc !== null) return utc;
  const m = TIME_RE.exec(text);
  if (!m) throw cannotCastTime(text);
  const [, y, mo, d, h, mi, s = '0', frac = '', zone] = m;
  let offsetNanos = 0n;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1n : 1n;
    const digits = zone.slice(1).replace(':', '');
    const offsetMinutes = BigInt(Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
    offsetNanos = sign * offsetMinutes * 60_000_000_000n;
  }
  const fraction = frac === '' ? 0 : Number(frac.padEnd(9, '0'));
  return timeOf(text, [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s)], fraction, offsetNanos);
}

/**
 * The form every stored time and every answer has, `2026-12-03T18:30:52.123456Z` (a fraction of
 * 1 to 9 digits, or none), read digit by digit: a document's times are parsed each time it is
 * read, and the regular expression, its nine captures and their conversions cost several times
 * more. Null for any other text, which the general path reads (or refuses).
 */
function parseUtcTime(text: string): FaunaTime | null {
  const length = text.length;
  if (length < 20 || length === 21 || length > 30 || text.charCodeAt(length - 1) !== 90 /* Z */) return null;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return null;
  if (length > 20 && text[19] !== '.') return null;
  const parts = [digitsAt(text, 0, 4), digitsAt(text, 5, 7), digitsAt(text, 8, 10), digitsAt(text, 11, 13), digitsAt(text, 14, 16), digitsAt(text, 17, 19)];
  const fraction = length === 20 ? 0 : digitsAt(text, 20, length - 1) * 10 ** (30 - length);
  if (fraction < 0 || parts.includes(-1)) return null;
  return timeOf(text, parts, fraction, 0n);
}

/** The decimal number written from `start` to `end` (exclusive), or -1 when a character there is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** A time from its calendar fields, its fraction of a second in nanoseconds, and its zone's offset. */
function timeOf(text: string, [year, month, day, hour, minute, second]: readonly number[], fractionNanos: number, offsetNanos: bigint): FaunaTime {
  // A day the month does not have would roll over into the next one: refused instead. Month 00
  // is taken, as Date takes it, for December of the year before (31 days).
  if (month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) throw cannotCastTime(text);
  // Date.UTC reads years 0 to 99 as 1900 to 1999: utcMillis takes them as they are. Date.UTC is
  // the cheaper of the two, and stored documents carry a few times each.
  const ms = year >= 100 ? Date.UTC(year, month - 1, day, hour, minute, second) : utcMillis(year, month, day, hour, minute, second);
  return timeInRange(new FaunaTime(BigInt(ms / 1000) * 1_000_000_000n + BigInt(fractionNanos) - offsetNanos));
}

function cannotCastTime(text: string): FaunaError {
  return new FaunaError('invalid argument', `Cannot cast '${text}' to a time.`);
}

/** The days of a month of the proleptic Gregorian calendar, as Date counts them; month 0 is the December before. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function formatTime(t: FaunaTime): string {
  const nanos = timeInRange(t).epochNanos;
  let seconds = nanos / 1_000_000_000n;
  let rem = nanos % 1_000_000_000n;
  if (rem < 0n) {
    rem += 1_000_000_000n;
    seconds -= 1n;
  }
  return `${utcSecondText(Number(seconds))}${fractionDigits(rem)}Z`;
}

/**
 * `YYYY-MM-DDTHH:MM:SS` of a second since the epoch, as toISOString prints it for the years 0000
 * to 9999, computed directly (the civil calendar from a day count, after Howard Hinnant's
 * civil_from_days): a quarter of the CPU of a Date and its toISOString, and every time an answer
 * holds is printed here.
 */
function utcSecondText(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const secondOfDay = seconds - days * 86_400;
  // Days since 0000-03-01, counted in 400-year eras of 146,097 days: the leap day ends a year.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1_460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(secondOfDay / 3_600);
  const minute = Math.floor((secondOfDay % 3_600) / 60);
  const second = secondOfDay % 60;
  return `${String(year).padStart(4, '0')}-${twoDigits(month)}-${twoDigits(day)}T${twoDigits(hour)}:${twoDigits(minute)}:${twoDigits(second)}`;
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

/**
 * A second's fraction as Java's ISO_INSTANT prints it, which Fauna's answers show: in groups of
 * three digits (`.030`, `.123400`, `.123456789`), none when it is zero.
 */
function fractionDigits(nanos: bigint): string {
  if (nanos === 0n) return '';
  const digits = nanos.toString().padStart(9, '0');
  const length = digits.endsWith('000000') ? 3 : digits.endsWith('000') ? 6 : 9;
  return `.${digits.slice(0, length)}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDate(text: string): FaunaDate {
  const m = DATE_RE.exec(text);
  const ms = m ? utcMillis(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
  if (!m || !Number.isFinite(ms) || new Date(ms).getUTCDate() !== Number(m[3]) || Number(m[2]) > 12) {
    throw new FaunaError('invalid argument', `Cannot cast '${text}' to a date.`);
  }
  return new FaunaDate(Math.round(ms / 86_400_000));
}

export function formatDate(d: FaunaDate): string {
  return new Date(dateInRange(d).epochDays * 86_400_000).toISOString().slice(0, 10);
}
