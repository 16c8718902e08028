import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** How many nice levels below the event loop libuv's threadpool runs. */
export const THREADPOOL_NICE_OFFSET = 10;

// The highest nice value Linux has (the lowest priority).
const LOWEST_PRIORITY = 19;

/**
 * Lowers the scheduling priority of libuv's threadpool, where argon2 runs (besides file, DNS and WebCrypto work). When
 * sign-ins saturate the CPU, the event loop that answers token, userinfo and page requests gets the cores first and
 * the hashes take the rest; while the CPU has room, nothing changes. Measured on 2 cores: client_credentials p99 under a
 * sign-in storm went from 2.6-2.7× its idle value to 2.3×. Linux keeps a nice value per thread, and libuv names its
 * threads, so they are found in /proc; elsewhere, or if they cannot be found or changed, this does nothing. Call it
 * once the threadpool runs (libuv starts every thread at the first piece of work). Returns the threads lowered.
 */
export function lowerThreadpoolPriority(offset = THREADPOOL_NICE_OFFSET): number {
  const target = Math.min(LOWEST_PRIORITY, getPriority() + offset);
  let lowered = 0;
  for (const tid of listThreads()) {
    try {
      if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() !== 'libuv-worker') continue;
      setPriority(Number(tid), target);
      lowered++;
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the threads keep the priority they had.
    }
  }
  return lowered;
}

function listThreads(): string[] {
  try {
    return readdirSync('/proc/self/task');
  } catch {
    return [];
  }
}
