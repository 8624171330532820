/**
 * Configurations for tests. Development is never assumed (shared/config.ts): a test that wants
 * the development defaults (the public JWT secret, the local engine and mailbox) declares it,
 * as `npm run dev` does, with FQL_AUTH_DEV=1.
 */

import { loadConfig, type Config } from '../../shared/config.ts';

export const DEVELOPMENT_ENV: Readonly<Record<string, string>> = { FQL_AUTH_DEV: '1' };

/** loadConfig in declared development, with these variables on top. */
export function developmentConfig(env: Readonly<Record<string, string | undefined>> = {}): Config {
  return loadConfig({ ...DEVELOPMENT_ENV, ...env });
}
