/**
 * What a new-device notice compares: a browser family and an operating system read from the
 * User-Agent, never versions, so that updating a browser is not a "new device". Hand-written
 * rather than a parser library: two coarse names are all it needs, and the order of the tests
 * below is the whole of the trick (Edge and Opera say "Chrome", Chrome says "Safari", Android
 * says "Linux", iOS says "Mac OS X").
 *
 * The account keeps only a hash of the pair: enough to recognise it, and it says nothing more.
 */

import { sha256 } from '../tokens.ts';

const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export interface Device {
  /** For a person: "Firefox on Linux". */
  readonly label: string;
  /** What the account keeps in its list of seen devices. */
  readonly fingerprint: string;
}

function firstMatch(table: readonly (readonly [RegExp, string])[], userAgent: string): string | null {
  return table.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
}

export function deviceOf(userAgent: string): Device {
  const browser = firstMatch(BROWSERS, userAgent);
  const system = firstMatch(SYSTEMS, userAgent);
  // A program (curl, a test client) is named by its first word, without its version.
  const label = browser === null && system === null ? `an unrecognised client (${(userAgent.split(/[\s/]/)[0] || 'unknown').slice(0, 40)})` : `${browser ?? 'an unknown browser'} on ${system ?? 'an unknown system'}`;
  return { label, fingerprint: sha256(`device:${label}`) };
}
