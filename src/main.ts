import { loadConfig } from './config/load-config.ts';
import { ConfigError } from './config/config-error.ts';
import { DataDirInUseError } from './db/embedded/data-dir-lock.ts';
import { startServer } from './start-server.ts';
import { createLogger, describeError } from './logger.ts';
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { decideWorkerCount } from './cluster/worker-count.ts';
import { runPrimary } from './cluster/run-primary.ts';

// Workers get this long to drain (their own bound is 10 s, plus the logout deliveries in flight and closing the pool).
const WORKER_STOP_TIMEOUT_MS = 30_000;

/**
 * Composition root: load config, then either run the primary of several worker processes, or start the server (as the
 * only process, or as one of the workers) and drain on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const config = loadConfig({});
  const logger = createLogger(config.logLevel);
  // Decided again in each worker, from the same config and machine: the workers share the cores for password hashing.
  const workers = decideWorkerCount(config.cluster.workers, config.database.url ? 'postgres' : 'embedded', availableParallelism());
  if (cluster.isPrimary) {
    if (workers.reducedFrom !== undefined) {
      logger.info('the embedded database runs in a single process: starting 1 worker', { requested_workers: workers.reducedFrom });
    }
    if (workers.count > 1) {
      runPrimary({ workers: workers.count, logger, stopTimeoutMs: WORKER_STOP_TIMEOUT_MS });
      return;
    }
  }
  const server = await startServer(config, logger, { processes: cluster.isWorker ? workers.count : 1 });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('stopped with an error', describeError(error));
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  // The conventional "re-read your configuration" signal: clients.yaml only (other settings need a restart).
  process.on('SIGHUP', () => void server.reloadClients('SIGHUP'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirInUseError) {
    process.stderr.write(`latchkey: cannot start.\n${error.message}\n`);
  } else {
    process.stderr.write(`latchkey: cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  }
  process.exit(1);
});
