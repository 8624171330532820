/**
 * Fauna's regex functions take Java regular expressions. JS regexes agree on the common
 * syntax; this translates the Java-only pieces that RegexEscape and everyday patterns use
 * (\Q...\E quoting, leading inline flags, \A \z \Z anchors, `$n` / `${name}` replacements).
 * Java features JS lacks (possessive quantifiers, atomic groups, mid-pattern flags) make the
 * JS compiler fail, which surfaces as Fauna's `invalid argument`.
 */

import type { Position } from '../../errors.ts';
import { invalid } from './common.ts';

const INLINE_FLAGS: Readonly<Record<string, string>> = { i: 'i', s: 's', m: 'm', u: '', U: '' };

function quote(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

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

function translateBody(body: string): string {
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i + 1 >= body.length) {
      out += c;
      continue;
    }
    const next = body[i + 1];
    if (next === 'Q') {
      const end = body.indexOf('\\E', i + 2);
      const stop = end < 0 ? body.length : end;
      out += quote(body.slice(i + 2, stop));
      i = end < 0 ? body.length : end + 1;
    } else {
      out += ANCHORS[next] ?? c + next;
      i++;
    }
  }
  return out;
}

/** Compiles a Java pattern as a JS RegExp (global, so callers can iterate matches). */
export function javaRegex(pattern: string, position: Position): RegExp {
  const { rest, flags } = leadingFlags(pattern);
  try {
    return new RegExp(translateBody(rest), `${flags}g`);
  } catch {
    throw invalid(`Invalid regular expression '${pattern}'.`, position);
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
