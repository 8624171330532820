/**
 * How Fauna's JVM string functions count and trim, where JS differs: lengths and positions in
 * code points (Fauna's Length, SubString, FindStr and FindStrRegex count `codePoints`, so an
 * emoji is one character, not two UTF-16 units), Java's `strip()` whitespace (which keeps a
 * no-break space), and ICU's title case by word boundaries (`mcdonald-smith` is two words).
 */

/** Code points in `s`. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The UTF-16 index of the `cp`-th code point (the string's length past the end). */
export function codePointOffset(s: string, cp: number): number {
  let index = 0;
  for (let i = 0; i < cp && index < s.length; i++) index += (s.codePointAt(index) as number) > 0xffff ? 2 : 1;
  return index;
}

/** Code points before the UTF-16 index `end`. */
export function codePointsBefore(s: string, end: number): number {
  return codePointLength(s.slice(0, end));
}

/** Java's Character.isWhitespace: space separators except the no-break ones, and the ASCII controls. */
const JAVA_SPACE = '[\\t\\n\\u000B\\f\\r\\u001C-\\u001F \\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029\\u205F\\u3000]';
const LEADING = new RegExp(`^${JAVA_SPACE}+`);
const TRAILING = new RegExp(`${JAVA_SPACE}+$`);

export const javaStripLeading = (s: string): string => s.replace(LEADING, '');
export const javaStripTrailing = (s: string): string => s.replace(TRAILING, '');
export const javaStrip = (s: string): string => javaStripTrailing(javaStripLeading(s));

const WORDS = new Intl.Segmenter('en', { granularity: 'word' });
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;

/**
 * ICU's toTitleCase with a word BreakIterator (Intl.Segmenter uses the same ICU word rules):
 * in each word the first letter or digit is upper-cased and what follows it lower-cased.
 */
export function icuTitleCase(s: string): string {
  let out = '';
  for (const { segment } of WORDS.segment(s)) {
    const at = segment.search(LETTER_OR_NUMBER);
    if (at < 0) {
      out += segment;
      continue;
    }
    const first = String.fromCodePoint(segment.codePointAt(at) as number);
    out += segment.slice(0, at) + first.toUpperCase() + segment.slice(at + first.length).toLowerCase();
  }
  return out;
}
