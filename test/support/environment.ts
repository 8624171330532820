// What the test machine offers, as seen from inside a test file.
//
// Optional infrastructure (today PostgreSQL; later a Chromium for browser tests) is found once
// by test/global-setup.ts and handed to the workers through vitest's provide/inject. A suite
// that needs it asks here and, when it is missing, skips itself with the reason in its name,
// so a local run says what did not run. Under CI nothing may be left out: asking for missing
// infrastructure throws, and the run fails.
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

// A later issue adds `chromiumPath(): string | null` and `chromiumMissingReason(): string`
// here, with the same contract as the PostgreSQL pair above (throwing under CI).
