// The PostgreSQL the engine's suites may run against, as seen from inside a test file.
//
// It is provided once per run, through vitest's provide/inject, by the run's global setup: from
// the repository root, `npm test` starts a throw-away cluster (test/global-setup.ts there); the
// package's own `npm test` uses TEST_DATABASE_URL (test/global-setup.ts here). A suite that needs
// it and finds none skips itself with the reason in its name, so a local run says what did not
// run. Under CI nothing may be left out: asking for a missing PostgreSQL throws, and the run fails.
import { inject } from 'vitest';

/** What a global setup provides to every worker. */
export interface ProvidedEnvironment {
  /** A database URL for the run's PostgreSQL database, or null when there is none. */
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
 * The URL of a PostgreSQL database reserved for this test run, or null when there is none.
 * Under CI it never returns null: it throws with the reason.
 */
export function postgresUrl(): string | null {
  const url = inject('postgresUrl') ?? null;
  if (url !== null) return url;
  if (isCI()) throw new Error(`PostgreSQL is required when CI is set, but: ${postgresMissingReason()}`);
  return null;
}

/** Why postgresUrl() returns null, in words fit for a skipped suite's name; empty when it does not. */
export function postgresMissingReason(): string {
  if ((inject('postgresUrl') ?? null) !== null) return '';
  // undefined means the run went through no global setup that provides it.
  return inject('postgresMissingReason') ?? 'no global setup provided PostgreSQL (run the tests through a vitest config)';
}
