/**
 * Fauna's regex functions take Java regular expressions. JS regexes agree on the common
 * syntax; this translates the Java-only pieces that RegexEscape and everyday patterns use
 * (\Q...\E quoting, leading inline flags, \A \z \Z anchors, \h, POSIX classes such as \p{Alpha},
 * Unicode properties such as \p{L} or \p{IsLatin}, `$n` / `${name}` replacements).
 * Java features JS lacks (possessive quantifiers, atomic groups, mid-pattern flags) make the
 * JS compiler fail, which surfaces as Fauna's `invalid argument`.
 */

import type { Position } from '../../errors.ts';
import { invalid } from './common.ts';

const INLINE_FLAGS: Readonly<Record<string, string>> = { i: 'i', s: 's', m: 'm', u: '', U: '' };

/** Leading `(?ims)` groups become JS flags. */
function leadingFlags(pattern: string): { readonly rest: string; readonly flags: string } {
  let rest = pattern;
  let flags = '';
  for (let m = /^\(\?([a-zA-Z]+)\)/.exec(rest); m; m = /^\(\?([a-zA-Z]+)\)/.exec(rest)) {
    for (const f of m[1]) {
      const js = INLINE_FLAGS[f];
      if (js === undefined) return { rest, flags };
      if (!flags.includes(js)) flags += js;
    }
    rest = rest.slice(m[0].length);
  }
  return { rest, flags };
}

const ANCHORS: Readonly<Record<string, string>> = {
  A: '(?<![\\s\\S])',
  z: '(?![\\s\\S])',
  Z: '(?=\\n?(?![\\s\\S]))',
};

/** Java's POSIX classes (ASCII only, as Java has them by default), as class contents. */
const POSIX: Readonly<Record<string, string>> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

/** Java's \h: horizontal whitespace. */
const HORIZONTAL_SPACE = ' \\t\\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';

/** A Java construct with no JS equivalent: the pattern is refused rather than read another way. */
class Untranslatable extends Error {}

interface Piece {
  readonly text: string;
  /** Unicode property escapes need JS's `u` flag. */
  readonly unicode: boolean;
}

/** Class contents, bracketed where they stand alone. */
function classOf(contents: string, negated: boolean, inClass: boolean): string {
  if (inClass && negated) throw new Untranslatable();
  if (inClass) return contents;
  return `[${negated ? '^' : ''}${contents}]`;
}

/** `\p{Name}` / `\P{Name}`: a POSIX class, or a Unicode property written Java's way. */
function property(name: string, negated: boolean, inClass: boolean): Piece {
  const posix = POSIX[name];
  if (posix !== undefined) return { text: classOf(posix, negated, inClass), unicode: false };
  // Java writes categories as X or IsX, scripts and binary properties as IsX; blocks (InX)
  // and java* classes have no JS equivalent.
  const bare = name.startsWith('Is') ? name.slice(2) : name;
  if (bare.startsWith('In') || bare.startsWith('java')) throw new Untranslatable();
  return { text: `\\${negated ? 'P' : 'p'}{${jsProperty(bare)}}`, unicode: true };
}

/** The JS name of a category or binary property (L, Lu, Alphabetic), else of a script (Latin). */
function jsProperty(bare: string): string {
  for (const candidate of [bare, `Script=${bare}`]) {
    try {
      new RegExp(`\\p{${candidate}}`, 'u');
      return candidate;
    } catch {
      // Not this kind of property: try the next.
    }
  }
  throw new Untranslatable();
}

/** One character, matched literally whether or not the `u` flag is on. */
function literal(c: string): string {
  if (/[A-Za-z0-9 ]/.test(c)) return c;
  const code = c.codePointAt(0) as number;
  return code > 0xffff ? c : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A Java escape at `i` (the backslash) as JS source, and how many characters it used. */
function escape(body: string, i: number, inClass: boolean): Piece & { readonly used: number } {
  const next = body[i + 1];
  if (next === 'Q') {
    const end = body.indexOf('\\E', i + 2);
    const stop = end < 0 ? body.length : end;
    const text = [...body.slice(i + 2, stop)].map(literal).join('');
    return { text, used: (end < 0 ? body.length : end + 2) - i, unicode: false };
  }
  if (next === 'p' || next === 'P') {
    const m = /^\{([A-Za-z_=]+)\}/.exec(body.slice(i + 2));
    if (!m) throw new Untranslatable();
    return { ...property(m[1], next === 'P', inClass), used: 2 + m[0].length };
  }
  if (next === 'h' || next === 'H') return { text: classOf(HORIZONTAL_SPACE, next === 'H', inClass), used: 2, unicode: false };
  if (!inClass && ANCHORS[next] !== undefined) return { text: ANCHORS[next], used: 2, unicode: false };
  // An escaped symbol is that symbol in Java; JS's `u` mode refuses some (\- outside a class).
  if (!/[A-Za-z0-9]/.test(next)) return { text: literal(next), used: 2, unicode: false };
  return { text: `\\${next}`, used: 2, unicode: false };
}

function translateBody(body: string): Piece {
  let text = '';
  let unicode = false;
  let inClass = false;
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (c === '\\' && i + 1 < body.length) {
      const piece = escape(body, i, inClass);
      text += piece.text;
      unicode ||= piece.unicode;
      i += piece.used;
      continue;
    }
    // A `]` right after `[` or `[^` is a literal member of the class, as in Java.
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass && !/\[\^?$/.test(text)) inClass = false;
    text += c;
    i++;
  }
  return { text, unicode };
}

/** Compiles a Java pattern as a JS RegExp (global, so callers can iterate matches). */
export function javaRegex(pattern: string, position: Position): RegExp {
  const { rest, flags } = leadingFlags(pattern);
  try {
    const { text, unicode } = translateBody(rest);
    return new RegExp(text, `${flags}${unicode ? 'u' : ''}g`);
  } catch {
    throw invalid(`Search pattern /${pattern}/ is not a valid regular expression.`, position);
  }
}

/** Java's Pattern.quote: the text between \Q and \E, with any \E inside split out. */
export function javaQuote(text: string): string {
  return `\\Q${text.replaceAll('\\E', '\\E\\\\E\\Q')}\\E`;
}

/** Literal text, or a reference to a group by number or name. */
type Part = string | { readonly group: number | string };

function groupCount(re: RegExp): number {
  return (new RegExp(`${re.source}|`, re.flags.replace('g', '')).exec('') as RegExpExecArray).length - 1;
}

/** Java replacement syntax: `\x` is a literal x, `$n` a group (as many digits as name a group), `${name}` a named group. */
function parseReplacement(replacement: string, groups: number, position: Position): readonly Part[] {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\' && i + 1 < replacement.length) {
      literal += replacement[++i];
    } else if (c === '$') {
      const named = /^\$\{([a-zA-Z][a-zA-Z0-9]*)\}/.exec(replacement.slice(i));
      const digits = /^\$(\d+)/.exec(replacement.slice(i));
      if (!named && !digits) throw invalid(`Illegal group reference in '${replacement}'.`, position);
      parts.push(literal);
      literal = '';
      if (named) {
        parts.push({ group: named[1] });
        i += named[0].length - 1;
      } else {
        const n = longestGroup((digits as RegExpExecArray)[1], groups);
        if (n === undefined) throw invalid(`No group ${(digits as RegExpExecArray)[1][0]} in pattern.`, position);
        parts.push({ group: n });
        i += String(n).length;
      }
    } else {
      literal += c;
    }
  }
  parts.push(literal);
  return parts;
}

/** Java reads `$12` as group 12 only if the pattern has 12 groups, else group 1 then "2". */
function longestGroup(digits: string, groups: number): number | undefined {
  let n: number | undefined;
  for (let len = 1; len <= digits.length; len++) {
    const candidate = Number(digits.slice(0, len));
    if (candidate > groups) break;
    n = candidate;
  }
  return n;
}

function expand(parts: readonly Part[], m: RegExpExecArray): string {
  return parts
    .map((p) => {
      if (typeof p === 'string') return p;
      return (typeof p.group === 'number' ? m[p.group] : m.groups?.[p.group]) ?? '';
    })
    .join('');
}

/** Replaces every match (or only the first) the way Java's replaceAll / replaceFirst do. */
export function javaReplace(input: string, re: RegExp, replacement: string, first: boolean, position: Position): string {
  const parts = parseReplacement(replacement, groupCount(re), position);
  let out = '';
  let last = 0;
  for (const m of input.matchAll(re)) {
    out += input.slice(last, m.index) + expand(parts, m);
    last = m.index + m[0].length;
    if (first) break;
  }
  return out + input.slice(last);
}
