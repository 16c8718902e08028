/**
 * Errors that mean "the database cannot serve this now" rather than "this request is wrong": the server refused or
 * dropped the connection, is shutting down or starting, or no connection came within the connect timeout.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'KnexTimeoutError') return true; // no pooled connection within acquireConnectionTimeout
  const { code, syscall } = error as { code?: unknown; syscall?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) && (syscall === undefined || (typeof syscall === 'string' && NETWORK_SYSCALLS.has(syscall)))) return true;
    // SQLSTATE class 08 (connection exception); the server shutting down, crashed or starting (57P0x); too many
    // connections (53300); a statement cancelled by statement_timeout (57014).
    if (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300' || code === '57014') return true;
  }
  return PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(error.message));
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ENOENT']);
const NETWORK_SYSCALLS = new Set(['connect', 'read', 'write', 'getaddrinfo']);
// node-postgres reports a lost connection with plain Errors and these messages.
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error and is not queryable/,
  /^Query read timeout$/,
  /^timeout expired$/,
];

export interface DatabaseAvailabilityOptions {
  /** Checks the database on a connection of its own; rejects while it is unreachable. */
  probe: () => Promise<void>;
  /** How often to probe while the database is down. */
  retryIntervalMs: number;
  onDown: (error: unknown) => void;
  onUp: () => void;
}

/**
 * What this instance knows about the database: up, or down since a probe failed. Requests report the errors they meet;
 * an unavailable-kind error triggers a probe on a fresh connection (so a merely busy pool does not count as down), and
 * while down the probe repeats until the database answers again. Until then requests can be refused at once.
 */
export function createDatabaseAvailability(options: DatabaseAvailabilityOptions) {
  let down = false;
  let probing: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function runProbe(cause: unknown): Promise<void> {
    try {
      await options.probe();
      if (down) {
        down = false;
        options.onUp();
      }
    } catch (error) {
      if (!down) {
        down = true;
        options.onDown(cause ?? error);
      }
      if (!stopped) {
        retryTimer = setTimeout(() => startProbe(undefined), options.retryIntervalMs);
        retryTimer.unref();
      }
    }
  }

  function startProbe(cause: unknown): void {
    if (probing || stopped) return;
    probing = runProbe(cause).finally(() => {
      probing = undefined;
    });
  }

  return {
    /** True from a failed probe until a probe succeeds. */
    get down(): boolean {
      return down;
    },

    /** Tells about an error a request met; returns whether it is a database outage (the request deserves a 503). */
    report(error: unknown): boolean {
      if (!isDatabaseUnavailableError(error)) return false;
      if (!down) startProbe(error);
      return true;
    },

    stop(): void {
      stopped = true;
      clearTimeout(retryTimer);
    },
  };
}

export type DatabaseAvailability = ReturnType<typeof createDatabaseAvailability>;
