/**
 * Every relative link in every markdown file of the repo resolves: to a file or folder of the
 * repo, and, when it has a `#fragment` into a markdown file, to one of that file's headings (as
 * GitHub makes anchors of them). A moved file or a reworded heading then fails here, not in a
 * reader's browser.
 *
 * "Of the repo" means what a clone holds: the files git tracks, plus new ones it does not ignore.
 * A link that leaves the repo, or reaches an ignored file (node_modules, .data, notes kept
 * aside), is broken even when the file happens to exist on this machine.
 *
 * The scan is small on purpose: inline links and images, and reference definitions, outside
 * fenced code and code spans; ATX headings (`## Title`). Links with a scheme (https:, mailto:)
 * are not followed.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the checker needs of a repository: its files (paths relative to the root, with `/`) and their text. */
interface Repo {
  readonly files: ReadonlySet<string>;
  read(file: string): string;
}

interface Link {
  readonly line: number;
  readonly target: string;
}

// `[text](dest "title")` or `![alt](<dest>)`; the text may hold one level of brackets.
const INLINE_LINK = /!?\[(?:[^[\]\\]|\\.|\[[^[\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const ATX_HEADING = /^ {0,3}#{1,6}(?:\s+(.*?))?(?:\s+#+)?\s*$/;
const CODE_SPAN = /(`+)(?:(?!\1)[\s\S])*?\1/g;

/** The lines that are markdown (not fenced code), with their 1-based numbers. */
function proseLines(text: string): { readonly line: number; readonly text: string }[] {
  const out: { line: number; text: string }[] = [];
  let fence: string | null = null;
  text.split(/\r?\n/).forEach((line, i) => {
    const m = FENCE.exec(line);
    if (fence === null) {
      if (m) fence = m[1];
      else out.push({ line: i + 1, text: line });
    } else if (m && m[1][0] === fence[0] && m[1].length >= fence.length && line.trim() === m[1]) {
      fence = null;
    }
  });
  return out;
}

function linksOf(text: string): Link[] {
  const links: Link[] = [];
  for (const { line, text: raw } of proseLines(text)) {
    const prose = raw.replace(CODE_SPAN, (span) => ' '.repeat(span.length));
    const definition = REFERENCE_DEFINITION.exec(prose);
    if (definition) links.push({ line, target: unbracket(definition[1]) });
    for (const m of prose.matchAll(INLINE_LINK)) links.push({ line, target: unbracket(m[1]) });
  }
  return links;
}

function unbracket(target: string): string {
  return target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target;
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces made hyphens. */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link shows its text
    .replace(/<[^>]+>/g, ''); // HTML tags show nothing
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a markdown text defines; a repeated heading gets -1, -2… as on GitHub. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text: line } of proseLines(text)) {
    const m = ATX_HEADING.exec(line);
    if (!m) continue;
    const base = slug(m[1] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function isFolder(repo: Repo, dir: string): boolean {
  if (dir === '') return true;
  for (const file of repo.files) if (file.startsWith(`${dir}/`)) return true;
  return false;
}

/** Why a link of `from` (a markdown file of the repo) does not resolve, or null when it does. */
function problemOf(repo: Repo, from: string, target: string): string | null {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return null;
  const hash = target.indexOf('#');
  const pathPart = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
  const fragment = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  let file: string;
  if (pathPart === '') {
    file = from;
  } else {
    const decoded = decodeURIComponent(pathPart);
    const joined = decoded.startsWith('/') ? path.posix.normalize(decoded.slice(1)) : path.posix.join(path.posix.dirname(from), decoded);
    file = joined.replace(/\/+$/, '');
    if (file === '.') file = '';
    if (file === '..' || file.startsWith('../')) return 'leaves the repository';
    if (!repo.files.has(file) && !isFolder(repo, file)) return 'no such file or folder in the repository';
  }
  if (fragment === null || fragment === '' || !file.endsWith('.md') || !repo.files.has(file)) return null;
  return anchorsOf(repo.read(file)).has(fragment) ? null : `${file} has no heading for #${fragment}`;
}

function brokenLinks(repo: Repo, markdownFiles: readonly string[]): string[] {
  const broken: string[] = [];
  for (const file of markdownFiles) {
    for (const link of linksOf(repo.read(file))) {
      const problem = problemOf(repo, file, link.target);
      if (problem !== null) broken.push(`${file}:${link.line}: ${link.target} (${problem})`);
    }
  }
  return broken;
}

/** The repo as a clone has it: tracked files, and new ones git does not ignore, that exist. */
function workingTree(): Repo {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  const files = new Set(listed.split('\0').filter((f) => f !== '' && existsSync(path.join(ROOT, f))));
  return { files, read: (file) => readFileSync(path.join(ROOT, file), 'utf8') };
}

function memoryRepo(contents: Readonly<Record<string, string>>): Repo {
  return {
    files: new Set(Object.keys(contents)),
    read: (file) => {
      const text = contents[file];
      if (text === undefined) throw new Error(`no ${file}`);
      return text;
    },
  };
}

describe('the checker', () => {
  const files: Readonly<Record<string, string>> = {
    'README.md': '# Project\n\n## Deploying to Netlify\n\n## Deploying to Netlify\n',
    'docs/API.md': '# HTTP contract of `/api/auth/*`\n\n## Changes from the original contract\n\n```md\n# not a heading\n```\n',
    'shared/http.ts': '',
  };

  it('accepts files, folders, anchors and outside links', () => {
    const text = [
      '[a](../README.md) [b](API.md#changes-from-the-original-contract) [c](../shared/) [d](../shared/http.ts)',
      '# Local heading',
      '[e](API.md#http-contract-of-apiauth) [k](#local-heading) [f](https://example.com/x.md#nope) [g](mailto:a@b.co) ![h](<../README.md>)',
      '[i](../README.md#deploying-to-netlify-1 "a title")',
      '[j]: ../README.md#project',
    ].join('\n');
    expect(linksOf(text)).toHaveLength(11);
    expect(brokenLinks(memoryRepo({ ...files, 'docs/x.md': text }), ['docs/x.md'])).toEqual([]);
  });

  it('reports a missing file, a missing heading, a link out of the repository, and a missing folder', () => {
    const text = '[a](../READM.md)\n[b](API.md#no-such-heading)\n\n[c](../../shared/API.md) [d](../bench/)\n[e]: #nope';
    const broken = brokenLinks(memoryRepo({ ...files, 'docs/x.md': text }), ['docs/x.md']);
    expect(broken).toEqual([
      'docs/x.md:1: ../READM.md (no such file or folder in the repository)',
      'docs/x.md:2: API.md#no-such-heading (docs/API.md has no heading for #no-such-heading)',
      'docs/x.md:4: ../../shared/API.md (leaves the repository)',
      'docs/x.md:4: ../bench/ (no such file or folder in the repository)',
      'docs/x.md:5: #nope (docs/x.md has no heading for #nope)',
    ]);
  });

  it('ignores links in fenced code and code spans, and headings in fenced code', () => {
    const text = '```sh\n[a](missing.md)\n# Fenced\n```\n`[b](missing.md)` and ``[c](x.md)``\n# Real\n';
    expect(linksOf(text)).toEqual([]);
    expect([...anchorsOf(text)]).toEqual(['real']);
  });

  it("makes GitHub's anchors", () => {
    expect(slug('HTTP contract of `/api/auth/*` and `/api/health`')).toBe('http-contract-of-apiauth-and-apihealth');
    expect(slug('1. Apply the schema')).toBe('1-apply-the-schema');
    expect(slug('What may import what')).toBe('what-may-import-what');
    expect(slug('[docs/](docs/) and test_names')).toBe('docs-and-test_names');
  });
});

describe('markdown links of this repository', () => {
  const repo = workingTree();
  const markdown = [...repo.files].filter((f) => f.endsWith('.md')).sort();

  it('finds the markdown files, and links in them', () => {
    expect(markdown).toEqual(expect.arrayContaining(['README.md', 'docs/API.md', 'docs/ARCHITECTURE.md', 'docs/DEPLOY.md']));
    expect(markdown.filter((f) => f.includes('node_modules/'))).toEqual([]);
    expect(markdown.flatMap((f) => linksOf(repo.read(f))).length).toBeGreaterThan(10);
  });

  it('every relative link resolves', () => {
    expect(brokenLinks(repo, markdown)).toEqual([]);
  });
});
