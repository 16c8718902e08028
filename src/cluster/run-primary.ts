import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.ts';
import type { WorkerLaunch } from './worker-launch.ts';

export interface PrimaryOptions {
  workers: number;
  logger: Logger;
  /** How long workers get to drain after SIGTERM before they are killed. */
  stopTimeoutMs: number;
  /** Node's options and the environment variables (on top of the primary's) each worker starts with. */
  launch: WorkerLaunch;
}

const FIRST_RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;
// A worker that lived this long was healthy; the next crash restarts without delay growth.
const HEALTHY_LIFETIME_MS = 30_000;

/**
 * The primary of `npm start` with several workers (node:cluster): it serves nothing itself. Each worker is a full
 * Latchkey instance sharing the listening port; all state is in Postgres, so any worker serves any request. The primary
 * starts the workers, starts a new one when one dies (with growing delays while they keep dying young), passes SIGHUP
 * on (reload clients.yaml), and on SIGTERM or SIGINT passes SIGTERM on, waits for every worker to drain, and exits 0
 * (1 if one failed or had to be killed).
 */
export function runPrimary(options: PrimaryOptions): void {
  const { logger } = options;
  const startedAt = new Map<number, number>();
  let anyListening = false;
  let stopping = false;
  let failedExit = false;
  let crashStreak = 0;

  function startWorker(): void {
    const worker = cluster.fork(options.launch.env);
    startedAt.set(worker.id, Date.now());
    logger.info('worker started', { worker: worker.id, worker_pid: worker.process.pid });
  }

  function liveWorkers(): Worker[] {
    return Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
  }

  function stop(signal: string): void {
    if (stopping) return;
    stopping = true;
    logger.info('stopping workers', { signal, workers: liveWorkers().length });
    for (const worker of liveWorkers()) worker.process.kill('SIGTERM');
    const deadline = setTimeout(() => {
      const remaining = liveWorkers();
      logger.error('workers did not drain in time; killing them', { worker_pids: remaining.map((worker) => worker.process.pid) });
      for (const worker of remaining) worker.process.kill('SIGKILL');
      process.exit(1);
    }, options.stopTimeoutMs);
    deadline.unref();
    finishIfDone();
  }

  function finishIfDone(): void {
    if (stopping && liveWorkers().length === 0) process.exit(failedExit ? 1 : 0);
  }

  cluster.on('listening', () => {
    anyListening = true;
  });

  cluster.on('exit', (worker, code, signal) => {
    const lifetime = Date.now() - (startedAt.get(worker.id) ?? Date.now());
    startedAt.delete(worker.id);
    if (stopping) {
      if (code !== 0) failedExit = true;
      finishIfDone();
      return;
    }
    if (!anyListening) {
      // No worker ever came up (database unreachable, port taken...): restarting would only repeat it. Stop like a single process would.
      logger.error('a worker could not start; stopping', { worker: worker.id, code, signal });
      failedExit = true;
      stop('startup failure');
      return;
    }
    crashStreak = lifetime >= HEALTHY_LIFETIME_MS ? 0 : crashStreak + 1;
    const delay = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** Math.max(0, crashStreak - 1));
    logger.error('worker exited unexpectedly; starting a new one', { worker: worker.id, worker_pid: worker.process.pid, code, signal, delay_ms: delay });
    setTimeout(() => {
      if (!stopping) startWorker();
    }, delay);
  });

  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // Each worker reloads clients.yaml on SIGHUP; the primary only passes it on.
  process.on('SIGHUP', () => {
    for (const worker of liveWorkers()) worker.process.kill('SIGHUP');
  });
  logger.info('starting worker processes', { workers: options.workers });
  cluster.setupPrimary({ execArgv: options.launch.execArgv });
  for (let index = 0; index < options.workers; index++) startWorker();
}
