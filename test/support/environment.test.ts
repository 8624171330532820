// Checks the runner's own plumbing: the PostgreSQL that test/global-setup.ts provides is real.
import pg from 'pg';
import { describe, expect, test } from 'vitest';
import { isCI, postgresMissingReason, postgresUrl } from './environment.ts';

const url = postgresUrl();

describe('test environment', () => {
  test('postgresMissingReason() is empty exactly when postgresUrl() gives a URL', () => {
    expect(postgresMissingReason() === '').toBe(url !== null);
  });

  test('under CI, PostgreSQL is never missing', () => {
    if (isCI()) expect(url).not.toBeNull();
    else expect(isCI()).toBe(false);
  });
});

describe.skipIf(url === null)(`PostgreSQL from global setup${url === null ? ` (not run: ${postgresMissingReason()})` : ''}`, () => {
  test('accepts connections and answers a query', async () => {
    const client = new pg.Client({ connectionString: url ?? '' });
    await client.connect();
    try {
      const result = await client.query<{ one: number }>('select 1 as one');
      expect(result.rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });
});
