// What the test machine offers, as seen from inside a test file.
//
// Optional infrastructure is found here: PostgreSQL once per run by test/global-setup.ts (handed
// to the workers through vitest's provide/inject), Debian's Chromium on disk.
// A suite that needs it asks here and, when it is missing, skips itself with the reason in its name,
// so a local run says what did not run. Under CI nothing may be left out: asking for missing
// infrastructure throws, and the run fails.
import { existsSync } from 'node:fs';
import { isCI } from '../../fql-engine/test/support/environment.ts';

// PostgreSQL is found the same way in the engine's suites and in these: one definition, theirs
// (the engine's tests may use nothing from this folder, so the sharing goes this way).
export { isCI, postgresMissingReason, postgresUrl, type ProvidedEnvironment } from '../../fql-engine/test/support/environment.ts';

/**
 * How the browser tests launch Chromium. The flags keep it quiet on a machine with no internet:
 * no background connections, no component updates, no sync (each would be refused, many at a time).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Debian's Chromium, for the browser tests (never a downloaded browser): CHROMIUM_PATH when
 * set, else /usr/bin/chromium. Null when there is none; under CI it throws instead.
 */
export function chromiumPath(): string | null {
  const found = findChromium();
  if (typeof found === 'string') return found;
  if (isCI()) throw new Error(`Chromium is required when CI is set, but ${found.reason}`);
  return null;
}

/** Why chromiumPath() returns null, in words fit for a skipped suite's name; empty when it does not. */
export function chromiumMissingReason(): string {
  const found = findChromium();
  return typeof found === 'string' ? '' : found.reason;
}

function findChromium(): string | { reason: string } {
  const given = process.env.CHROMIUM_PATH?.trim();
  if (given) return existsSync(given) ? given : { reason: `CHROMIUM_PATH is ${given}, which does not exist` };
  const found = CHROMIUM_CANDIDATES.find((candidate) => existsSync(candidate));
  return found ?? { reason: 'Chromium is not installed (Debian: apt-get install chromium) and CHROMIUM_PATH is not set' };
}
