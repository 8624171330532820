// The whole repo passes the linter (type-checked rules and the import boundaries between the
// folders, eslint.config.js) and is formatted as dprint.json says: `npm run lint` and
// `npm run format:check` fail the suite, with their own report as the failure's message.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);

/** Runs a package's CLI with this Node, from the repo's root; its output, and whether it passed. */
function run(cli: string, args: readonly string[], timeoutMs: number): { ok: boolean; output: string } {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } });
  const output = `${result.error?.message ?? ''}${result.stdout}${result.stderr}`.trim();
  return { ok: result.error === undefined && result.status === 0, output };
}

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

test('eslint finds no problem', () => {
  const { ok, output } = run(path.join(packageDir('eslint'), 'bin', 'eslint.js'), ['--max-warnings', '0', '.'], 290_000);
  expect(output).toBe('');
  expect(ok).toBe(true);
}, 300_000);

test('every file is formatted as dprint.json says', () => {
  const { ok, output } = run(path.join(packageDir('dprint'), 'bin.cjs'), ['check'], 110_000);
  expect(ok, output).toBe(true);
}, 120_000);
