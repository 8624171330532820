/**
 * String functions. Fauna ran on the JVM, so positions and lengths count UTF-16 code
 * units (Java's String.length), which is also what JS strings count.
 */

import { typeError } from '../../errors.ts';
import { makeObject, type Value } from '../../values.ts';
import { eager, type Args, type EagerSpec } from '../spec.ts';
import { given, integerAt, invalid, items, stringAt, unary } from './common.ts';
import { format } from './format.ts';
import { javaQuote, javaRegex, javaReplace } from './java-regex.ts';
import { MAX_BUILT_CHARS } from '../../limits.ts';

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
      throw invalid(`String ${NORMALIZERS.slice(0, -1).map((x) => `'${x}'`).join(', ')}, or '${NORMALIZERS[NORMALIZERS.length - 1]}' expected, String provided.`, ['normalizer']);
    }
    return normalizer === 'NFKCCaseFold' ? nfkcCaseFold(s) : s.normalize(normalizer);
  },
});

const findStr = eager({
  key: 'findstr',
  name: 'FindStr',
  params: ['find'],
  optional: ['start'],
  run: (args) => str(args, 'findstr').indexOf(str(args, 'find'), Math.max(0, int(args, 'start', 0))),
});

/** Matches as Fauna lists them: `end` is the index of the last matched character, inclusive. */
const findStrRegex = eager({
  key: 'findstrregex',
  name: 'FindStrRegex',
  params: ['pattern'],
  optional: ['start', 'num_results'],
  run: (args) => {
    const s = str(args, 'findstrregex');
    const re = javaRegex(str(args, 'pattern'), ['pattern']);
    const limit = int(args, 'num_results', 1024);
    re.lastIndex = Math.max(0, int(args, 'start', 0));
    const found: Value[] = [];
    for (let m = re.exec(s); m && found.length < limit; m = re.exec(s)) {
      found.push(makeObject([['start', m.index], ['end', m.index + m[0].length - 1], ['data', m[0]]]));
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

/** A negative start counts from the end; both ends are clamped into the string. */
const subString = eager({
  key: 'substring',
  name: 'SubString',
  optional: ['start', 'length'],
  run: (args) => {
    const s = str(args, 'substring');
    const rawStart = int(args, 'start', 0);
    const start = Math.min(s.length, rawStart < 0 ? Math.max(0, s.length + rawStart) : rawStart);
    const len = given(args, 'length') === undefined ? s.length - start : int(args, 'length', 0);
    if (len < 0) throw invalid('Length must not be negative.', ['length']);
    return s.slice(start, start + len);
  },
});

function withinBuildLimit(chars: number, key: string): void {
  if (chars > MAX_BUILT_CHARS) throw invalid(`The result would hold more than ${MAX_BUILT_CHARS} characters.`, [key]);
}

function count(args: Args, key: string, fallback: number): number {
  const n = int(args, key, fallback);
  if (n < 0) throw invalid('Count must not be negative.', [key]);
  return n;
}

const repeat = eager({
  key: 'repeat',
  name: 'Repeat',
  optional: ['number'],
  run: (args) => {
    const s = str(args, 'repeat');
    const n = count(args, 'number', 2);
    withinBuildLimit(s.length * n, 'number');
    return s.repeat(n);
  },
});

const space = eager({
  key: 'space',
  name: 'Space',
  run: (args) => {
    const n = count(args, 'space', 0);
    withinBuildLimit(n, 'space');
    return ' '.repeat(n);
  },
});

/** Each whitespace-separated word: first character upper case, the rest lower case. */
function titleCase(s: string): string {
  return s.replace(/\S+/g, (word) => {
    const first = String.fromCodePoint(word.codePointAt(0) as number);
    return first.toUpperCase() + word.slice(first.length).toLowerCase();
  });
}

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

const ngram = eager({
  key: 'ngram',
  name: 'NGram',
  optional: ['min', 'max'],
  run: (args) => {
    const terms = items(args, 'ngram').map(stringAt);
    const min = int(args, 'min', 1);
    const max = int(args, 'max', 2);
    if (min < 1 || max < min) throw invalid('NGram needs 1 <= min <= max.', ['min']);
    withinBuildLimit(terms.reduce((sum, t) => sum + ngramChars(t.length, min, max), 0), 'ngram');
    return terms.flatMap((t) => ngramsOf(t, min, max));
  },
});

export const stringFunctions: readonly EagerSpec[] = [
  concat,
  casefold,
  stringFn('lowercase', 'LowerCase', (s) => s.toLowerCase()),
  stringFn('uppercase', 'UpperCase', (s) => s.toUpperCase()),
  stringFn('titlecase', 'TitleCase', titleCase),
  stringFn('trim', 'Trim', (s) => s.trim()),
  stringFn('ltrim', 'LTrim', (s) => s.trimStart()),
  stringFn('rtrim', 'RTrim', (s) => s.trimEnd()),
  stringFn('length', 'Length', (s) => s.length),
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
