import type { LatchkeyConfig } from '../config/types.ts';
import type { HashingLimits } from './hashing-gate.ts';

/**
 * The hashing limits of one server process. `auto` concurrency shares the machine's cores but one among the worker
 * processes on it (each has its own gate), at least one each, and stays within libuv's threadpool, where argon2 runs:
 * more would only queue there, in front of the file and DNS work that shares those threads. The core left over keeps
 * token, userinfo and page requests quick while sign-ins pile up (on 2 cores, one process: client_credentials p99 under
 * a sign-in storm went from 4.4× its idle value with two hashes at once to 2.8× with one). `auto` queue is twice
 * the concurrency.
 */
export function decideHashingLimits(settings: LatchkeyConfig['passwords']['hashing'], machine: { cores: number; processes: number }): HashingLimits {
  const concurrency = settings.concurrency === 'auto'
    ? Math.max(1, Math.min(Math.floor((machine.cores - 1) / Math.max(1, machine.processes)), settings.threadpoolSize))
    : settings.concurrency;
  return {
    concurrency,
    queue: settings.queue === 'auto' ? 2 * concurrency : settings.queue,
    maxWaitMs: settings.maxWait * 1000,
  };
}
