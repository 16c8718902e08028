// Resident memory of the server processes (the spawned one and its cluster workers).
import { findProcessTree, readMemoryMiB } from './proc-stats.ts';

export interface ProcessMemory {
  pid: number;
  /** VmRSS now, MiB. */
  rssMiB: number;
  /** VmHWM, the peak resident set so far, MiB. */
  peakMiB: number;
}

/** Memory of every process of the server's tree. */
export function readServerMemory(rootPid: number): ProcessMemory[] {
  return findProcessTree(rootPid).flatMap((pid) => {
    const memory = readMemoryMiB(pid);
    return memory ? [{ pid, rssMiB: memory.rss, peakMiB: memory.peak }] : [];
  });
}
