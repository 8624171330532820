// @ts-check
// `npm run lint`, and `npm test` through test/lint.test.ts.
//
// typescript-eslint's type-checked rules read the same tsconfig.json as `tsc`, so a rule knows
// each expression's type: a promise nobody awaits, an `any` that leaks out of JSON.parse, an
// object put into a string. Formatting is not the linter's job: dprint does it (dprint.json).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// ---- layers --------------------------------------------------------------------------------
// functions/ -> shared/ -> the engine's public entry (fql-engine/index.ts, the package
// `fql-engine`); the engine imports nothing outside itself. Only test/ and bench/ may import
// anything. Each folder below may import its own files, npm packages, and what it lists.

const ENGINE_ENTRY = './fql-engine/index.ts';

// TEMPORARY, until the engine is the workspace package `fql-engine`: shared/ still opens the
// engine through these deep paths. Remove this list once shared/fql/client.ts imports
// 'fql-engine' (the rule then holds shared/ to ENGINE_ENTRY alone).
const TEMPORARY_SHARED_TO_ENGINE = ['./fql-engine/engine.ts', './fql-engine/storage/database-url.ts', './fql-engine/transport/in-process.ts'];

// TEMPORARY, until the engine's tests use no helper of the root test/ (issue 13, §2). Remove
// this list when the engine package lands.
const TEMPORARY_ENGINE_TESTS_TO_TEST_SUPPORT = ['./test/support/environment.ts', './test/support/ports.ts'];

/**
 * The files of `folder` may import only from `folder`, npm packages and `allowed` (paths
 * from the repository's root, folders or files).
 * @param {string} folder
 * @param {string[]} allowed
 * @param {{ files?: string[], ignores?: string[] }} [scope] which files (default: all of `folder`)
 * @returns {import('eslint').Linter.Config}
 */
function layer(folder, allowed, scope = {}) {
  const own = `./${folder}`;
  return {
    files: scope.files ?? [`${folder}/**`],
    ignores: scope.ignores ?? [],
    plugins: { 'import-x': importX },
    rules: {
      'import-x/no-restricted-paths': ['error', {
        basePath: import.meta.dirname,
        zones: [{
          target: own,
          from: '.',
          except: [own, './node_modules', ...allowed],
          message: `${folder}/ may import only ${[own, ...allowed].join(', ')} and npm packages (see eslint.config.js).`,
        }],
      }],
    },
  };
}

// Tests next to the code they test (`*.test.ts`) are test code: like test/, they may import
// anything (the real mailbox, test/support). Not in the engine, whose tests travel with it.
const TESTS = ['**/*.test.ts'];

const layers = [
  layer('functions', ['./shared']),
  layer('shared', [ENGINE_ENTRY, ...TEMPORARY_SHARED_TO_ENGINE], { ignores: TESTS }),
  layer('fql-engine', []),
  layer('fql-engine', TEMPORARY_ENGINE_TESTS_TO_TEST_SUPPORT, { files: ['fql-engine/**/*.test.ts', 'fql-engine/test/**'] }),
  layer('fauna-schema', ['./shared', ENGINE_ENTRY], { ignores: TESTS }),
  // netlify/ is the local stack: its launcher applies the schema (fauna-schema/cli.ts) before
  // it starts netlify dev. fauna-schema/ imports nothing of netlify/, so the two stay layered.
  layer('netlify', ['./shared', ENGINE_ENTRY, './fauna-schema'], { ignores: TESTS }),
  // The browser's files, and the npm scripts' runners: nothing of the rest.
  layer('public', []),
  layer('scripts', []),
];

export default defineConfig(
  {
    ignores: ['node_modules/', '.data/', '.netlify/', 'test-results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Files outside tsconfig.json's folders (this one, vitest.config.ts) get a default program.
        projectService: { allowDefaultProject: ['*.js', '*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // From the strict set, the rules that catch mistakes rather than taste.
      '@typescript-eslint/no-deprecated': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/no-unnecessary-template-expression': 'error',
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/use-unknown-in-catch-callback-variable': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // `interface A extends B {}` is how a module augmentation adds B's fields to A (vitest's
      // ProvidedContext); an empty interface with no base stays an error.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // A leading underscore is how this code says "unused on purpose": a destructured field
      // left out of a copy (`const { exp: _exp, ...rest } = claims`), a callback's unused argument.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Off: an `async` function without `await` is how this code implements an interface that
      // returns a promise (an evaluator form's `run`, a test's `sendEmail`), and `async` makes
      // its throws rejections, which is what its callers handle. Removing `async` to please the
      // rule would turn those into synchronous throws. The promise mistakes that matter are
      // no-floating-promises and no-misused-promises, which stay on.
      '@typescript-eslint/require-await': 'off',
      // tsc already reports a name that is not defined, in the JavaScript files too (they are
      // @ts-check), and it knows which globals exist from tsconfig's lib and types; no-undef
      // would need its own list of browser and Node globals (typescript-eslint's advice).
      'no-undef': 'off',
    },
  },
  {
    // A module's exports say their types: in TypeScript by annotation (the JavaScript files
    // say them in JSDoc, which this rule does not read; tsc checks those).
    files: ['**/*.ts'],
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'error' },
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      // Off in tests: vitest's asymmetric matchers are typed `any` by design, so every
      // `toEqual({ id: expect.any(String) })` would be an "unsafe assignment". The other
      // no-unsafe-* rules stay on in tests.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  ...layers,
);
