// The whole repo (functions, engine, tests, the JSDoc-checked browser client) passes `tsc`
// in strict mode: a type error fails the suite, not just an editor.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));

test('tsc --noEmit finds no type error', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', root], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  expect(result.error).toBeUndefined();
  expect(`${result.stdout}${result.stderr}`.trim()).toBe('');
  expect(result.status).toBe(0);
}, 130_000);
