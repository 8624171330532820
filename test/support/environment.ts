// What the test machine offers, as seen from inside a test file.
//
// Optional infrastructure is found here: PostgreSQL once per run by test/global-setup.ts (handed
// to the workers through vitest's provide/inject), Debian's Chromium on disk. A suite that needs it asks here and, when it is missing, skips itself with the reason in its name,
// so a local run says what did not run. Under CI nothing may be left out: asking for missing
// infrastructure throws, and the run fails.
import { existsSync } from 'node:fs';
import { inject } from 'vitest';

/** What test/global-setup.ts provides to every worker. */
export interface ProvidedEnvironment {
  /** A database URL for the run's throw-away PostgreSQL database, or null when there is none. */
  postgresUrl: string | null;
  /** Why postgresUrl is null; empty when PostgreSQL is available. */
  postgresMissingReason: string;
}

declare module 'vitest' {
  export interface ProvidedContext extends ProvidedEnvironment {}
}

/** True when running under CI, where every suite must run. */
export function isCI(): boolean {
  const value = (process.env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}

/**
 * The URL of a PostgreSQL database reserved for this test run, or null when PostgreSQL is not
 * available on this machine. Under CI it never returns null: it throws with the reason.
 */
export function postgresUrl(): string | null {
  const url = inject('postgresUrl') ?? null;
  if (url !== null) return url;
  if (isCI()) {
    throw new Error(`PostgreSQL is required when CI is set, but: ${postgresMissingReason()}`);
  }
  return null;
}

/** Why postgresUrl() returns null, in words fit for a skipped suite's name; empty when it does not. */
export function postgresMissingReason(): string {
  if ((inject('postgresUrl') ?? null) !== null) return '';
  // undefined means the run did not go through vitest.config.ts (whose globalSetup provides it).
  return inject('postgresMissingReason') ?? 'test/global-setup.ts did not run (use npm test or vitest.config.ts)';
}

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
