import cluster from 'node:cluster';
import { constants, enableCompileCache } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ConfigError } from './config/config-error.ts';
import { findStartCacheDir } from './config/start-cache-dir.ts';
import { DataDirInUseError } from './db/embedded/data-dir-lock.ts';
import { decideWorkerCount } from './cluster/worker-count.ts';
import { runPrimary } from './cluster/run-primary.ts';
import { buildWorkerLaunch } from './cluster/worker-launch.ts';

// Workers get this long to drain (their own bound is 10 s, plus the logout deliveries in flight and closing the pool).
const WORKER_STOP_TIMEOUT_MS = 30_000;

/**
 * Composition root: load config, then either run the primary of several worker processes, or start the server (as the
 * only process, or as one of the workers) and drain on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const cacheDir = findStartCacheDir();
  // Before the rest of Latchkey is imported, hence the imports below: reusing the compiled code and stripped TypeScript
  // of the last start saves a third of this one's CPU. NODE_COMPILE_CACHE, when set, wins; NODE_DISABLE_COMPILE_CACHE=1
  // turns it off. Node writes the cache when the process exits: writing it after a first start took ~500 ms, too long
  // to block requests for.
  const compileCacheDir = cacheDir === undefined ? undefined : enableModuleCache(path.join(cacheDir, 'modules'));
  const { loadConfig } = await import('./config/load-config.ts');
  const { createLogger, describeError } = await import('./logger.ts');
  const config = loadConfig({});
  const logger = createLogger(config.logLevel);
  // Decided again in each worker, from the same config and machine: the workers share the cores for password hashing.
  const workers = decideWorkerCount(config.cluster.workers, config.database.url ? 'postgres' : 'embedded', availableParallelism());
  if (cluster.isPrimary) {
    if (workers.reducedFrom !== undefined) {
      logger.info('the embedded database runs in a single process: starting 1 worker', { requested_workers: workers.reducedFrom });
    }
    if (workers.count > 1) {
      // Set for the workers' own start, the cache also covers main.ts and its imports, which load before main() runs:
      // that spares each worker the TypeScript stripper, whose start alone costs ~40 ms.
      const launch = buildWorkerLaunch(process.execArgv, process.env);
      if (compileCacheDir !== undefined) launch.env['NODE_COMPILE_CACHE'] = compileCacheDir;
      runPrimary({ workers: workers.count, logger, stopTimeoutMs: WORKER_STOP_TIMEOUT_MS, launch });
      return;
    }
  }
  // Loaded only here: the primary of several workers serves nothing, and loading the server took it most of a second.
  const { startServer } = await import('./start-server.ts');
  const server = await startServer(config, logger, { cacheDir, processes: cluster.isWorker ? workers.count : 1 });
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

/** Turns on Node's compile cache in `dir`; `dir` when this call did, undefined when it was off or already on. */
function enableModuleCache(dir: string): string | undefined {
  return enableCompileCache(dir).status === constants.compileCacheStatus.ENABLED ? dir : undefined;
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
