import Koa from 'koa';
import type { ProviderHolder } from './oidc/provider-holder.ts';
import type { LatchkeyConfig } from './config/types.ts';
import type { ViewRenderer } from './http/view-renderer.ts';
import { securityHeaders } from './http/security-headers.ts';
import { errorHandler } from './http/error-handler.ts';
import { staticAssets } from './http/static-assets.ts';
import { requestLimits } from './http/request-limits.ts';
import { pinHostToIssuer } from './http/pin-host.ts';
import { buildThemeCss } from './http/theme.ts';
import type { Logger } from './logger.ts';
import type Router from '@koa/router';
import { healthRoutes, type ReadinessCheck } from './http/health-routes.ts';
import type { Readiness } from './http/readiness.ts';
import { observeRequests } from './http/request-observer.ts';
import { metricsEndpoint } from './http/metrics-endpoint.ts';
import type { LatchkeyMetrics } from './metrics/metrics.ts';
import { failFastWhileDatabaseDown } from './http/service-unavailable.ts';
import { requireHttps } from './http/require-https.ts';
import { storeRequestWrites, runInRequestScope } from './db/request-scope.ts';

/**
 * The Koa app: request id, log line and metrics, security headers, errors, health, metrics, assets, the interaction
 * and account pages, then oidc-provider for everything else.
 */
export function buildApp(deps: {
  config: LatchkeyConfig;
  views: ViewRenderer;
  logger: Logger;
  metrics: LatchkeyMetrics;
  interactionRoutes: Router;
  accountRoutes: Router;
  providers: ProviderHolder;
  readiness: Readiness;
  /** Whether the database is known to be down, and a way to tell it about errors (true: an outage, answer 503). */
  databaseAvailability: { readonly down: boolean; report(error: unknown): boolean };
  readinessChecks: Record<string, ReadinessCheck>;
}): Koa {
  // maxIpsCount 1: behind the proxy, ctx.ip is the last X-Forwarded-For entry (the one the proxy added), not the
  // first (which the client chooses), so throttling and the audit trail see the real client address.
  const app = new Koa({ proxy: deps.config.proxy, maxIpsCount: 1 });
  app.silent = true;
  app.use(function scopeDataReadsToTheRequest(_ctx, next) {
    return runInRequestScope(next);
  });
  app.use(observeRequests({ logger: deps.logger, metrics: deps.metrics }));
  app.use(securityHeaders({ https: deps.config.issuer.startsWith('https:') }));
  app.use(errorHandler(deps.views, deps.databaseAvailability.report));
  // Our own routes' deferred writes (the grant of a consent, an interaction's result) are stored before they answer;
  // a failure reaches the error handler. oidc-provider's routes store theirs themselves (src/oidc/deferred-writes.ts).
  app.use(async function storeDeferredWrites(_ctx, next) {
    try {
      await next();
    } finally {
      await storeRequestWrites();
    }
  });
  app.use(requestLimits());
  app.use(pinHostToIssuer(deps.config.issuer, deps.config.proxy));
  app.use(healthRoutes(deps.readiness, deps.readinessChecks));
  // On the main port /metrics always needs the token; without one they are served only on metrics.port, if set.
  // Like the health checks, scrapes reach an instance directly, over plain http, also while the database is away.
  const { metrics } = deps.config;
  if (metrics.port === undefined && metrics.token !== undefined) app.use(metricsEndpoint(deps.metrics.registry, metrics.token));
  app.use(requireHttps({ issuerIsHttps: deps.config.issuer.startsWith('https:'), proxyTrusted: deps.config.proxy, warn: (message) => deps.logger.warn(message) }));
  app.use(failFastWhileDatabaseDown(() => deps.databaseAvailability.down, deps.views));
  app.use(staticAssets(buildThemeCss(deps.config.ui)));
  app.use(deps.interactionRoutes.routes());
  app.use(deps.interactionRoutes.allowedMethods());
  app.use(deps.accountRoutes.routes());
  app.use(deps.accountRoutes.allowedMethods());
  app.use(async function delegateToProvider(ctx) {
    ctx.respond = false;
    await deps.providers.handle(ctx.req, ctx.res);
  });
  return app;
}
