import type { Middleware } from 'koa';

/**
 * Makes every request name the issuer's host. oidc-provider builds the URLs it returns (discovery, redirects to
 * resume an authorization) from the request's Host, or X-Forwarded-Host behind a proxy; a client sending another one
 * would otherwise get endpoint URLs on a host of its choosing (host header injection, cache poisoning).
 */
export function pinHostToIssuer(issuer: string, proxy: boolean): Middleware {
  const host = new URL(issuer).host;
  return async function pinHost(ctx, next) {
    ctx.req.headers.host = host;
    if (proxy) ctx.req.headers['x-forwarded-host'] = host;
    await next();
  };
}
