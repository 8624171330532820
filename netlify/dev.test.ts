import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { maskSecret, redactUrl } from './dev.ts';
import { devLimits } from './launcher/stack.ts';
import { EDGE_CONFIG_OFFLINE_NOTICE, netlifyOutput } from './launcher/netlify-output.ts';
import { startProgress } from './launcher/progress.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('npm run dev -- --help', () => {
  it('lists every flag and the environment variables that matter locally, and starts nothing', () => {
    const run = spawnSync('npm', ['run', '--silent', 'dev', '--', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    for (const flag of ['--port', '--mailbox-port', '--engine-port', '--data', '--secret', '--production', '--help']) expect(run.stdout).toContain(flag);
    for (const name of ['DATABASE_URL', 'FAUNA_SECRET', 'EMAILS_PER_ADDRESS_PER_HOUR']) expect(run.stdout).toContain(name);
    expect(run.stdout).not.toMatch(/Ready in/);
  });
});

describe('what npm run dev prints', () => {
  it('masks an admin secret of your own, and a database password', () => {
    expect(maskSecret('secret')).toBe("'secret'");
    expect(maskSecret('s3cr3t-of-my-own')).toBe("'s3…' (16 characters)");
    expect(maskSecret('s3cr3t-of-my-own')).not.toContain('cr3t');
    expect(redactUrl('postgres://app:hunter2@db.example:5432/auth')).toBe('postgres://app:***@db.example:5432/auth');
  });

  it('uses generous rate limits in development unless the environment sets its own', () => {
    expect(devLimits({})).toMatchObject({ EMAILS_PER_ADDRESS_PER_HOUR: '100', EMAIL_MIN_INTERVAL_SECONDS: '0', LOGIN_MAX_FAILURES: '50' });
    expect(devLimits({ LOGIN_MAX_FAILURES: '7' }).LOGIN_MAX_FAILURES).toBe('7');
  });

  it("counts netlify dev's bundling from its output and times each step", () => {
    const lines: string[] = [];
    const progress = startProgress((l) => lines.push(l), { functions: 2, netlifyBundles: true });
    progress.netlifyLine('[netlify]    │   Local dev server ready: http://localhost:8888   │');
    progress.netlifyLine('[netlify] ⬥ Loaded function login');
    progress.netlifyLine('[netlify] ⬥ Loaded function health');
    progress.stop();
    expect(lines).toEqual([
      expect.stringMatching(/^\[\d+\.\d s\] netlify dev is up; bundling 2 functions/),
      expect.stringMatching(/^\[\d+\.\d s\] netlify dev bundled all 2 functions$/),
    ]);
  });

  // netlify dev's own lines, offline, as the launcher receives them (netlify-cli 26, deno 2).
  const offlineBlock = [
    "[netlify] Could not load configuration for edge function at '/repo/netlify/edge-functions/auth-guard.ts'",
    "[netlify] \u001b[0m\u001b[1m\u001b[31merror\u001b[0m: Import 'https://edge.netlify.com/bootstrap/globals/types.ts' failed.",
    '[netlify]     0: error sending request for url (https://edge.netlify.com/bootstrap/globals/types.ts): client error (Connect): dns error: failed to lookup address information: Name or service not known',
    '[netlify]     1: client error (Connect)',
    '[netlify]     2: dns error',
    '[netlify]     3: failed to lookup address information: Name or service not known',
    '[netlify]     at \u001b[0m\u001b[36mfile:///repo/node_modules/@netlify/edge-bundler/deno/config.ts\u001b[0m:\u001b[0m\u001b[33m1\u001b[0m:\u001b[0m\u001b[33m36\u001b[0m',
    '[netlify] ',
    '[netlify] Stack backtrace:',
    '[netlify]    0: <unknown>',
  ];

  it("keeps netlify dev's ready box that comes right after the block", () => {
    const lines: string[] = [];
    const filter = netlifyOutput((l) => lines.push(l), '[netlify] ');
    const box = ['[netlify]    ╭──────╮', '[netlify]    │   Local dev server ready: http://localhost:8888   │', '[netlify]    ╰──────╯'];
    for (const line of [...offlineBlock, ...box]) filter(line);
    expect(lines).toEqual([`[netlify] edge function auth-guard: ${EDGE_CONFIG_OFFLINE_NOTICE}`, ...box]);
  });

  it("says netlify dev's offline edge config error in one line, and passes on the rest", () => {
    const lines: string[] = [];
    const filter = netlifyOutput((l) => lines.push(l), '[netlify] ');
    for (const line of [...offlineBlock, '[netlify] ⬥ Loaded edge function auth-guard', '[netlify] Request from ::1: GET /app/']) filter(line);
    expect(lines).toEqual([
      `[netlify] edge function auth-guard: ${EDGE_CONFIG_OFFLINE_NOTICE}`,
      '[netlify] ⬥ Loaded edge function auth-guard',
      '[netlify] Request from ::1: GET /app/',
    ]);
  });

  it('passes on whole an edge config error with another cause', () => {
    const lines: string[] = [];
    const filter = netlifyOutput((l) => lines.push(l), '[netlify] ');
    const block = [
      offlineBlock[0],
      "[netlify] error: Uncaught SyntaxError: Unexpected token '}'",
      '[netlify]     at file:///repo/netlify/edge-functions/auth-guard.ts:3:1',
    ];
    for (const line of block) filter(line);
    filter.flush();
    expect(lines).toEqual(block);
  });

  it("says in one calm line that netlify dev's local Netlify DB was not started", () => {
    const lines: string[] = [];
    const filter = netlifyOutput((l) => lines.push(l), '[netlify] ');
    filter('[netlify] Failed to start Netlify Database locally: Error: not started by npm run dev: this project keeps its data in its own FQL engine');
    filter('[netlify] Failed to start Netlify Database locally: Error: EADDRINUSE');
    expect(lines).toEqual([
      "[netlify] netlify dev's local Netlify DB: not started by npm run dev: this project keeps its data in its own FQL engine",
      '[netlify] Failed to start Netlify Database locally: Error: EADDRINUSE',
    ]);
  });
});
