/**
 * The one order over FQL values, used by LT/GT and friends and by index keys.
 *
 * Two views of the same order must never disagree:
 * - `compareValues` compares two values in memory;
 * - `encodeKey` turns a tuple into bytes whose memcmp order is the tuple order, so storage
 *   (Postgres `bytea` comparison) can sort and range-scan index entries without knowing FQL.
 *
 * Type order, from Fauna's LT documentation: Number < Bytes < String < Array < Object < Ref <
 * Timestamp < Date < Boolean < Null. Fauna's list does not place Lambda (@query) and Set
 * values; putting them between Date and Boolean is OUR ASSUMPTION, chosen so that Boolean
 * and Null stay the greatest types as documented.
 *
 * Within a type:
 * - numbers numerically, integers and doubles mixed (JS has one number type anyway);
 *   -0 equals 0, and NaN (which JSON cannot carry, but arithmetic could make) is one value
 *   above +Infinity so the order stays total;
 * - strings by Unicode code point (not by UTF-16 unit: a character above U+FFFF sorts after
 *   U+FFFF, as its UTF-8 bytes do); Bytes by unsigned byte; both shorter-first on a tie;
 * - arrays element by element, shorter first; objects as their (key, value) pairs sorted by
 *   key, compared the same way ("lexically, like strings" in Fauna's words);
 * - refs by collection (a native ref, which has none, first), then id (canonical numeric ids
 *   numerically and before any other id, the rest by code point), then database;
 * - times by nanoseconds, dates by day, false < true;
 * - lambdas and sets by their canonical text (JSON of the lambda, `setSpecKey` of the set).
 */

import { Bytes, FaunaDate, FaunaTime, QueryValue, Ref, SetValue, setSpecKey, type ObjectValue, type Value } from './values.ts';

// ---------------------------------------------------------------------------------------
// Type ranks. The tag byte of an encoded element is 0x10 * (rank + 1): every tag is above
// the 0x00 end marker and the 0x01 entry marker used inside arrays and objects, which is
// what makes a shorter array or object sort first.

const RANK = {
  number: 0,
  bytes: 1,
  string: 2,
  array: 3,
  object: 4,
  ref: 5,
  time: 6,
  date: 7,
  query: 8,
  set: 9,
  boolean: 10,
  null: 11,
} as const;

type Rank = (typeof RANK)[keyof typeof RANK];

function rankOf(v: Value): Rank {
  if (v === null) return RANK.null;
  if (typeof v === 'boolean') return RANK.boolean;
  if (typeof v === 'number') return RANK.number;
  if (typeof v === 'string') return RANK.string;
  if (Array.isArray(v)) return RANK.array;
  if (v instanceof Bytes) return RANK.bytes;
  if (v instanceof Ref) return RANK.ref;
  if (v instanceof FaunaTime) return RANK.time;
  if (v instanceof FaunaDate) return RANK.date;
  if (v instanceof QueryValue) return RANK.query;
  if (v instanceof SetValue) return RANK.set;
  return RANK.object;
}

function tagOf(rank: Rank): number {
  return 0x10 * (rank + 1);
}

// ---------------------------------------------------------------------------------------
// Comparison

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Fauna's total order over values: negative, zero or positive, like a sort comparator. */
export function compareValues(a: Value, b: Value): number {
  const ra = rankOf(a);
  const rb = rankOf(b);
  if (ra !== rb) return sign(ra - rb);
  return compareSameRank(a, b, ra);
}

function compareSameRank(a: Value, b: Value, rank: Rank): number {
  switch (rank) {
    case RANK.number:
      return compareNumbers(a as number, b as number);
    case RANK.bytes:
      return compareByteArrays((a as Bytes).data, (b as Bytes).data);
    case RANK.string:
      return compareStrings(a as string, b as string);
    case RANK.array:
      return compareTuples(a as readonly Value[], b as readonly Value[]);
    case RANK.object:
      return compareObjects(a as ObjectValue, b as ObjectValue);
    case RANK.ref:
      return compareRefs(a as Ref, b as Ref);
    case RANK.time:
      return compareBigints((a as FaunaTime).epochNanos, (b as FaunaTime).epochNanos);
    case RANK.date:
      return sign((a as FaunaDate).epochDays - (b as FaunaDate).epochDays);
    case RANK.query:
      return compareStrings(JSON.stringify((a as QueryValue).lambda), JSON.stringify((b as QueryValue).lambda));
    case RANK.set:
      return compareStrings(setSpecKey(a as SetValue), setSpecKey(b as SetValue));
    case RANK.boolean:
      return sign(Number(a) - Number(b));
    case RANK.null:
      return 0;
  }
}

function compareNumbers(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return sign(Number(Number.isNaN(a)) - Number(Number.isNaN(b)));
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareBigints(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code point order. Equal UTF-16 prefixes are skipped fast; only the first difference is decoded. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return sign(a.length - b.length);
  // Step back onto a pair's high half (shared by both) so both sides decode whole code points.
  if (i > 0 && isHighSurrogate(a.charCodeAt(i - 1)) && (isLowSurrogate(a.charCodeAt(i)) || isLowSurrogate(b.charCodeAt(i)))) i--;
  return sign((a.codePointAt(i) as number) - (b.codePointAt(i) as number));
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function compareByteArrays(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return sign(a[i] - b[i]);
  }
  return sign(a.length - b.length);
}

/** Element by element, a shorter tuple first when it is a prefix of the other. */
export function compareTuples(a: readonly Value[], b: readonly Value[], reverse: readonly boolean[] = []): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return reverse[i] ? -c : c;
  }
  return sign(a.length - b.length);
}

/** Keys sorted by code point, so the order does not depend on how the object was built. */
export function sortedKeys(o: ObjectValue): string[] {
  return Object.keys(o).sort(compareStrings);
}

function compareObjects(a: ObjectValue, b: ObjectValue): number {
  const ka = sortedKeys(a);
  const kb = sortedKeys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ka[i], kb[i]) || compareValues(a[ka[i]], b[kb[i]]);
    if (c !== 0) return c;
  }
  return sign(ka.length - kb.length);
}

function compareOptionalRefs(a: Ref | undefined, b: Ref | undefined): number {
  if (a === undefined || b === undefined) return sign(Number(a !== undefined) - Number(b !== undefined));
  return compareRefs(a, b);
}

function compareRefs(a: Ref, b: Ref): number {
  return compareOptionalRefs(a.collection, b.collection) || compareIds(a.id, b.id) || compareOptionalRefs(a.database, b.database);
}

const NUMERIC_ID = /^(?:0|[1-9][0-9]*)$/;

/** Document ids are decimal numbers in text; they sort as numbers. Longer than 255 digits is not an id we make. */
function isNumericId(id: string): boolean {
  return id.length <= 255 && NUMERIC_ID.test(id);
}

function compareIds(a: string, b: string): number {
  const na = isNumericId(a);
  const nb = isNumericId(b);
  if (na !== nb) return na ? -1 : 1;
  if (na) return sign(a.length - b.length) || compareStrings(a, b);
  return compareStrings(a, b);
}

// ---------------------------------------------------------------------------------------
// Encoding. Every element encoding is self-delimiting (it can be read left to right without
// knowing where it ends), hence prefix-free: no encoding is a proper prefix of another. That
// gives the two properties storage relies on:
// - a tuple is the plain concatenation of its elements, so encodeKey([a]) is a byte prefix
//   of encodeKey([a, b]) and sorts before it (a range scan from a partial cursor works);
// - inverting every byte of one element reverses its order (at the first differing byte the
//   comparison flips, and prefix-freedom means there always is one), without touching the
//   elements after it. A reversed element's terminator is inverted with it, which is fine:
//   the inverted encodings are just as prefix-free.

class ByteWriter {
  private buf = new Uint8Array(64);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(bs: Uint8Array): void {
    this.reserve(bs.length);
    this.buf.set(bs, this.length);
    this.length += bs.length;
  }

  invertFrom(start: number): void {
    for (let i = start; i < this.length; i++) this.buf[i] = 0xff - this.buf[i];
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * The order-preserving bytes of a tuple. `reverse[i]` makes element i sort descending
 * (an index value declared `reverse: true`); missing flags mean ascending.
 */
export function encodeKey(values: readonly Value[], reverse: readonly boolean[] = []): Uint8Array {
  const w = new ByteWriter();
  values.forEach((v, i) => {
    const start = w.length;
    writeValue(w, v);
    if (reverse[i]) w.invertFrom(start);
  });
  return w.result();
}

function writeValue(w: ByteWriter, v: Value): void {
  const rank = rankOf(v);
  w.byte(tagOf(rank));
  writeBody(w, v, rank);
}

function writeBody(w: ByteWriter, v: Value, rank: Rank): void {
  switch (rank) {
    case RANK.number:
      return writeNumber(w, v as number);
    case RANK.bytes:
      return writeEscaped(w, (v as Bytes).data);
    case RANK.string:
      return writeEscaped(w, codePointBytes(v as string));
    case RANK.array:
      for (const e of v as readonly Value[]) writeValue(w, e);
      return w.byte(0x00);
    case RANK.object:
      return writeObject(w, v as ObjectValue);
    case RANK.ref:
      return writeRef(w, v as Ref);
    case RANK.time:
      return writeOffsetBinary(w, (v as FaunaTime).epochNanos, 128);
    case RANK.date:
      return writeOffsetBinary(w, BigInt((v as FaunaDate).epochDays), 64);
    case RANK.query:
      return writeEscaped(w, codePointBytes(JSON.stringify((v as QueryValue).lambda)));
    case RANK.set:
      return writeEscaped(w, codePointBytes(setSpecKey(v as SetValue)));
    case RANK.boolean:
      return w.byte(v ? 0x01 : 0x00);
    case RANK.null:
      return;
  }
}

const F64 = new DataView(new ArrayBuffer(8));

/** IEEE-754 bits made sortable: flip the sign bit of positives, every bit of negatives. */
function writeNumber(w: ByteWriter, n: number): void {
  const canonical = Number.isNaN(n) ? NaN : n === 0 ? 0 : n;
  F64.setFloat64(0, canonical);
  const negative = (F64.getUint8(0) & 0x80) !== 0;
  for (let i = 0; i < 8; i++) {
    const b = F64.getUint8(i);
    w.byte(negative ? 0xff - b : i === 0 ? b ^ 0x80 : b);
  }
}

/** A signed integer shifted by 2^(bits-1), big-endian, so unsigned byte order is numeric order. */
function writeOffsetBinary(w: ByteWriter, n: bigint, bits: number): void {
  let u = BigInt.asUintN(bits, n + (1n << BigInt(bits - 1)));
  const out = new Uint8Array(bits / 8);
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(u & 0xffn);
    u >>= 8n;
  }
  w.bytes(out);
}

/**
 * Bytes with a terminator that sorts below any continuation: 0x00 becomes 0x00 0xFF and the
 * end is 0x00 0x01, so "a" < "a\0" < "a\x01" and a prefix sorts first.
 */
function writeEscaped(w: ByteWriter, data: Uint8Array): void {
  for (const b of data) {
    w.byte(b);
    if (b === 0x00) w.byte(0xff);
  }
  w.byte(0x00);
  w.byte(0x01);
}

/**
 * UTF-8 of each code point, lone surrogates included (as their own 3-byte sequences, the
 * way WTF-8 does), so byte order is code point order and no two strings share an encoding.
 */
function codePointBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Each entry is 0x01, key, value; the end is 0x00, so fewer entries sort first on a tie. */
function writeObject(w: ByteWriter, o: ObjectValue): void {
  for (const k of sortedKeys(o)) {
    w.byte(0x01);
    writeEscaped(w, codePointBytes(k));
    writeValue(w, o[k]);
  }
  w.byte(0x00);
}

function writeRef(w: ByteWriter, r: Ref): void {
  writeOptionalRef(w, r.collection);
  if (isNumericId(r.id)) {
    // Numeric ids: length first, then digits, which for canonical decimals is numeric order.
    w.byte(0x01);
    w.byte(r.id.length);
    w.bytes(codePointBytes(r.id));
  } else {
    w.byte(0x02);
    writeEscaped(w, codePointBytes(r.id));
  }
  writeOptionalRef(w, r.database);
}

function writeOptionalRef(w: ByteWriter, r: Ref | undefined): void {
  if (r === undefined) return w.byte(0x01);
  w.byte(0x02);
  writeRef(w, r);
}
