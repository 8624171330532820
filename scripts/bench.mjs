// `npm run bench`: every benchmark, one after the other, in one run (compare figures only within
// a run: the machines are shared). A part that misses its target, or fails, does not stop the
// others; the exit status says whether any did.
import { spawnSync } from 'node:child_process';

const PARTS = ['bench:engine', 'bench:identify', 'bench:streams', 'bench:api', 'bench:user-api', 'bench:dev'];

const failed = PARTS.filter((part) => {
  const result = spawnSync('npm', ['run', '--silent', part], { stdio: 'inherit' });
  return result.status !== 0;
});
console.log(failed.length === 0 ? '\nbench: every part met its target' : `\nbench: ${failed.join(', ')} missed a target or failed (see above)`);
process.exitCode = failed.length === 0 ? 0 : 1;
