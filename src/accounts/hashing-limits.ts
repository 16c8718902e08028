import type { LatchkeyConfig } from '../config/types.ts';
import type { HashingLimits } from './hashing-gate.ts';

/**
 * The hashing limits of one server process. `auto` concurrency shares the machine's cores among the worker processes
 * on it (each has its own gate) and stays within libuv's threadpool, where argon2 runs: more would only queue there,
 * in front of the file and DNS work that shares those threads. `auto` queue is twice the concurrency.
 */
export function decideHashingLimits(settings: LatchkeyConfig['passwords']['hashing'], machine: { cores: number; processes: number }): HashingLimits {
  const concurrency = settings.concurrency === 'auto'
    ? Math.max(1, Math.min(Math.floor(machine.cores / Math.max(1, machine.processes)), settings.threadpoolSize))
    : settings.concurrency;
  return {
    concurrency,
    queue: settings.queue === 'auto' ? 2 * concurrency : settings.queue,
    maxWaitMs: settings.maxWait * 1000,
  };
}
