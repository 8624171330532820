// `npm test`: runs vitest once and ends with one plain line, `N passed, N failed, N skipped`.
//
// vitest prints its usual report on the console and writes its JSON report to
// test-results/vitest.json; the count is computed from that JSON, not from vitest's summary,
// so CI can read it. Extra arguments go to vitest (`npm test -- fql-engine/storage`).
//
// Nothing may drop out of the count: a test file that fails to load has no tests in the JSON,
// so it counts as one failed test; and if vitest fails for a reason no test shows (an unhandled
// error, a crash, no JSON at all), that counts as a failure too.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const reportFile = join(root, 'test-results', 'vitest.json');

/**
 * A JSON file of vitest's (its package.json, its report), with the type the caller expects.
 * @template T
 * @param {string} file
 * @returns {T}
 */
function readJsonFile(file) {
  /** @type {unknown} */
  const parsed = JSON.parse(readFileSync(file, 'utf8'));
  return /** @type {T} */ (parsed);
}

/** @returns {string} the path of vitest's CLI entry, from its package.json "bin". */
function vitestCli() {
  const require = createRequire(join(root, 'package.json'));
  const manifestPath = require.resolve('vitest/package.json');
  /** @type {{ bin: string | { vitest: string } }} */
  const manifest = readJsonFile(manifestPath);
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.vitest;
  return join(dirname(manifestPath), bin);
}

/**
 * @param {string[]} extraArgs
 * @returns {Promise<{ code: number | null, signal: string | null }>}
 */
function runVitest(extraArgs) {
  const args = [
    vitestCli(),
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...extraArgs,
  ];
  const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
  // Ctrl-C reaches vitest directly through the terminal: this script waits for it to finish its
  // teardown (which stops the test PostgreSQL) and still prints the count. A SIGTERM sent only
  // to this script is passed on for the same reason.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  return new Promise((done) => {
    child.on('exit', (code, signal) => done({ code, signal }));
    child.on('error', (error) => {
      console.error(`could not start vitest: ${error.message}`);
      done({ code: null, signal: null });
    });
  });
}

/**
 * The parts of vitest's JSON report that are counted.
 * @typedef {{ status: string, title: string, ancestorTitles: string[] }} ReportTest
 * @typedef {{ name: string, status: string, message?: string, assertionResults?: ReportTest[] }} ReportFile
 * @typedef {{ success?: boolean, testResults?: ReportFile[] }} Report
 */

/**
 * @typedef {{ passed: number, failed: number, skipped: number, notes: string[], skippedGroups: Map<string, number> }} Count
 * @param {Report} report vitest's JSON report
 * @returns {Count}
 */
function countReport(report) {
  /** @type {Count} */
  const count = { passed: 0, failed: 0, skipped: 0, notes: [], skippedGroups: new Map() };
  for (const file of report.testResults ?? []) {
    let failedHere = 0;
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed') count.passed += 1;
      else if (test.status === 'failed') failedHere += 1;
      else {
        count.skipped += 1; // skipped, pending, todo, disabled
        // Suites that skip themselves name the reason in their title (e.g. PostgreSQL missing).
        const group = `${relative(root, file.name)} > ${test.ancestorTitles[0] ?? test.title}`;
        count.skippedGroups.set(group, (count.skippedGroups.get(group) ?? 0) + 1);
      }
    }
    // A file that failed without a failed test: it did not load, a hook threw, or it has no tests.
    if (file.status === 'failed' && failedHere === 0) {
      failedHere = 1;
      const why = String(file.message ?? '').split('\n')[0] || 'failed outside any test';
      count.notes.push(`${relative(root, file.name)}: ${why}`);
    }
    count.failed += failedHere;
  }
  return count;
}

/**
 * @param {{ code: number | null, signal: string | null }} exit
 * @returns {Count}
 */
function countRun(exit) {
  const report = readReport();
  if (report === null) {
    const note = 'vitest wrote no readable JSON report (it failed before or while running tests; see above)';
    return { passed: 0, failed: 1, skipped: 0, notes: [note], skippedGroups: new Map() };
  }
  const count = countReport(report);
  const vitestFailed = exit.code !== 0 || report.success === false;
  if (vitestFailed && count.failed === 0) {
    count.failed = 1;
    const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with ${exit.code}`;
    count.notes.push(`vitest ${how} with no failed test in its report (an unhandled error or a crash; see above)`);
  }
  return count;
}

/** @returns {Report | null} vitest's JSON report, or null when there is none or it was cut short. */
function readReport() {
  if (!existsSync(reportFile)) return null;
  try {
    return readJsonFile(reportFile);
  } catch {
    return null;
  }
}

async function main() {
  rmSync(reportFile, { force: true }); // an old report must never be counted as this run's
  mkdirSync(dirname(reportFile), { recursive: true });
  const exit = await runVitest(process.argv.slice(2));
  const count = countRun(exit);
  for (const [group, tests] of count.skippedGroups) {
    console.log(`skipped: ${group} (${tests} ${tests === 1 ? 'test' : 'tests'})`);
  }
  for (const note of count.notes) console.log(`counted as failed: ${note}`);
  console.log(`${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  process.exitCode = count.failed > 0 || exit.code !== 0 ? 1 : 0;
}

await main();
