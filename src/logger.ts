import type { LogLevel } from './config/types.ts';

const LEVELS: Record<LogLevel, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: 100 };

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per event on stderr. Callers pass no secrets: fields are written as given. */
export function createLogger(level: LogLevel): Logger {
  const threshold = LEVELS[level];
  const write = (levelName: LogLevel) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS[levelName] < threshold) return;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: levelName, msg: message, ...fields })}\n`);
  };
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** Describes an error for a log line: name and message, and the stack only for our own server errors. */
export function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  return { error: error.message, errorName: error.name, stack: error.stack };
}
