/**
 * The package as someone outside this repository gets it: `npm pack` (with its prepack build,
 * scripts/pack.mjs), the tarball installed into an empty directory, then its `fql-engine`
 * command serving a data directory to the faunadb driver, and its one entry imported by plain
 * Node (no tsx), which refuses any other path.
 *
 * It packs a copy of the package: packing swaps package.json for the published manifest while
 * it runs, and the repository's must stay as it is for the test files running beside this one.
 * The copy builds with this repository's TypeScript (its node_modules is linked). npm installs
 * from its cache when it can (--prefer-offline).
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import faunadb from 'faunadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const NPM_TIMEOUT_MS = 180_000;
const STARTUP_MS = 60_000;
const q = faunadb.query;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly bin: Record<string, string>;
  readonly exports: Record<string, unknown>;
}

let work: string;
let consumer: string;
let tarball: string;
const started: ChildProcess[] = [];

/** This run's environment without the variables npm sets for the script that started it. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_') || key.toLowerCase() === 'npm_config_cache') env[key] = value;
  }
  return env;
}

function npm(args: readonly string[], cwd: string): string {
  const result = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, env: npmEnv(), encoding: 'utf8', timeout: NPM_TIMEOUT_MS });
  if (result.status !== 0)
    throw new Error(`npm ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Copies the package's sources (not a build or a pack in progress) to pack them away from the repository. */
function copyPackage(to: string): void {
  const skipped = new Set(['dist', 'node_modules', '.package.repo.json']);
  cpSync(PACKAGE_DIR, to, { recursive: true, filter: (source) => !skipped.has(source.slice(PACKAGE_DIR.length).split('/')[0]) });
  symlinkSync(REPO_NODE_MODULES, join(to, 'node_modules'), 'dir');
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'fql-engine-package-'));
  const copy = join(work, 'fql-engine');
  consumer = join(work, 'app');
  copyPackage(copy);
  const name = npm(['pack', '--pack-destination', work], copy).trim().split('\n').at(-1) ?? '';
  tarball = join(work, name);
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), '{ "name": "app", "private": true }\n');
  npm(['install', '--prefer-offline', tarball], consumer);
}, NPM_TIMEOUT_MS * 2);

afterAll(() => {
  // Only the processes this file started, by their own handle.
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the published package (npm pack, installed elsewhere)', () => {
  it('carries the build and the published manifest, and packing left the sources as they were', () => {
    expect(existsSync(tarball)).toBe(true);
    const installed = join(consumer, 'node_modules', 'fql-engine');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Manifest;
    expect(manifest.bin).toEqual({ 'fql-engine': './dist/cli.js' });
    expect(Object.keys(manifest.exports)).toEqual(['.', './package.json']);
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'index.ts'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    const copy = join(work, 'fql-engine');
    expect(readFileSync(join(copy, 'package.json'), 'utf8')).toBe(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
    expect(existsSync(join(copy, 'dist'))).toBe(false);
    expect(existsSync(join(copy, '.package.repo.json'))).toBe(false);
  });

  it('runs `fql-engine --data ./db` for the faunadb driver, and stops on SIGTERM', async () => {
    const child = spawn(join(consumer, 'node_modules', '.bin', 'fql-engine'), ['--data', './db', '--port', '0', '--secret', 'package-test'], {
      cwd: consumer,
      env: { ...npmEnv(), DATABASE_URL: '' },
    });
    started.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await startupUrl(child);
    const client = new faunadb.Client({ secret: 'package-test', domain: '127.0.0.1', port: Number(new URL(url).port), scheme: 'http' });
    try {
      await client.query(q.CreateCollection({ name: 'notes' }));
      const created = await client.query<{ ref: faunadb.values.Ref }>(q.Create(q.Collection('notes'), { data: { text: 'kept' } }));
      expect(await client.query(q.Select(['data', 'text'], q.Get(created.ref)))).toBe('kept');
    } finally {
      await client.close();
    }
    expect(existsSync(join(consumer, 'db'))).toBe(true);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, STARTUP_MS + 30_000);

  it('is one entry for plain Node: the engine in-process, and no other path', () => {
    const script = `
      import { createInProcessFetch, openEngine } from 'fql-engine';
      const engine = await openEngine({ adminSecret: 's', memory: true });
      const fetch = createInProcessFetch(engine);
      const answer = await fetch('http://engine/', { method: 'POST', headers: { authorization: 'Bearer s' }, body: JSON.stringify({ add: [1, 2] }) });
      const body = await answer.json();
      await engine.close();
      let deep;
      try { await import('fql-engine/engine.js'); deep = 'imported'; } catch (error) { deep = error.code; }
      console.log(JSON.stringify({ status: answer.status, body, deep }));
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: consumer, env: npmEnv(), encoding: 'utf8', timeout: STARTUP_MS });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ status: 200, body: { resource: 3 }, deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  }, STARTUP_MS);
});

/** The URL from the command's start-up line, or a failure that shows what it said. */
async function startupUrl(child: ChildProcess): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline && child.exitCode === null) {
    const match = /listening on (http:\/\/\S+)/.exec(out);
    if (match) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`fql-engine printed no URL.\nstdout: ${out}\nstderr: ${err}`);
}
