/**
 * What the launcher says while the stack starts: each step with the seconds since the start,
 * netlify dev's loading of the functions counted from its own lines ("Loaded function x"), and,
 * whenever nothing was printed for a few seconds, what it is still waiting for: a slow start
 * never looks hung. netlify dev bundles each function as it loads it only in the production
 * rehearsal; in development it loads the launcher's shims (dev-functions.ts).
 */

export interface Progress {
  /** A step: "[12.3 s] engine ready". */
  step(message: string): void;
  /** What the start waits for now, said again while nothing else is printed. */
  awaiting(what: string): void;
  /** Reads one line of netlify dev's output for its progress. */
  netlifyLine(line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** How many functions netlify dev loads. */
  readonly functions: number;
  /** Whether netlify dev bundles each function as it loads it (the production rehearsal). */
  readonly netlifyBundles: boolean;
}

const QUIET_MS = 5_000;

export function startProgress(log: (line: string) => void, options: ProgressOptions, startedAt = performance.now()): Progress {
  const functionCount = options.functions;
  const loading = options.netlifyBundles ? 'bundling' : 'loading';
  const done = options.netlifyBundles ? 'bundled' : 'loaded';
  let lastPrint = performance.now();
  let loaded = 0;
  let waitingForFunctions = false;
  let current = 'the stack';
  const seconds = (): string => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
  const step = (message: string): void => {
    lastPrint = performance.now();
    log(`[${seconds()}] ${message}`);
  };
  const timer = setInterval(() => {
    if (performance.now() - lastPrint < QUIET_MS) return;
    step(waitingForFunctions ? `still ${loading} functions: ${loaded} of ${functionCount} done` : `still waiting for ${current}`);
  }, 1_000);
  timer.unref();
  return {
    step,
    awaiting(what) {
      current = what;
    },
    netlifyLine(line) {
      lastPrint = performance.now();
      if (/Local dev server ready/.test(line)) {
        waitingForFunctions = true;
        step(`netlify dev is up; ${loading} ${functionCount} functions (a request to /api waits for its function)…`);
      }
      if (/Loaded function /.test(line)) {
        loaded += 1;
        if (loaded === functionCount) {
          waitingForFunctions = false;
          step(`netlify dev ${done} all ${functionCount} functions`);
        }
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}
