import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLES_VARIABLE, configInitializer, startDevFunctions, type DevFunctions } from './dev-functions.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A project of one function importing a module of its own, as functions/ import shared/. */
function project(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'dev-functions-'));
  mkdirSync(path.join(root, 'functions'));
  mkdirSync(path.join(root, 'shared'));
  writeFileSync(path.join(root, 'shared', 'word.ts'), "export const word: string = 'one';\n");
  writeFileSync(path.join(root, 'functions', 'hello.ts'), helloSource('/api/hello'));
  // A CommonJS package with a named export, which a function imports lazily (as zxcvbn is).
  mkdirSync(path.join(root, 'node_modules', 'lazy-cjs'), { recursive: true });
  writeFileSync(path.join(root, 'node_modules', 'lazy-cjs', 'package.json'), JSON.stringify({ name: 'lazy-cjs', main: 'index.cjs' }));
  writeFileSync(path.join(root, 'node_modules', 'lazy-cjs', 'index.cjs'), 'exports.Estimator = class Estimator {};\n');
  writeFileSync(
    path.join(root, 'functions', 'lazy.ts'),
    [
      "export default async (): Promise<Response> => new Response(typeof (await import('lazy-cjs')).Estimator);",
      "export const config = { path: '/api/lazy' };",
      '',
    ].join('\n'),
  );
  return root;
}

function helloSource(route: string): string {
  return [
    "import { word } from '../shared/word.ts';",
    'export default async (req: Request): Promise<Response> => new Response(`${word} ${new URL(req.url).pathname}`);',
    `export const config = { path: '${route}', method: ['GET'] as string[] } as const;`,
    '',
  ].join('\n');
}

/** What netlify dev does for each call of a v2 function: a new worker imports its file and calls the default export. */
function callInWorker(shim: string, env: Readonly<Record<string, string>>): Promise<string> {
  const code = `
    import { parentPort, workerData } from 'node:worker_threads';
    const fn = (await import(workerData.shim)).default;
    const res = await fn(new Request('http://localhost/api/hello'), {});
    parentPort.postMessage(await res.text());`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(code)}`), {
      workerData: { shim: pathToFileURL(shim).href },
      env: { ...process.env, ...env },
    });
    worker.once('message', (text: string) => resolve(text));
    worker.once('error', reject);
  });
}

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("npm run dev's function bundles", () => {
  let root = '';
  let functions: DevFunctions | null = null;
  afterEach(async () => {
    await functions?.stop();
    functions = null;
    rmSync(root, { recursive: true, force: true });
  });

  it('serves a function through its shim, an edited source at the next call, and a function added or removed', async () => {
    root = project();
    const logged: string[] = [];
    functions = await startDevFunctions({ root, sitePort: 1, log: (line) => logged.push(line) });
    await functions.built;
    const shim = path.join(functions.shimDir, 'hello.mjs');
    const shimText = readFileSync(shim, 'utf8');
    expect(shimText).toContain("export const config = { path: '/api/hello', method: ['GET'] };");
    expect(shimText).not.toMatch(/^import /m);
    expect(await callInWorker(shim, functions.env)).toBe('one /api/hello');

    writeFileSync(path.join(root, 'shared', 'word.ts'), "export const word: string = 'two';\n");
    await until('the rebuild', () => logged.includes('[functions] rebuilt after a change'));
    expect(await callInWorker(shim, functions.env)).toBe('two /api/hello');

    writeFileSync(path.join(root, 'functions', 'hello.ts'), helloSource('/api/hi'));
    await until('the new config', () => readFileSync(shim, 'utf8').includes("path: '/api/hi'"));

    writeFileSync(path.join(root, 'functions', 'bye.ts'), helloSource('/api/bye'));
    const byeShim = path.join(functions.shimDir, 'bye.mjs');
    await until('the added function', () => existsSync(byeShim));
    expect(await callInWorker(byeShim, functions.env)).toBe('two /api/hello');
    rmSync(path.join(root, 'functions', 'bye.ts'));
    await until('the removed function', () => !existsSync(byeShim));

    const bundles = new URL(functions.env[BUNDLES_VARIABLE]);
    await functions.stop();
    functions = null;
    expect(existsSync(bundles)).toBe(false);
  });

  it('keeps the named exports of a CommonJS package a function imports lazily', async () => {
    root = project();
    functions = await startDevFunctions({ root, sitePort: 1, log: () => {} });
    await functions.built;
    expect(await callInWorker(path.join(functions.shimDir, 'lazy.mjs'), functions.env)).toBe('function');
  });

  it('gives zip-it-and-ship-it (netlify dev) nothing to trace but the shim', async () => {
    root = project();
    functions = await startDevFunctions({ root, sitePort: 1, log: () => {} });
    await functions.built;
    const cliRequire = createRequire(createRequire(path.join(ROOT, 'package.json')).resolve('netlify-cli/package.json'));
    const zisi = (await import(pathToFileURL(cliRequire.resolve('@netlify/zip-it-and-ship-it')).href)) as typeof import('@netlify/zip-it-and-ship-it');
    const out = path.join(root, 'zisi');
    const result = await zisi.zipFunction(path.join(functions.shimDir, 'hello.mjs'), out, {
      archiveFormat: zisi.ARCHIVE_FORMAT.NONE,
      basePath: root,
      // As netlify dev calls it for a v2 function (netlify-cli's runtimes/js/builders/zisi.js).
      featureFlags: { zisi_pure_esm: true, zisi_pure_esm_mjs: true },
    });
    expect(result?.runtimeAPIVersion).toBe(2);
    expect(result?.routes?.map((r) => r.pattern)).toEqual(['/api/hello']);
    expect(result?.inputs).toEqual([path.join(functions.shimDir, 'hello.mjs')]);
  });

  it('refuses a config that is not an object literal, which netlify could not read', async () => {
    const ts = (await import('typescript')).default;
    expect(configInitializer(ts, 'a.ts', "export const config = { path: '/api/a' } satisfies object;")).toBe("{ path: '/api/a' }");
    expect(() => configInitializer(ts, 'b.ts', "import { c } from './c.ts';\nexport const config = c;")).toThrow(/must be an object literal/);
  });
});
