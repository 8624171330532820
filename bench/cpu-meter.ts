/**
 * Where the CPU went during a benchmark round: this process, the PostgreSQL server, and the
 * whole machine. On a machine of few cores shared with other work, what concurrency can gain is
 * bounded by the CPU left over: these figures show when a row was limited by CPU rather than by
 * the database's locks. Linux only (it reads /proc); elsewhere the figures are NaN.
 */

import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import pg from 'pg';

/** Clock ticks per second of /proc's CPU times: 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  /** CPU milliseconds this process has used. */
  readonly selfMs: number;
  /** CPU milliseconds of the server's processes, reaped ones included; NaN when the server is not local. */
  readonly serverMs: number;
  /** Busy and total CPU milliseconds of the machine, all cores together. */
  readonly hostBusyMs: number;
  readonly hostTotalMs: number;
}

export interface CpuUse {
  /** CPU milliseconds per request, in this process and in the server. */
  readonly selfMsPerRequest: number;
  readonly serverMsPerRequest: number;
  /** How busy the machine's cores were, 0 to 1, whoever kept them busy. */
  readonly hostBusy: number;
}

export class CpuMeter {
  readonly cores = availableParallelism();

  private constructor(private readonly postmasterPid: number | null) {}

  /** Finds the server's processes through one of its own (the checkpointer's parent is the postmaster). */
  static async forServer(databaseUrl: string): Promise<CpuMeter> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const rows = (await client.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")).rows;
      const pid = rows[0]?.pid;
      const stat = pid === undefined ? null : procStat(pid);
      return new CpuMeter(stat?.ppid ?? null);
    } finally {
      await client.end();
    }
  }

  sample(): CpuSample {
    const self = process.cpuUsage();
    const [hostBusyMs, hostTotalMs] = hostTimes();
    return { selfMs: (self.user + self.system) / 1000, serverMs: this.#serverMs(), hostBusyMs, hostTotalMs };
  }

  static use(before: CpuSample, after: CpuSample, requests: number): CpuUse {
    const n = Math.max(1, requests);
    const total = after.hostTotalMs - before.hostTotalMs;
    return {
      selfMsPerRequest: (after.selfMs - before.selfMs) / n,
      serverMsPerRequest: (after.serverMs - before.serverMs) / n,
      hostBusy: total > 0 ? (after.hostBusyMs - before.hostBusyMs) / total : NaN,
    };
  }

  #serverMs(): number {
    const postmaster = this.postmasterPid;
    if (postmaster === null) return NaN;
    const own = procStat(postmaster);
    if (own === null) return NaN;
    // The postmaster's own time and what its exited children used, then every live child's.
    let ticks = own.utime + own.stime + own.cutime + own.cstime;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const stat = procStat(Number(entry));
      if (stat !== null && stat.ppid === postmaster) ticks += stat.utime + stat.stime;
    }
    return (ticks * 1000) / TICKS_PER_SECOND;
  }
}

interface ProcStat {
  readonly ppid: number;
  readonly utime: number;
  readonly stime: number;
  readonly cutime: number;
  readonly cstime: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const at = (field: number): number => Number(fields[field - 3]);
    return { ppid: at(4), utime: at(14), stime: at(15), cutime: at(16), cstime: at(17) };
  } catch {
    return null;
  }
}

/** [busy, total] milliseconds of every core together, from /proc/stat's first line. */
function hostTimes(): [number, number] {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return [((total - idle) * 1000) / TICKS_PER_SECOND, (total * 1000) / TICKS_PER_SECOND];
  } catch {
    return [NaN, NaN];
  }
}
