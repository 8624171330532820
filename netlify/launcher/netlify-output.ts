/**
 * Two of netlify dev's messages, each said in one calm line; every other line passes as it is.
 *
 * - To read an edge function's in-source config, netlify dev runs @netlify/edge-bundler's
 *   deno/config.ts, which imports a type from https://edge.netlify.com. Offline that import
 *   fails, and netlify dev prints "Could not load configuration for edge function at …" with
 *   Deno's error and a backtrace, then loads the function anyway ("Loaded edge function …").
 *   Nothing is lost: the guard has no in-source config, its paths are netlify.toml's
 *   [[edge_functions]]. A block with any other cause (a real error in the function) is passed
 *   on whole.
 * - netlify dev's local Netlify DB, which the launcher keeps from starting
 *   (no-local-netlify-db.mjs), is reported as "Failed to start Netlify Database locally".
 */

import path from 'node:path';

/** What is said instead of the edge config block, after "edge function <name>: ". */
export const EDGE_CONFIG_OFFLINE_NOTICE = "in-source config not read, since Netlify's types cannot be fetched offline: harmless, its paths are netlify.toml's";

const HEADER = /Could not load configuration for edge function at '([^']+)'/;
/**
 * What Deno's error and backtrace look like, after the header: its numbered causes, `at` lines
 * and backtrace frames. Not any indented line: netlify dev's own "ready" box is indented too,
 * and may come right after the block.
 */
const BLOCK_LINE = /^(?:$|error: |Stack backtrace:|\s+\d+: |\s+at |\s+<unknown>)/;
const OFFLINE = /edge\.netlify\.com.*(?:dns error|error sending request)|(?:dns error|error sending request).*edge\.netlify\.com/s;
/** @netlify/dev's warning when no-local-netlify-db.mjs stopped the local Netlify DB. */
const LOCAL_DB = /^Failed to start Netlify Database locally: Error: (not started by npm run dev: .*)$/;
// eslint-disable-next-line no-control-regex -- Deno colours its error with ANSI escapes
const ANSI = /\u001b\[[0-9;]*m/g;
/** A block still open this long after its last line has ended (netlify printed nothing more). */
const QUIET_MS = 500;

export interface LineFilter {
  (line: string): void;
  /** Passes on a block still held. */
  flush(): void;
}

/**
 * Passes every line to `out`, but for the two messages above. The edge block is held until it
 * ends, then said in one line. Lines may carry a prefix (`[netlify] `, child.ts).
 */
export function netlifyOutput(out: (line: string) => void, prefix = ''): LineFilter {
  let held: string[] | null = null;
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    if (held === null) return;
    const block = held;
    held = null;
    const text = block.map(plain).join('\n');
    const file = HEADER.exec(text)?.[1] ?? '';
    if (OFFLINE.test(text)) out(`${prefix}edge function ${path.basename(file, path.extname(file))}: ${EDGE_CONFIG_OFFLINE_NOTICE}`);
    else for (const line of block) out(line);
  };
  const filter = (line: string): void => {
    const content = plain(line).slice(prefix.length);
    if (HEADER.test(content)) {
      flush();
      held = [line];
    } else if (held !== null && BLOCK_LINE.test(content)) {
      held.push(line);
    } else {
      flush();
      const localDb = LOCAL_DB.exec(content);
      out(localDb === null ? line : `${prefix}netlify dev's local Netlify DB: ${localDb[1]}`);
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(flush, QUIET_MS);
    timer.unref();
  };
  return Object.assign(filter, { flush });
}

function plain(line: string): string {
  return line.replace(ANSI, '');
}
