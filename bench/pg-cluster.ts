/**
 * A throw-away PostgreSQL cluster for benchmarks, with the server's DEFAULT settings (the point
 * is to measure what a stock server does): only where it listens is set, 127.0.0.1 on a free
 * port and a Unix socket in its own temp directory. initdb refuses root, so as root the cluster
 * is made and run by the `postgres` user, as test/global-setup.ts does for the tests.
 */

import { spawnSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unusedPort } from '../test/support/ports.ts';

const OS_USER = 'postgres';

export interface Cluster {
  /** A URL of the `postgres` database, whose user may CREATE DATABASE. */
  readonly url: string;
  readonly port: number;
  readonly version: string;
  stop(): void;
}

export async function startCluster(): Promise<Cluster> {
  const bin = newestBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = (flag: string): number => Number(spawnSync('id', [flag, OS_USER], { encoding: 'utf8' }).stdout.trim());
    chownSync(dir, ids('-u'), ids('-g'));
  }
  const run = (program: string, args: string[]): void => {
    const argv = [join(bin, program), ...args];
    const [command, ...rest] = asRoot ? ['runuser', '-u', OS_USER, '--', ...argv] : argv;
    const result = spawnSync(command, rest, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${program} failed: ${result.stderr || result.stdout}`);
  };
  const port = await unusedPort();
  const stop = (): void => {
    if (existsSync(join(data, 'postmaster.pid')))
      spawnSync(asRoot ? 'runuser' : join(bin, 'pg_ctl'), [
        ...(asRoot ? ['-u', OS_USER, '--', join(bin, 'pg_ctl')] : []),
        'stop',
        '-m',
        'immediate',
        '-D',
        data,
      ]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C']);
    appendFileSync(join(data, 'postgresql.conf'), `\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${dir}'\nport = ${port}\n`);
    run('pg_ctl', ['start', '-w', '-t', '60', '-D', data, '-l', join(dir, 'server.log')]);
  } catch (error) {
    stop();
    throw error;
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, port, version: bin.split('/').at(-2) ?? '?', stop };
}

function newestBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  if (found === undefined) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); or set BENCH_DATABASE_URL');
  return found;
}
