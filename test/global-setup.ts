// Provides PostgreSQL to the test workers, once per run.
//
// Suites that run against PostgreSQL get a URL through test/support/environment.ts. The URL comes
// from TEST_DATABASE_URL when it is set; otherwise this file starts a throw-away cluster of the
// machine's own PostgreSQL (initdb + pg_ctl) in a temp dir, on a free port of 127.0.0.1 with trust
// auth, and removes it at teardown. Nothing here touches a server the developer already runs.
//
// When PostgreSQL is missing, a local run goes on without those suites (they skip, naming the
// reason), but under CI nothing may be left out, so the run fails here with the reason.
import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { isCI } from './support/environment.ts';
import type { ProvidedEnvironment } from './support/environment.ts';
import { unusedPort } from './support/ports.ts';

const DATABASE_NAME = 'fql_test';
const SUPERUSER = 'postgres';
// initdb refuses to run as root; as root, the cluster is created and run by this OS user.
const OS_USER = 'postgres';

interface Cluster {
  dir: string;
  binDir: string;
  port: number;
}

type Found = { binDir: string } | { reason: string };

export default async function setup(project: TestProject): Promise<() => void> {
  const { environment, stop } = await providePostgres();
  if (environment.postgresUrl === null) {
    if (isCI()) {
      throw new Error(`CI is set, so the PostgreSQL suites may not be left out, but ${environment.postgresMissingReason}`);
    }
    console.warn(`\n[test] PostgreSQL suites will NOT run: ${environment.postgresMissingReason}\n`);
  }
  project.provide('postgresUrl', environment.postgresUrl);
  project.provide('postgresMissingReason', environment.postgresMissingReason);
  return stop;
}

async function providePostgres(): Promise<{ environment: ProvidedEnvironment; stop: () => void }> {
  const nothingToStop = (): void => {};
  const given = process.env.TEST_DATABASE_URL;
  if (given !== undefined && given !== '') {
    console.log('[test] PostgreSQL: using TEST_DATABASE_URL');
    return { environment: { postgresUrl: given, postgresMissingReason: '' }, stop: nothingToStop };
  }
  const found = findPostgresBinaries();
  if ('reason' in found) {
    return { environment: { postgresUrl: null, postgresMissingReason: found.reason }, stop: nothingToStop };
  }
  const started = await startCluster(found.binDir);
  if ('reason' in started) {
    return { environment: { postgresUrl: null, postgresMissingReason: started.reason }, stop: nothingToStop };
  }
  const { cluster } = started;
  const url = `postgresql://${SUPERUSER}@127.0.0.1:${cluster.port}/${DATABASE_NAME}`;
  console.log(`[test] PostgreSQL: throw-away cluster on 127.0.0.1:${cluster.port} (${found.binDir})`);
  return { environment: { postgresUrl: url, postgresMissingReason: '' }, stop: stopOnce(cluster) };
}

/** The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directories, newest first. */
function findPostgresBinaries(): Found {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const candidates = [...pathDirs, ...debianBinDirs()];
  const dir = candidates.find((candidate) => existsSync(join(candidate, 'initdb')));
  // PATH may hold only symlinks (e.g. /usr/local/bin/initdb); the real directory has the rest.
  const binDir = dir === undefined ? undefined : dirname(realpathSync(join(dir, 'initdb')));
  if (binDir !== undefined && existsSync(join(binDir, 'pg_ctl'))) return { binDir };
  return {
    reason: 'PostgreSQL is not installed (no initdb and pg_ctl on PATH or in /usr/lib/postgresql/*/bin). ' +
      'Install it (Debian: apt-get install postgresql) or set TEST_DATABASE_URL.',
  };
}

function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((version) => /^\d+(\.\d+)?$/.test(version))
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, 'bin'));
}

async function startCluster(binDir: string): Promise<{ cluster: Cluster } | { reason: string }> {
  const owner = clusterOwner();
  if ('reason' in owner) return owner;
  const dir = mkdtempSync(join(tmpdir(), 'fql-test-pg-'));
  const cluster: Cluster = { dir, binDir, port: 0 };
  try {
    if (owner.ids !== null) chownSync(dir, owner.ids.uid, owner.ids.gid);
    initCluster(cluster);
    await startServer(cluster);
    await createDatabase(cluster);
    return { cluster };
  } catch (error) {
    stopCluster(cluster);
    return { reason: `PostgreSQL was found in ${binDir} but could not be started: ${(error as Error).message}` };
  }
}

function initCluster(cluster: Cluster): void {
  const data = join(cluster.dir, 'data');
  run(cluster, 'initdb', ['-D', data, '-U', SUPERUSER, '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  // A throw-away cluster: durability buys nothing, and fsync is most of a test run's disk time.
  const settings = [
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${cluster.dir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 200',
  ];
  appendFileSync(join(data, 'postgresql.conf'), `\n# test/global-setup.ts\n${settings.join('\n')}\n`);
}

/** Starts the server on a free port, trying again if another process takes the port first. */
async function startServer(cluster: Cluster): Promise<void> {
  const attempts = 3;
  for (let attempt = 1;; attempt += 1) {
    cluster.port = await unusedPort();
    const data = join(cluster.dir, 'data');
    const log = join(cluster.dir, 'server.log');
    const result = tryRun(cluster, 'pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', log, '-o', `-p ${cluster.port}`]);
    if (result.ok) return;
    const serverLog = existsSync(log) ? readFileSync(log, 'utf8') : '';
    if (attempt >= attempts || !/address already in use/i.test(serverLog)) {
      throw new Error(`${result.output}\n${lastLines(serverLog, 10)}`.trim());
    }
  }
}

async function createDatabase(cluster: Cluster): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: SUPERUSER, database: 'postgres' });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
}

function stopOnce(cluster: Cluster): () => void {
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stop);
    stopCluster(cluster);
  };
  // Vitest calls the teardown on a normal end and on failures; the exit hook covers the rest
  // (an interrupted run), so no server outlives the run. Everything in stop() is synchronous.
  process.on('exit', stop);
  return stop;
}

function stopCluster(cluster: Cluster): void {
  const data = join(cluster.dir, 'data');
  if (existsSync(join(data, 'postmaster.pid'))) {
    // Immediate: the data is thrown away next, so a clean checkpoint would be wasted time.
    tryRun(cluster, 'pg_ctl', ['stop', '-w', '-t', '30', '-m', 'immediate', '-D', data]);
  }
  rmSync(cluster.dir, { recursive: true, force: true });
}

interface Owner {
  /** Who to chown the cluster dir to; null when the current user runs PostgreSQL itself. */
  ids: { uid: number; gid: number } | null;
}

function clusterOwner(): Owner | { reason: string } {
  if (process.getuid?.() !== 0) return { ids: null };
  const uid = numericId('-u');
  const gid = numericId('-g');
  if (uid === null || gid === null || uid === 0) {
    return { reason: `running as root, and there is no '${OS_USER}' user to run PostgreSQL as (initdb refuses root)` };
  }
  return { ids: { uid, gid } };
}

function numericId(flag: '-u' | '-g'): number | null {
  const result = spawnSync('id', [flag, OS_USER], { encoding: 'utf8' });
  const value = Number(result.stdout?.trim());
  return result.status === 0 && Number.isInteger(value) ? value : null;
}

/** Runs a PostgreSQL binary as the cluster's owner; throws with its output when it fails. */
function run(cluster: Cluster, program: string, args: string[]): void {
  const result = tryRun(cluster, program, args);
  if (!result.ok) throw new Error(result.output);
}

function tryRun(cluster: Cluster, program: string, args: string[]): { ok: boolean; output: string } {
  const [command, ...commandArgs] = asClusterOwner([join(cluster.binDir, program), ...args]);
  const result = spawnSync(command, commandArgs, {
    cwd: cluster.dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  const output = `${program} ${result.error?.message ?? `exited with ${result.status}`}\n${result.stdout ?? ''}${result.stderr ?? ''}`;
  return { ok: result.status === 0, output: lastLines(output, 15) };
}

function asClusterOwner(argv: string[]): string[] {
  if (process.getuid?.() !== 0) return argv;
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser'].find((path) => existsSync(path));
  if (runuser !== undefined) return [runuser, '-u', OS_USER, '--', ...argv];
  return ['su', OS_USER, '-s', '/bin/sh', '-c', argv.map(shellQuote).join(' ')];
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}
