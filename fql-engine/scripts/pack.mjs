// @ts-check
// The package as published: compiled JavaScript, since Node 20 cannot run TypeScript.
//
// In this repository the package is its TypeScript sources (package.json's `exports` and `bin`
// name index.ts and cli.ts, which tsx, vitest and esbuild run as they are). npm packs the
// package.json it finds on disk, and has no way to publish other `exports` or `bin` than the
// repository's, so `npm pack` runs this script around itself:
//
//   prepack   builds dist/ (tsconfig.build.json), then replaces package.json with the published
//             manifest (`exports` and `bin` in dist/, no scripts or devDependencies), keeping the
//             repository's in .package.repo.json;
//   postpack  puts the repository's package.json back and removes dist/.
//
// A pack that is cut short leaves .package.repo.json behind; the next prepack or postpack puts
// it back first. `npm publish` from the directory would send the registry the repository's
// manifest (it reads package.json again after postpack), so it is refused: publish the tarball
// that `npm pack` wrote (`npm publish fql-engine-<version>.tgz`), which carries its own.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
const MANIFEST = join(PACKAGE_DIR, 'package.json');
const REPO_MANIFEST = join(PACKAGE_DIR, '.package.repo.json');
const DIST = join(PACKAGE_DIR, 'dist');
const CLI = join(DIST, 'cli.js');

/**
 * The manifest npm publishes, made from the repository's.
 * @param {{ scripts?: unknown, devDependencies?: unknown }} repo
 * @returns {Record<string, unknown>}
 */
function publishedManifest(repo) {
  const { scripts: _scripts, devDependencies: _devDependencies, ...published } = repo;
  return {
    ...published,
    bin: { 'fql-engine': './dist/cli.js' },
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    },
  };
}

function build() {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = createRequire(MANIFEST).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(PACKAGE_DIR, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`tsc failed (exit ${result.status ?? result.signal})`);
  // cli.ts starts with `#!/usr/bin/env tsx`, which runs it in the repository; Node runs the build.
  const cli = readFileSync(CLI, 'utf8');
  if (!cli.startsWith('#!/usr/bin/env tsx\n')) throw new Error('dist/cli.js does not start with the shebang cli.ts has');
  writeFileSync(CLI, cli.replace('#!/usr/bin/env tsx\n', '#!/usr/bin/env node\n'));
  chmodSync(CLI, 0o755);
}

function restore() {
  if (existsSync(REPO_MANIFEST)) renameSync(REPO_MANIFEST, MANIFEST);
}

function prepack() {
  restore();
  build();
  const text = readFileSync(MANIFEST, 'utf8');
  writeFileSync(REPO_MANIFEST, text);
  /** @type {unknown} */
  const repo = JSON.parse(text);
  if (repo === null || typeof repo !== 'object' || Array.isArray(repo)) throw new Error(`${MANIFEST} is not a JSON object`);
  writeFileSync(MANIFEST, `${JSON.stringify(publishedManifest(repo), null, 2)}\n`);
}

function postpack() {
  restore();
  rmSync(DIST, { recursive: true, force: true });
}

/** @type {Record<string, () => void>} */
const STEPS = {
  build,
  prepack,
  postpack,
  'refuse-publish': () => {
    throw new Error('publish the tarball npm pack writes, not the directory: npm pack -w fql-engine && npm publish fql-engine-<version>.tgz');
  },
};

const invokedDirectly = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (invokedDirectly) {
  const step = STEPS[process.argv[2]];
  if (step === undefined) {
    console.error(`usage: node scripts/pack.mjs ${Object.keys(STEPS).join('|')}`);
    process.exit(2);
  }
  try {
    step();
  } catch (error) {
    console.error(`fql-engine pack: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
