/**
 * Timing for benchmarks: run an operation N times after a warm-up, report throughput and
 * latency percentiles. Compare only figures taken in the same run: the machines are shared.
 */

import { performance } from 'node:perf_hooks';

export interface Measurement {
  readonly name: string;
  readonly ops: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function measure(name: string, ops: number, op: (i: number) => Promise<unknown>, warmup = Math.min(50, ops)): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await op(-1 - i);
  const samples: number[] = [];
  const start = performance.now();
  for (let i = 0; i < ops; i++) {
    const t0 = performance.now();
    await op(i);
    samples.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  samples.sort((a, b) => a - b);
  return { name, ops, opsPerSec: (ops / total) * 1000, p50Ms: percentile(samples, 0.5), p99Ms: percentile(samples, 0.99) };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

export function formatRow(m: Measurement): string {
  return `${m.name.padEnd(34)} ${m.opsPerSec.toFixed(0).padStart(8)} ops/s   p50 ${m.p50Ms.toFixed(3).padStart(7)} ms   p99 ${m.p99Ms.toFixed(3).padStart(7)} ms`;
}
