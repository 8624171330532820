/**
 * One of netlify dev's messages, said in one line.
 *
 * To read an edge function's in-source config, netlify dev runs @netlify/edge-bundler's
 * deno/config.ts, which imports a type from https://edge.netlify.com. Offline that import
 * fails, and netlify dev prints "Could not load configuration for edge function at …" with
 * Deno's error and a backtrace, then loads the function anyway ("Loaded edge function …").
 * Nothing is lost: the guard has no in-source config, its paths are netlify.toml's
 * [[edge_functions]]. That block becomes one line saying so. A block with any other cause
 * (a real error in the function) is passed on whole.
 */

import path from 'node:path';

/** What is said instead, after "edge function <name>: ". */
export const EDGE_CONFIG_OFFLINE_NOTICE = "in-source config not read, since Netlify's types cannot be fetched offline: harmless, its paths are netlify.toml's";

const HEADER = /Could not load configuration for edge function at '([^']+)'/;
/** What Deno's error and backtrace look like, after the header. */
const BLOCK_LINE = /^(?:$|\s|error: |Stack backtrace:)/;
const OFFLINE = /edge\.netlify\.com.*(?:dns error|error sending request)|(?:dns error|error sending request).*edge\.netlify\.com/s;
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
 * Passes every line to `out`, but for the offline edge config block, which it holds until the
 * block ends and then says in one line. Lines may carry a prefix (`[netlify] `, child.ts).
 */
export function edgeConfigNotice(out: (line: string) => void, prefix = ''): LineFilter {
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
      out(line);
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
