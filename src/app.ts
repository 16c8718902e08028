import Koa from 'koa';
import type { ProviderHolder } from './oidc/provider-holder.ts';
import type { LatchkeyConfig } from './config/types.ts';
import type { ViewRenderer } from './http/view-renderer.ts';
import { securityHeaders } from './http/security-headers.ts';
import { errorHandler } from './http/error-handler.ts';
import { staticAssets } from './http/static-assets.ts';
import { buildThemeCss } from './http/theme.ts';
import type { Logger } from './logger.ts';
import { describeError } from './logger.ts';
import type Router from '@koa/router';
import { healthRoutes, type ReadinessCheck } from './http/health-routes.ts';
import type { Readiness } from './http/readiness.ts';

/** The Koa app: security headers, errors, health, assets, the interaction and account pages, then oidc-provider for everything else. */
export function buildApp(deps: {
  config: LatchkeyConfig;
  views: ViewRenderer;
  logger: Logger;
  interactionRoutes: Router;
  accountRoutes: Router;
  providers: ProviderHolder;
  readiness: Readiness;
  readinessChecks: Record<string, ReadinessCheck>;
}): Koa {
  const app = new Koa({ proxy: deps.config.proxy });
  app.silent = true;
  app.use(securityHeaders({ https: deps.config.issuer.startsWith('https:') }));
  app.use(errorHandler(deps.views, (message, error) => deps.logger.error(message, describeError(error))));
  app.use(healthRoutes(deps.readiness, deps.readinessChecks));
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
