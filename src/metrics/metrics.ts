import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * How a sign-in attempt at the login form ended. Throttling (issue 5) also counts in throttledAttempts; a refusal because
 * password hashing was busy counts only in hashingBusy.
 */
export type SignInOutcome = 'success' | 'failure';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const QUERY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * Latchkey's Prometheus metrics, in a registry of this process (never prom-client's global one, so several servers
 * in one process, as in the tests, keep their own). Pass it down; other modules increment the named instruments.
 */
export function createMetrics() {
  const registry = new Registry();
  // Process CPU, memory, file descriptors, GC and event-loop lag (nodejs_eventloop_lag_seconds and percentiles).
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const metrics = {
    registry,
    httpRequests: new Counter({
      name: 'latchkey_http_requests_total',
      help: 'HTTP requests answered, by route name, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'latchkey_http_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, by route name, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    signIns: new Counter({
      name: 'latchkey_sign_ins_total',
      help: 'Sign-in form submissions by outcome (failure: unknown email, wrong password or disabled account).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    tokensIssued: new Counter({
      name: 'latchkey_tokens_issued_total',
      help: 'Tokens issued at the token endpoint, by type (access_token, id_token, refresh_token) and grant type.',
      labelNames: ['type', 'grant'] as const,
      registers,
    }),
    refreshTokenReuse: new Counter({
      name: 'latchkey_refresh_token_reuse_detected_total',
      help: 'Rotated refresh tokens presented again; each one revoked its whole grant.',
      registers,
    }),
    throttledAttempts: new Counter({
      name: 'latchkey_throttled_attempts_total',
      help: 'Attempts refused by throttling, by what was throttled (e.g. account, ip).',
      labelNames: ['scope'] as const,
      registers,
    }),
    hashingBusy: new Counter({
      name: 'latchkey_password_hashing_busy_total',
      help: 'Requests answered 503 "busy, try again" because password hashing was at capacity, by what was refused (sign_in, password_change).',
      labelNames: ['scope'] as const,
      registers,
    }),
    clientRegistryReloads: new Counter({
      name: 'latchkey_client_registry_reloads_total',
      help: 'Reloads of clients.yaml by outcome: reloaded, unchanged, or refused (invalid file; the previous registry stays).',
      labelNames: ['outcome'] as const,
      registers,
    }),
    dbQueryDuration: new Histogram({
      name: 'latchkey_db_query_duration_seconds',
      help: 'Database query time, by outcome (ok or error).',
      labelNames: ['outcome'] as const,
      buckets: QUERY_BUCKETS,
      registers,
    }),
  };
  // Series that exist from the start, so rate() and absence alerts work before the first event.
  for (const outcome of ['success', 'failure'] as const) metrics.signIns.inc({ outcome }, 0);
  for (const outcome of ['reloaded', 'unchanged', 'refused'] as const) metrics.clientRegistryReloads.inc({ outcome }, 0);
  for (const scope of ['sign_in', 'password_change'] as const) metrics.hashingBusy.inc({ scope }, 0);
  return metrics;
}

export type LatchkeyMetrics = ReturnType<typeof createMetrics>;
