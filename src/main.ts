import { loadConfig } from './config/load-config.ts';
import { ConfigError } from './config/config-error.ts';
import { DataDirInUseError } from './db/embedded/data-dir-lock.ts';
import { startServer } from './start-server.ts';
import { createLogger, describeError } from './logger.ts';

/** Composition root: load config, start the server, and drain on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig({});
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
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
