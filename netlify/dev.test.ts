import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { maskSecret, redactUrl } from './dev.ts';
import { devLimits } from './launcher/stack.ts';
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
});
