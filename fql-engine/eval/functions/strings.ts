/**
 * String functions, as Fauna's server wrote them: lengths and positions count code points
 * (java-strings.ts), Repeat and Space stop at 1024, NGram's sizes are at most one apart.
 */

import { typeError } from '../../errors.ts';
import { makeObject, type Value } from '../../values.ts';
import { eager, type Args, type EagerSpec } from '../spec.ts';
import { given, integerAt, invalid, items, stringAt, unary } from './common.ts';
import { format } from './format.ts';
import { javaQuote, javaRegex, javaReplace } from './java-regex.ts';
import { MAX_BUILT_CHARS } from '../../limits.ts';
import { codePointLength, codePointOffset, codePointsBefore, icuTitleCase, javaStrip, javaStripLeading, javaStripTrailing } from './java-strings.ts';

function str(args: Args, key: string): string {
  return stringAt({ value: args[key], position: [key] });
}

function int(args: Args, key: string, fallback: number): number {
  const v = given(args, key);
  return v === undefined ? fallback : integerAt({ value: v, position: [key] });
}

function stringFn(key: string, name: string, fn: (s: string) => Value): EagerSpec {
  return unary(key, name, (v, k) => fn(stringAt({ value: v, position: [k] })));
}

/** A predicate of a string and one more string argument (ContainsStr, StartsWith...). */
function stringTest(key: string, name: string, other: string, fn: (s: string, o: string) => boolean): EagerSpec {
  return eager({ key, name, params: [other], run: (args) => fn(str(args, key), str(args, other)) });
}

const concat = eager({
  key: 'concat',
  name: 'Concat',
  optional: ['separator'],
  run: (args) => {
    const sep = given(args, 'separator');
    const separator = sep === undefined ? '' : stringAt({ value: sep, position: ['separator'] });
    return items(args, 'concat').map(stringAt).join(separator);
  },
});

const NORMALIZERS = ['NFKCCaseFold', 'NFC', 'NFD', 'NFKC', 'NFKD'] as const;

/**
 * Unicode's NFKC_Casefold, approximated: NFKC, lower case, the full foldings lower case
 * misses (ß -> ss, final sigma), then NFKC again. Default-ignorable code points are kept.
 */
function nfkcCaseFold(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/ß|ẞ/g, 'ss').replace(/ς/g, 'σ').normalize('NFKC');
}

const casefold = eager({
  key: 'casefold',
  name: 'Casefold',
  optional: ['normalizer'],
  run: (args) => {
    const s = str(args, 'casefold');
    const n = given(args, 'normalizer');
    const normalizer = n === undefined ? 'NFKCCaseFold' : stringAt({ value: n, position: ['normalizer'] });
    if (!(NORMALIZERS as readonly string[]).includes(normalizer)) {
      throw invalid(
        `String ${NORMALIZERS.slice(0, -1).map((x) => `'${x}'`).join(', ')}, or '${NORMALIZERS[NORMALIZERS.length - 1]}' expected, String provided.`,
        ['normalizer'],
      );
    }
    return normalizer === 'NFKCCaseFold' ? nfkcCaseFold(s) : s.normalize(normalizer);
  },
});

/** A start outside the string searches from its beginning, as Fauna's did. */
function startOffset(s: string, start: number): number {
  return start > 0 && start < s.length ? codePointOffset(s, start) : 0;
}

const findStr = eager({
  key: 'findstr',
  name: 'FindStr',
  params: ['find'],
  optional: ['start'],
  run: (args) => {
    const s = str(args, 'findstr');
    const index = s.indexOf(str(args, 'find'), startOffset(s, int(args, 'start', 0)));
    return index > 0 ? codePointsBefore(s, index) : index;
  },
});

/**
 * Matches as Fauna lists them: in the string from `start` on (so `^` matches there), at most
 * 1024, positions in code points; `end` is the index of the last matched character, inclusive.
 */
const findStrRegex = eager({
  key: 'findstrregex',
  name: 'FindStrRegex',
  params: ['pattern'],
  optional: ['start', 'num_results'],
  run: (args) => {
    const whole = str(args, 'findstrregex');
    const re = javaRegex(str(args, 'pattern'), ['pattern']);
    const limit = Math.min(int(args, 'num_results', 1024), 1024);
    const start = int(args, 'start', 0);
    const from = startOffset(whole, start);
    const s = whole.slice(from);
    const base = from === 0 ? 0 : start;
    const found: Value[] = [];
    for (let m = re.exec(s); m && found.length < limit; m = re.exec(s)) {
      const end = m.index + Math.max(0, m[0].length - 1);
      found.push(makeObject([['start', base + codePointsBefore(s, m.index)], ['end', base + codePointsBefore(s, end)], ['data', m[0]]]));
      if (m[0].length === 0) re.lastIndex++;
    }
    return found;
  },
});

const containsStrRegex = eager({
  key: 'containsstrregex',
  name: 'ContainsStrRegex',
  params: ['pattern'],
  run: (args) => javaRegex(str(args, 'pattern'), ['pattern']).test(str(args, 'containsstrregex')),
});

const replaceStr = eager({
  key: 'replacestr',
  name: 'ReplaceStr',
  params: ['find', 'replace'],
  run: (args) => str(args, 'replacestr').replaceAll(str(args, 'find'), () => str(args, 'replace')),
});

const replaceStrRegex = eager({
  key: 'replacestrregex',
  name: 'ReplaceStrRegex',
  params: ['pattern', 'replace'],
  optional: ['first'],
  run: (args) => {
    const f = given(args, 'first');
    if (f !== undefined && typeof f !== 'boolean') throw typeError('Boolean', f, ['first']);
    const re = javaRegex(str(args, 'pattern'), ['pattern']);
    return javaReplace(str(args, 'replacestrregex'), re, str(args, 'replace'), f === true, ['replace']);
  },
});

/** In code points; a negative start counts from the end. Fauna refuses a start outside the string. */
const subString = eager({
  key: 'substring',
  name: 'SubString',
  optional: ['start', 'length'],
  run: (args) => {
    const s = str(args, 'substring');
    const total = codePointLength(s);
    const rawStart = int(args, 'start', 0);
    const start = rawStart >= 0 ? rawStart : total + rawStart;
    const length = given(args, 'length') === undefined ? undefined : int(args, 'length', 0);
    const end = length === undefined ? total : length < 0 ? -1 : Math.min(start + length, total);
    if (start > total || start < 0) throw invalid('start must be less than or equal to the string length', []);
    if (end < 0) throw invalid('length must be positive', []);
    return s.slice(codePointOffset(s, start), codePointOffset(s, end));
  },
});

function withinBuildLimit(chars: number, key: string): void {
  if (chars > MAX_BUILT_CHARS) throw invalid(`The result would hold more than ${MAX_BUILT_CHARS} characters.`, [key]);
}

/** Fauna built at most 1024 copies, and none for a count below one. */
const MAX_COPIES = 1024;

const repeat = eager({
  key: 'repeat',
  name: 'Repeat',
  optional: ['number'],
  run: (args) => {
    const s = str(args, 'repeat');
    const n = Math.max(0, Math.min(int(args, 'number', 2), MAX_COPIES));
    withinBuildLimit(s.length * n, 'number');
    return s.repeat(n);
  },
});

const space = eager({
  key: 'space',
  name: 'Space',
  run: (args) => ' '.repeat(Math.max(0, Math.min(int(args, 'space', 0), MAX_COPIES))),
});

/** How many characters ngramsOf would build, counted without building them. */
function ngramChars(length: number, min: number, max: number): number {
  let chars = 0;
  for (let n = min; n <= Math.min(max, length) && chars <= MAX_BUILT_CHARS; n++) chars += n * (length - n + 1);
  return chars;
}

/** Every substring of `min` to `max` characters, by start position, shorter first. */
function ngramsOf(term: string, min: number, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < term.length; i++) {
    for (let n = min; n <= max && i + n <= term.length; n++) out.push(term.slice(i, i + n));
  }
  return out;
}

const NGRAM_MIN = 1;
const NGRAM_MAX = 2;

/** Fauna's bounds (Lucene's NGramTokenizer, sizes at most one apart), in its words. */
function ngramBoundsProblem(min: number | undefined, max: number | undefined): string | null {
  const lo = min ?? NGRAM_MIN;
  const hi = max ?? NGRAM_MAX;
  if (min !== undefined && (lo > hi || lo <= 0)) return 'min ngram size must be > 0 and <= max';
  if (min === undefined && (hi <= 0 || hi <= lo)) return 'max ngram size must be > 0 and >= min';
  if (hi <= 0) return 'max ngram size must be > 0';
  if (hi - lo > 1) return max === undefined ? 'min ngram size must be >= max - 1' : 'max ngram size must be <= min + 1';
  return null;
}

const ngram = eager({
  key: 'ngram',
  name: 'NGram',
  optional: ['min', 'max'],
  run: (args) => {
    const terms = items(args, 'ngram').map(stringAt);
    const givenMin = given(args, 'min') === undefined ? undefined : int(args, 'min', NGRAM_MIN);
    const givenMax = given(args, 'max') === undefined ? undefined : int(args, 'max', NGRAM_MAX);
    const problem = ngramBoundsProblem(givenMin, givenMax);
    if (problem !== null) throw invalid(problem, []);
    const min = givenMin ?? NGRAM_MIN;
    const max = givenMax ?? NGRAM_MAX;
    withinBuildLimit(terms.reduce((sum, t) => sum + ngramChars(t.length, min, max), 0), 'ngram');
    return terms.flatMap((t) => ngramsOf(t, min, max));
  },
});

export const stringFunctions: readonly EagerSpec[] = [
  concat,
  casefold,
  stringFn('lowercase', 'LowerCase', (s) => s.toLowerCase()),
  stringFn('uppercase', 'UpperCase', (s) => s.toUpperCase()),
  stringFn('titlecase', 'TitleCase', icuTitleCase),
  stringFn('trim', 'Trim', javaStrip),
  stringFn('ltrim', 'LTrim', javaStripLeading),
  stringFn('rtrim', 'RTrim', javaStripTrailing),
  stringFn('length', 'Length', codePointLength),
  stringFn('regexescape', 'RegexEscape', javaQuote),
  stringTest('containsstr', 'ContainsStr', 'search', (s, o) => s.includes(o)),
  stringTest('startswith', 'StartsWith', 'search', (s, o) => s.startsWith(o)),
  stringTest('endswith', 'EndsWith', 'search', (s, o) => s.endsWith(o)),
  containsStrRegex,
  findStr,
  findStrRegex,
  replaceStr,
  replaceStrRegex,
  subString,
  repeat,
  space,
  ngram,
  format,
];
