// The package's own test run (`npm test` in fql-engine/) provides its PostgreSQL suites with
// TEST_DATABASE_URL. From the repository root, the root's global setup provides them instead,
// with a throw-away cluster when TEST_DATABASE_URL is not set.
import type { TestProject } from 'vitest/node';
import { isCI, type ProvidedEnvironment } from './support/environment.ts';

export default function setup(project: TestProject): void {
  const environment = providePostgres();
  if (environment.postgresUrl === null) {
    if (isCI()) throw new Error(`CI is set, so the PostgreSQL suites may not be left out, but ${environment.postgresMissingReason}`);
    console.warn(`\n[test] PostgreSQL suites will NOT run: ${environment.postgresMissingReason}\n`);
  }
  project.provide('postgresUrl', environment.postgresUrl);
  project.provide('postgresMissingReason', environment.postgresMissingReason);
}

function providePostgres(): ProvidedEnvironment {
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== '') return { postgresUrl: given, postgresMissingReason: '' };
  return {
    postgresUrl: null,
    postgresMissingReason: 'TEST_DATABASE_URL is not set (npm test from the repository root starts a throw-away PostgreSQL)',
  };
}
