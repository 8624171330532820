/**
 * What the launcher says while the stack starts: each step with the seconds since the start,
 * netlify dev's bundling counted from its own lines ("Loaded function x"), and, whenever nothing
 * was printed for a few seconds, what it is still waiting for: a slow start never looks hung.
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

const QUIET_MS = 5_000;

export function startProgress(log: (line: string) => void, functionCount: number, startedAt = performance.now()): Progress {
  let lastPrint = performance.now();
  let loaded = 0;
  let bundling = false;
  let current = 'the stack';
  const seconds = (): string => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
  const step = (message: string): void => {
    lastPrint = performance.now();
    log(`[${seconds()}] ${message}`);
  };
  const timer = setInterval(() => {
    if (performance.now() - lastPrint < QUIET_MS) return;
    step(bundling ? `still bundling functions: ${loaded} of ${functionCount} done` : `still waiting for ${current}`);
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
        bundling = true;
        step(`netlify dev is up; bundling ${functionCount} functions (a request to /api waits for its function)…`);
      }
      if (/Loaded function /.test(line)) {
        loaded += 1;
        if (loaded === functionCount) {
          bundling = false;
          step(`all ${functionCount} functions bundled`);
        }
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}
