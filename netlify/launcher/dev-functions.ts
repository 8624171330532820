/**
 * Development's functions, bundled by the launcher instead of by netlify dev.
 *
 * netlify dev builds each v2 function with @netlify/zip-it-and-ship-it, which traces every
 * package the function imports with nft and copies it beside the function: about 2.5 s per
 * function, a minute for all of them, on every start. Here, instead:
 *
 * - esbuild bundles every function of functions/ at once, with one shared set of chunks, into
 *   <root>/.netlify/dev-bundles/<site port>/ (one directory per running stack: the e2e tests and
 *   a developer's own `npm run dev` may run side by side), and rebuilds them when a source
 *   changes (esbuild's watch).
 * - netlify dev is given a directory of shims (`--functions`), one per function: the function's
 *   own `export const config`, copied from its source, and a default export that loads the
 *   bundle with `import()`. The specifier comes from an environment variable the launcher sets
 *   (BUNDLES_VARIABLE), so zip-it-and-ship-it finds nothing to trace and copies one small file.
 *   The shims are the same for every stack, so netlify dev's own copies of them
 *   (.netlify/functions-serve) may be shared too.
 *
 * netlify dev runs every call of a v2 function in a new worker thread, which imports the shim
 * and then the bundle afresh: a rebuilt bundle serves the very next request. A changed
 * `config` rewrites that function's shim, which netlify dev watches and reloads (new routes).
 *
 * Packages are bundled too, but for those with native code and those imported lazily with
 * `import()` (they resolve from the project's node_modules at run time): measured, a worker
 * loads a function 1.5 times as fast from one bundle as from the packages' own files, and each
 * request pays it. The engine's in-process path (shared/fql/client.ts, only with DATABASE_URL,
 * which development takes out of the functions' environment) is left out: its import fails with
 * a message saying so.
 *
 * esbuild rewrites the bundles in place: a request that arrives while a rebuild writes them may
 * fail once, as with any watching dev server; the next one gets the new code.
 *
 * The production rehearsal (`--production`) does not use this: netlify dev bundles functions/
 * itself there, exactly as a deploy does.
 */

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { context, type BuildContext, type BuildResult, type Message, type Plugin } from 'esbuild';
import type TypeScript from 'typescript';

/** The variable netlify dev's workers read to find the bundles: a file: URL ending in '/'. */
export const BUNDLES_VARIABLE = 'FQL_AUTH_DEV_BUNDLES';

export interface DevFunctionsOptions {
  /** The project root: functions/ and node_modules are there. */
  readonly root: string;
  /** Names this stack's bundle directory, so that two stacks do not share one. */
  readonly sitePort: number;
  /** A rebuild's outcome after the first build, or a build's errors. */
  readonly log: (line: string) => void;
}

export interface DevFunctions {
  /** The shims' directory, for `netlify dev --functions`. */
  readonly shimDir: string;
  /** What netlify dev's environment needs for the shims to find the bundles. */
  readonly env: Readonly<Record<string, string>>;
  readonly names: readonly string[];
  /** Resolves with the first build's seconds once it succeeded; rejects with its errors. */
  readonly built: Promise<number>;
  /** Stops watching and removes the bundles. */
  stop(): Promise<void>;
}

const FUNCTION_FILE = /\.[cm]?[jt]s$/;

/** The functions of a functions/ directory, as netlify names them: the file's name without its extension. */
export function functionFiles(functionsDir: string): string[] {
  return readdirSync(functionsDir)
    .filter((f) => FUNCTION_FILE.test(f))
    .sort();
}

export async function startDevFunctions(options: DevFunctionsOptions): Promise<DevFunctions> {
  const functionsDir = path.join(options.root, 'functions');
  const shimDir = path.join(options.root, '.netlify', 'dev-functions');
  const bundleDir = path.join(options.root, '.netlify', 'dev-bundles', String(options.sitePort));
  let files = functionFiles(functionsDir);
  await writeShims(functionsDir, shimDir, files);
  // Chunks are named by their content: a directory left by an earlier run would only grow.
  rmSync(bundleDir, { recursive: true, force: true });
  const startedAt = performance.now();
  let first: { resolve: (seconds: number) => void; reject: (err: Error) => void } | null = null;
  const built = new Promise<number>((resolve, reject) => (first = { resolve, reject }));
  const onBuilt = async (result: BuildResult): Promise<void> => {
    const errors = result.errors.map(formatMessage);
    if (first !== null) {
      const settle = first;
      first = null;
      if (errors.length > 0) settle.reject(new Error(`esbuild could not bundle functions/:\n${errors.join('\n')}`));
      else settle.resolve((performance.now() - startedAt) / 1000);
      return;
    }
    if (errors.length > 0) {
      options.log(`[functions] not rebuilt, the last good build still serves:\n${errors.join('\n')}`);
      return;
    }
    await writeShims(functionsDir, shimDir, files);
    options.log('[functions] rebuilt after a change');
  };
  let ctx = await bundler(functionsDir, files, bundleDir, onBuilt);
  await ctx.watch();
  // esbuild's entry points are fixed: a function added to functions/ or taken out of it needs a
  // new context (and its shim added or removed, which netlify dev's watch of the shims follows).
  let updating = Promise.resolve();
  const followFunctionsDir = (): void => {
    updating = updating.then(async () => {
      const now = functionFiles(functionsDir);
      if (now.join('\n') === files.join('\n')) return;
      files = now;
      await ctx.dispose();
      ctx = await bundler(functionsDir, files, bundleDir, onBuilt);
      await ctx.watch();
    }).catch((err: unknown) => options.log(`[functions] could not follow functions/: ${err instanceof Error ? err.message : String(err)}`));
  };
  const dirWatcher = watch(functionsDir, followFunctionsDir);
  return {
    shimDir,
    env: { [BUNDLES_VARIABLE]: `${pathToFileURL(bundleDir).href}/` },
    names: files.map((f) => f.replace(FUNCTION_FILE, '')),
    built,
    async stop() {
      dirWatcher.close();
      await updating;
      await ctx.dispose();
      rmSync(bundleDir, { recursive: true, force: true });
    },
  };
}

function bundler(functionsDir: string, files: readonly string[], bundleDir: string, onBuilt: (result: BuildResult) => Promise<void>): Promise<BuildContext> {
  const reportBuilds: Plugin = { name: 'report-builds', setup: (build) => build.onEnd(onBuilt) };
  return context({
    entryPoints: files.map((f) => path.join(functionsDir, f)),
    outdir: bundleDir,
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Native code stays a package, as netlify.toml's external_node_modules says for a deploy;
    // PGlite, which loads its own files, too (no function imports it, see netlify.toml).
    external: ['@node-rs/bcrypt', 'pg', '@electric-sql/pglite'],
    // Bundled CommonJS packages (faunadb, postmark…) call require() for Node's own modules.
    banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'silent',
    plugins: [withoutInProcessEngine, lazyPackagesExternal, reportBuilds],
  });
}

/**
 * shared/fql/client.ts imports the engine only for DATABASE_URL, which development takes out
 * of the functions' environment (stack.ts): the bundles go without the engine (1.6 MB, and its
 * build time). Should a function get DATABASE_URL anyway (a .env file netlify dev reads), it
 * says why it cannot run that way.
 */
const withoutInProcessEngine: Plugin = {
  name: 'without-in-process-engine',
  setup(build) {
    build.onResolve({ filter: /fql-engine\/index\.ts$/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'no-engine' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'no-engine' }, () => ({
      contents:
        `throw new Error('npm run dev reaches the engine over HTTP (FAUNA_ENDPOINT): unset DATABASE_URL for the functions (a .env file?), or use npm run dev -- --production.');`,
      loader: 'js',
    }));
  },
};

/**
 * A package imported with `import()` is loaded by Node at run time, as it is where nothing is
 * bundled: esbuild's split chunks give a CommonJS package imported that way only a default
 * export (zxcvbn's `ZxcvbnFactory` was undefined), where Node finds its named exports. Such an
 * import is lazy on purpose, so bundling it would not speed a start anyway.
 */
const lazyPackagesExternal: Plugin = {
  name: 'lazy-packages-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};

function formatMessage(message: Message): string {
  const where = message.location === null ? '' : `${message.location.file}:${message.location.line}:${message.location.column}: `;
  return `  ${where}${message.text}`;
}

/**
 * One shim per function. A shim names the hash of its source: an unchanged source is not parsed
 * again (TypeScript takes a while to load, and a second start needs it for no shim), and an
 * unchanged shim is not rewritten, since netlify dev reloads a function whose shim changed.
 */
async function writeShims(functionsDir: string, shimDir: string, files: readonly string[]): Promise<void> {
  mkdirSync(shimDir, { recursive: true });
  const wanted = new Set<string>();
  for (const file of files) {
    const name = file.replace(FUNCTION_FILE, '');
    const shim = path.join(shimDir, `${name}.mjs`);
    wanted.add(`${name}.mjs`);
    const source = readFileSync(path.join(functionsDir, file), 'utf8');
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
    const old = existsSync(shim) ? readFileSync(shim, 'utf8') : '';
    if (old.startsWith(shimHeader(file, hash))) continue;
    const text = shimSource(file, hash, configInitializer(await typescript(), file, source));
    if (text !== old) writeWhole(shim, text);
  }
  for (const old of readdirSync(shimDir)) if (!wanted.has(old)) rmSync(path.join(shimDir, old), { force: true });
}

let loadingTypeScript: Promise<typeof TypeScript> | null = null;

function typescript(): Promise<typeof TypeScript> {
  loadingTypeScript ??= import('typescript').then((m) => m.default);
  return loadingTypeScript;
}

/**
 * Names the shim's template as well as its source: .netlify/ outlives a `git pull`, and a shim
 * written by an older launcher must be written again even when its source has not changed.
 */
const SHIM_TEMPLATE = 1;

function shimHeader(file: string, hash: string): string {
  return `// For npm run dev only: functions/${file} (source ${hash}, template ${SHIM_TEMPLATE}), written by netlify/launcher/dev-functions.ts.`;
}

/**
 * A shim is replaced whole (a rename), so that netlify dev never reads one half written; the
 * partial file is written outside the directory netlify dev watches.
 */
function writeWhole(file: string, text: string): void {
  const partial = path.join(path.dirname(path.dirname(file)), `.${path.basename(file)}.partial`);
  writeFileSync(partial, text);
  renameSync(partial, file);
}

/** A shim: the function's config, and its default export loaded from the bundle named by BUNDLES_VARIABLE. */
export function shimSource(file: string, hash: string, config: string | null): string {
  const bundle = `${file.replace(FUNCTION_FILE, '')}.mjs`;
  return [
    shimHeader(file, hash),
    ...(config === null ? [] : [`export const config = ${config};`]),
    `const load = (file) => import(new URL(file, process.env.${BUNDLES_VARIABLE}).href);`,
    `export default async (req, context) => (await load(${JSON.stringify(bundle)})).default(req, context);`,
    '',
  ].join('\n');
}

/**
 * `export const config = …`'s initializer as JavaScript (its text, types taken out); null when
 * the function has no config. netlify reads the config from the source without running it, so
 * it is a literal there, and copying its text keeps it exactly as netlify would read it.
 */
export function configInitializer(ts: typeof TypeScript, file: string, text: string): string | null {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    if (!statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (!ts.isIdentifier(declaration.name) || declaration.name.text !== 'config' || declaration.initializer === undefined) continue;
      let initializer: TypeScript.Expression = declaration.initializer;
      while (ts.isAsExpression(initializer) || ts.isSatisfiesExpression(initializer) || ts.isParenthesizedExpression(initializer)) {
        initializer = initializer.expression;
      }
      if (!ts.isObjectLiteralExpression(initializer)) {
        throw new Error(`functions/${file}: 'export const config' must be an object literal, which netlify reads without running the file`);
      }
      const js = ts.transpileModule(`export default ${initializer.getText(source)};`, { compilerOptions: { target: ts.ScriptTarget.ESNext } }).outputText;
      return js.replace(/^export default /, '').replace(/;\s*$/, '');
    }
  }
  return null;
}
