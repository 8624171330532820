/**
 * `npm run bench:dev`: what the local stack costs.
 *
 * 1. Start-up: the time from spawning `npm run dev` to its "Ready" line, which it prints when
 *    its own poll (every 100 ms) gets the first 200 from /api/health through netlify dev: once
 *    on an empty data directory (first start: PGlite data directory and schema created), once
 *    more on the same directory (second start: data kept, schema up to date).
 * 2. Memory of the whole stack (every process under `npm run dev`): the sum of RSS, and the sum
 *    of PSS (shared pages divided among the processes sharing them, so nothing is counted
 *    twice), once idle after start and once after a burst of requests that starts function
 *    workers.
 * 3. The size of each function as deployed: `netlify functions:build` into a temporary
 *    directory, each zip's size and its unpacked size.
 *
 * Ports are free ones and the data directory is temporary: a running `npm run dev` is not
 * disturbed. Options: --skip-build.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevStack } from '../test/support/dev-stack.ts';
import { processTable } from '../test/support/processes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Usage {
  readonly processes: number;
  readonly rssMb: number;
  readonly pssMb: number;
}

/** The stack's memory in all, and per part: npm + launcher (with the mailbox), the engine, esbuild, netlify dev. */
interface Memory {
  readonly total: Usage;
  readonly parts: ReadonlyMap<string, Usage>;
}

/** Every process under `root` (detached children included: they keep their parent), with its part. */
function stackProcesses(root: number): { pid: number; part: string }[] {
  const table = processTable();
  const found = [{ pid: root, part: 'npm + launcher + mailbox' }];
  for (let i = 0; i < found.length; i++) {
    for (const p of table) {
      if (p.ppid !== found[i].pid) continue;
      found.push({ pid: p.pid, part: partOf(p.cmdline) ?? found[i].part });
    }
  }
  return found;
}

function partOf(cmdline: string): string | null {
  if (cmdline.includes('fql-engine/cli.ts')) return 'engine (PGlite)';
  if (cmdline.includes('netlify-cli')) return 'netlify dev';
  // The launcher's own esbuild (the root's); netlify-cli's packages carry esbuilds of their own.
  if (cmdline.includes(path.join(ROOT, 'node_modules', '@esbuild'))) return 'esbuild (dev functions)';
  return null;
}

function kbField(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

function add(usage: Usage | undefined, rssKb: number, pssKb: number): Usage {
  return { processes: (usage?.processes ?? 0) + 1, rssMb: (usage?.rssMb ?? 0) + rssKb / 1024, pssMb: (usage?.pssMb ?? 0) + pssKb / 1024 };
}

function memoryOf(rootPid: number): Memory {
  let total: Usage = { processes: 0, rssMb: 0, pssMb: 0 };
  const parts = new Map<string, Usage>();
  for (const { pid, part } of stackProcesses(rootPid)) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const [rss, pss] = [kbField(rollup, 'Rss'), kbField(rollup, 'Pss')];
      total = add(total, rss, pss);
      parts.set(part, add(parts.get(part), rss, pss));
    } catch {
      // ended, or a kernel thread
    }
  }
  return { total, parts };
}

/** A failed request as text: fetch puts the reason (a refused or reset connection) in `cause`. */
function failureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  return `${err.message} ${cause instanceof Error || typeof cause === 'string' ? String(cause) : ''}`;
}

/** Requests that wake several functions, so their workers show in the memory figure. A failed one is counted, not fatal. */
async function exercise(siteUrl: string): Promise<number> {
  const origin = new URL(siteUrl).origin;
  let failed = 0;
  const settle = (answer: Promise<Response>): Promise<unknown> =>
    answer.then((r) => r.arrayBuffer()).catch((err: unknown) => {
      failed += 1;
      console.error(`  a request failed: ${failureText(err)}`);
    });
  const post = (p: string, body: unknown): Promise<Response> =>
    fetch(`${siteUrl}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify(body) });
  for (let i = 0; i < 5; i++) {
    await Promise.all([
      settle(fetch(`${siteUrl}/api/health`)),
      settle(fetch(`${siteUrl}/api/auth/session`)),
      settle(post('/api/auth/login', { email: `bench${i}@example.com`, password: 'not the password' })),
      settle(post('/api/auth/magic', { email: `bench${i}@example.com` })),
    ]);
  }
  return failed;
}

interface BuiltFunction {
  readonly name: string;
  readonly zipMb: number;
  readonly unpackedMb: number;
}

function buildFunctions(): BuiltFunction[] {
  const out = mkdtempSync(path.join(tmpdir(), 'functions-build-'));
  try {
    const cli = path.join(ROOT, 'node_modules', 'netlify-cli', 'bin', 'run.js');
    execFileSync(process.execPath, [cli, 'functions:build', '--src', 'functions', '--functions', out], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, NETLIFY_TELEMETRY_DISABLED: '1' },
    });
    return readdirSync(out)
      .filter((f) => f.endsWith('.zip'))
      .sort()
      .map((f) => ({ name: f.replace(/\.zip$/, ''), zipMb: statSync(path.join(out, f)).size / 1e6, unpackedMb: unpackedSize(path.join(out, f)) / 1e6 }));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The last line of `unzip -l` is "<bytes> <n> files". */
function unpackedSize(zip: string): number {
  const listing = execFileSync('unzip', ['-l', zip], { encoding: 'utf8' }).trim().split('\n');
  return Number(listing[listing.length - 1].trim().split(/\s+/)[0]);
}

function formatMemory(label: string, m: Memory): string {
  const row = (name: string, u: Usage): string =>
    `${name.padEnd(30)} ${String(u.processes).padStart(3)} processes   RSS ${u.rssMb.toFixed(0).padStart(5)} MB   PSS ${u.pssMb.toFixed(0).padStart(5)} MB`;
  return [row(label, m.total), ...[...m.parts].map(([name, u]) => row(`  ${name}`, u))].join('\n');
}

async function main(): Promise<void> {
  const skipBuild = process.argv.includes('--skip-build');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-dev-'));
  try {
    // No settings of its own: the stack as `npm run dev` starts it.
    const first = await startDevStack(ROOT, dataDir, {});
    console.log(`first start (empty data dir)   npm run dev -> /api/health 200: ${first.readySeconds.toFixed(1)} s`);
    await first.interrupt();
    const second = await startDevStack(ROOT, dataDir, {});
    console.log(`second start (data kept)       npm run dev -> /api/health 200: ${second.readySeconds.toFixed(1)} s`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    console.log(formatMemory('memory, idle after start', memoryOf(second.pid)));
    const failed = await exercise(second.siteUrl);
    console.log(formatMemory(`memory, after 20 requests${failed === 0 ? '' : ` (${failed} failed)`}`, memoryOf(second.pid)));
    await second.interrupt();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (skipBuild) return;
  const built = buildFunctions();
  console.log('\nnetlify functions:build');
  for (const f of built) console.log(`  ${f.name.padEnd(16)} zip ${f.zipMb.toFixed(2).padStart(6)} MB   unpacked ${f.unpackedMb.toFixed(2).padStart(6)} MB`);
  const total = built.reduce((sum, f) => sum + f.zipMb, 0);
  console.log(`  ${'all'.padEnd(16)} zip ${total.toFixed(2).padStart(6)} MB (${built.length} functions)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
