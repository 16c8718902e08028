import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * oidc-provider answers any error from its adapter with 500 server_error (or, at the authorization endpoint, a redirect
 * carrying it). When the cause is a database outage that is wrong: the request was fine and will work again shortly.
 * Its `server_error` event sees the cause; a middleware around its routes then rewrites the response to a 503.
 */
export function answerDatabaseOutagesWith503(
  provider: Provider,
  isOutage: (error: unknown) => boolean,
  respond: (ctx: Context) => void,
): void {
  const hitByOutage = new WeakSet<object>();
  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    if (isOutage(error)) hitByOutage.add(ctx);
  });
  provider.use(async (ctx, next) => {
    await next();
    if (hitByOutage.has(ctx)) respond(ctx);
  });
}
