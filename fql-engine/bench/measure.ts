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
  return `${m.name.padEnd(34)} ${m.opsPerSec.toFixed(0).padStart(8)} ops/s   p50 ${m.p50Ms.toFixed(3).padStart(7)} ms   p99 ${
    m.p99Ms.toFixed(3).padStart(7)
  } ms`;
}

/** A target's verdict, as every benchmark prints it: `PASS  label: detail` or `FAIL  label: detail`. */
export function check(label: string, ok: boolean, detail: string): string {
  return `${ok ? 'PASS' : 'FAIL'}  ${label}: ${detail}`;
}

/** Prints the verdicts; any FAIL makes the benchmark exit non-zero, so `npm run bench` reports the miss. */
export function printVerdicts(verdicts: readonly string[]): void {
  for (const line of verdicts) console.log(line);
  if (verdicts.some((line) => line.startsWith('FAIL'))) process.exitCode = 1;
}

export interface Contender {
  readonly name: string;
  readonly op: (i: number) => Promise<unknown>;
}

/** A contender measured in turns: its median round, with every round and its warm-up, to show how steady it was. */
export interface TurnsMeasurement extends Measurement {
  /** Throughput of each measured round, in the order they ran. */
  readonly roundsOpsPerSec: readonly number[];
  /** Throughput over the warm-up: what the same work costs before the JIT has settled. */
  readonly warmupOpsPerSec: number;
}

/**
 * Operations to be compared with one another, measured in turns: all are warmed up first, then
 * each round measures every one in order, and each keeps its median round. Measured one after
 * the other instead, the first pays for the JIT and the machine's bursts land on one alone.
 * `i` runs on across rounds (round r passes r × ops + j), so no operation is handed the same i twice.
 */
export async function measureInTurns(contenders: readonly Contender[], ops: number, rounds = 5, warmup = 2000): Promise<TurnsMeasurement[]> {
  const warmups: number[] = [];
  for (const c of contenders) {
    const start = performance.now();
    for (let i = 0; i < warmup; i++) await c.op(-1 - i);
    warmups.push((warmup / (performance.now() - start)) * 1000);
  }
  const byContender: Measurement[][] = contenders.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [k, c] of contenders.entries()) byContender[k].push(await measure(c.name, ops, (i) => c.op(r * ops + i), 0));
  }
  return byContender.map((taken, k) => ({
    ...[...taken].sort((a, b) => a.opsPerSec - b.opsPerSec)[Math.floor(taken.length / 2)],
    roundsOpsPerSec: taken.map((m) => m.opsPerSec),
    warmupOpsPerSec: warmups[k],
  }));
}

/** The rounds behind a median, and the warm-up before them: `warm-up 2035/s; rounds 5088 5270 5191`. */
export function formatRounds(m: TurnsMeasurement): string {
  const warmup = Number.isFinite(m.warmupOpsPerSec) ? `warm-up ${m.warmupOpsPerSec.toFixed(0)}/s; ` : '';
  return `${warmup}rounds ${m.roundsOpsPerSec.map((r) => r.toFixed(0)).join(' ')} ops/s`;
}
