// What Linux tells about a process in /proc: CPU time, memory, children. Readable for other users' processes too
// (Postgres backends run as postgres), which is what lets the bench count the database's CPU.
import { readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const CLOCK_TICKS_PER_SECOND = readClockTicks();

/** utime + stime of the process (all its threads, living and exited), in milliseconds; undefined once it is gone. */
export function readCpuMs(pid: number): number | undefined {
  const fields = readStatFields(pid);
  if (!fields) return undefined;
  // Fields after "(comm)": state is index 0, utime is field 14 of the full line (index 11 here), stime index 12.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/**
 * Time on a CPU of every living thread of the process, in milliseconds with nanosecond resolution (schedstat), where
 * readCpuMs counts in clock ticks of 10 ms: fine enough to time one request. Threads that exited are not counted.
 */
export function readRunTimeMs(pid: number): number | undefined {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let nanoseconds = 0;
  for (const thread of threads) {
    try {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return nanoseconds / 1e6;
}

/** The parent pid, or undefined once the process is gone. */
export function readParentPid(pid: number): number | undefined {
  const fields = readStatFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** Resident set now (VmRSS) and its peak (VmHWM), in MiB; undefined once the process is gone. */
export function readMemoryMiB(pid: number): { rss: number; peak: number } | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** The process and all its descendants (cluster workers), found by scanning /proc for parent pids. */
export function findProcessTree(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = readParentPid(Number(entry));
    if (parent !== undefined) parentOf.set(Number(entry), parent);
  }
  const tree = [rootPid];
  for (let index = 0; index < tree.length; index++) {
    for (const [pid, parent] of parentOf) if (parent === tree[index]) tree.push(pid);
  }
  return parentOf.has(rootPid) ? tree : [];
}

function readStatFields(pid: number): string[] | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm may contain spaces and parentheses; everything after the last ')' is space separated.
  return line.slice(line.lastIndexOf(')') + 2).split(' ');
}

function readClockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
