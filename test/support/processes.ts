/** This machine's processes, read from /proc: for checking what a stop left behind, and for measuring a process tree. */

import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  /** The command line, its arguments joined by spaces. */
  readonly cmdline: string;
}

export function processTable(): ProcessInfo[] {
  const table: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      table.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** The processes (other than this one) whose command line names `text`, e.g. a data directory. */
export function processesMentioning(text: string): number[] {
  return processTable()
    .filter((p) => p.pid !== process.pid && p.cmdline.includes(text))
    .map((p) => p.pid);
}
