// CPU time of a process, for the CPU-microseconds-per-call figures: less sensitive to a busy
// machine than wall time, since time spent waiting for a core is not counted.
//
// On Linux each thread's time on CPU is read in nanoseconds from /proc/<pid>/task/<tid>/schedstat
// (its first field) and summed over the process's threads: the main thread, and V8's GC and
// compiler threads and libuv's pool, whose work a call causes too. /proc/<pid>/stat's utime+stime
// (clock ticks, usually 10 ms) would do for long rows but not for short ones. Without schedstat
// (a kernel built without it) the ticks are used; without procfs (macOS) there is no reading.
// A thread that exits between two readings takes its time with it: the servers' threads live
// as long as the process, so this does not happen in the benchmark.

import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** How a process's CPU time is read: `schedstat` (ns, per thread, summed), `stat` (clock ticks), or `none`. */
export type CpuSource = 'schedstat' | 'stat' | 'none';

function schedstatNs(pid: number): number | undefined {
  let total = 0;
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of threads) {
    try {
      const first = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ', 1)[0];
      const ns = Number(first);
      if (!Number.isFinite(ns)) return undefined;
      total += ns;
    } catch (error) {
      // A thread that ended between the listing and the read: its time is gone anyway.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH') continue;
      return undefined;
    }
  }
  return total;
}

function statNs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the name.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks / clockTicks()) * 1e9 : undefined;
  } catch {
    return undefined;
  }
}

/** Reads one process's CPU time (ns), by the first source that works on this machine. */
export class CpuMeter {
  readonly source: CpuSource;

  constructor(readonly pid: number) {
    this.source = schedstatNs(pid) !== undefined ? 'schedstat' : statNs(pid) !== undefined ? 'stat' : 'none';
  }

  /** CPU time used so far in ns; NaN when it cannot be read. */
  readNs(): number {
    const value = this.source === 'schedstat' ? schedstatNs(this.pid) : this.source === 'stat' ? statNs(this.pid) : undefined;
    return value ?? Number.NaN;
  }
}

/** This process's CPU time (the load generator's), in ns: process.cpuUsage() is exact for the process itself. */
export function selfCpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}
