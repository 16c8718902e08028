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
import { describeError } from './logger.ts';
import type Router from '@koa/router';
import { healthRoutes, type ReadinessCheck } from './http/health-routes.ts';
import type { Readiness } from './http/readiness.ts';

/** The Koa app: security headers, errors, health, assets, the interaction pages, then oidc-provider for everything else. */
export function buildApp(deps: {
  config: LatchkeyConfig;
  views: ViewRenderer;
  logger: Logger;
  interactionRoutes: Router;
  providers: ProviderHolder;
  readiness: Readiness;
  readinessChecks: Record<string, ReadinessCheck>;
}): Koa {
  // maxIpsCount 1: behind the proxy, ctx.ip is the last X-Forwarded-For entry (the one the proxy added), not the
  // first (which the client chooses), so throttling and the audit trail see the real client address.
  const app = new Koa({ proxy: deps.config.proxy, maxIpsCount: 1 });
  app.silent = true;
  app.use(securityHeaders({ https: deps.config.issuer.startsWith('https:') }));
  app.use(errorHandler(deps.views, (message, error) => deps.logger.error(message, describeError(error))));
  app.use(requestLimits());
  app.use(pinHostToIssuer(deps.config.issuer, deps.config.proxy));
  app.use(healthRoutes(deps.readiness, deps.readinessChecks));
  app.use(staticAssets(buildThemeCss(deps.config.ui)));
  app.use(deps.interactionRoutes.routes());
  app.use(deps.interactionRoutes.allowedMethods());
  app.use(async function delegateToProvider(ctx) {
    ctx.respond = false;
    await deps.providers.handle(ctx.req, ctx.res);
  });
  return app;
}
