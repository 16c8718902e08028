import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './config/types.ts';
import { REDACTED_PATHS } from './log-redaction.ts';

/** Structured logging: a message and fields. Callers put no secrets in fields; redaction is the second line of defence. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Where lines go; default stderr, pretty-printed when stderr is a terminal. */
  destination?: DestinationStream;
}

/** JSON lines (pino) on stderr at `level`; human-readable when someone watches a terminal. */
export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? defaultDestination();
  return wrap(
    pino(
      {
        level,
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
        serializers: { err: serializeError },
      },
      destination,
    ),
  );
}

// Required only for a terminal: servers log to a pipe, and loading it cost every process ~15 ms of CPU at start.
const require = createRequire(import.meta.url);

function defaultDestination(): DestinationStream {
  if (process.stderr.isTTY) {
    const pretty = require('pino-pretty') as typeof import('pino-pretty');
    return pretty({ destination: 2, colorize: true, sync: true, translateTime: 'SYS:HH:MM:ss.l' });
  }
  return pino.destination({ dest: 2, sync: true });
}

function wrap(logger: PinoLogger): Logger {
  return {
    debug: (message, fields = {}) => logger.debug(fields, message),
    info: (message, fields = {}) => logger.info(fields, message),
    warn: (message, fields = {}) => logger.warn(fields, message),
    error: (message, fields = {}) => logger.error(fields, message),
    child: (bindings) => wrap(logger.child(bindings)),
  };
}

/** Fields for a log line about an error; pino's `err` serializer below keeps only its type, message, code and stack. */
export function describeError(error: unknown): Record<string, unknown> {
  return { err: error };
}

/**
 * Only what identifies the failure: an error's own enumerable properties may carry request data (a pg error's
 * `detail` holds row values, an HTTP client's error its request), so they are left out.
 */
function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    stack: error.stack,
  };
}

/**
 * The user in log lines: the first 16 hex digits of SHA-256 of their `sub`. Lines about one person can be found
 * (`printf %s "$SUB" | sha256sum | cut -c1-16`) without the logs handing out the identifier every relying party sees.
 */
export function logUserId(sub: string): string {
  return createHash('sha256').update(sub).digest('hex').slice(0, 16);
}
