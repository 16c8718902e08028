import type { Context, Middleware } from 'koa';
import type { Logger } from '../logger.ts';
import { logUserId } from '../logger.ts';
import type { LatchkeyMetrics } from '../metrics/metrics.ts';
import { beginRequestRecord, type RequestRecord } from './request-context.ts';
import { chooseRequestId } from './request-id.ts';
import { currentRequestScope, type RequestScope } from '../db/request-scope.ts';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
// Probes and scrapes arrive every few seconds; at info they would bury the requests people make.
const QUIET_ROUTES = new Set(['healthz', 'readyz', 'metrics']);
const FIXED_PATH_ROUTES: Record<string, string> = { '/healthz': 'healthz', '/readyz': 'readyz' };

/**
 * Outermost middleware: gives each request an id (a sane incoming X-Request-Id, else a new one, echoed back), and when
 * the response is finished writes its one log line and its metrics. The line holds the route name, status, latency,
 * client, a hash of the user and the database queries it made, and never the URL, headers or body, where codes,
 * tokens and cookies travel.
 */
export function observeRequests(deps: { logger: Logger; metrics: Pick<LatchkeyMetrics, 'httpRequests' | 'httpRequestDuration'> }): Middleware {
  return async function observeRequest(ctx, next) {
    const started = process.hrtime.bigint();
    const record = beginRequestRecord(ctx.req, chooseRequestId(ctx.get('x-request-id') || undefined));
    ctx.set('X-Request-Id', record.id);
    // Read here: the 'close' listener runs outside the request's async context.
    const scope = currentRequestScope();
    ctx.res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      report(deps, ctx, record, seconds, scope);
    });
    try {
      await next();
    } finally {
      record.route ??= routerRouteName(ctx) ?? FIXED_PATH_ROUTES[ctx.path] ?? (ctx.path.startsWith('/assets/') ? 'assets' : undefined);
    }
  };
}

function report(
  deps: Parameters<typeof observeRequests>[0],
  ctx: Context,
  record: RequestRecord,
  seconds: number,
  scope: RequestScope | undefined,
): void {
  const route = record.route ?? 'unmatched';
  const method = KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER';
  const finished = ctx.res.writableFinished;
  const status = ctx.res.statusCode;
  const labels = { route, method, status: String(status) };
  deps.metrics.httpRequests.inc(labels);
  deps.metrics.httpRequestDuration.observe(labels, seconds);

  const fields: Record<string, unknown> = {
    request_id: record.id,
    method,
    route,
    status,
    duration_ms: Math.round(seconds * 10_000) / 10,
    ...(scope !== undefined && { db_queries: scope.databaseQueries }),
    ...(record.clientId !== undefined && { client_id: record.clientId }),
    ...(record.accountId !== undefined && { user: logUserId(record.accountId) }),
    ...(record.oauthError !== undefined && { error: record.oauthError }),
    ...(record.oauthErrorDetail !== undefined && { error_detail: record.oauthErrorDetail }),
    ...(!finished && { aborted: true }),
  };
  if (record.serverError !== undefined) {
    deps.logger.error('request failed', { ...fields, err: record.serverError });
  } else if (QUIET_ROUTES.has(route)) {
    deps.logger.debug('request', fields);
  } else {
    deps.logger.info('request', fields);
  }
}

/** `/interaction/:uid/login` → `interaction.login`: the @koa/router pattern without its parameters. */
function routerRouteName(ctx: Context): string | undefined {
  const pattern = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof pattern !== 'string') return undefined;
  return pattern.split('/').filter((segment) => segment !== '' && !segment.startsWith(':')).join('.') || undefined;
}
