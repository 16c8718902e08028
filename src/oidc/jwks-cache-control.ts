import type { Middleware } from 'koa';

/**
 * Lets relying parties cache the JWKS for `maxAgeSeconds` (oidc-provider sends no Cache-Control there). A new key is
 * published at least that long before it signs (signing.publish_lead_time >= jwks_max_age), so a cache that honours
 * the header always holds the key of any token it sees.
 */
export function jwksCacheControl(maxAgeSeconds: number): Middleware {
  return async function cacheJwks(ctx, next) {
    await next();
    const route = (ctx as { oidc?: { route?: string } }).oidc?.route;
    if (route === 'jwks' && ctx.status === 200) ctx.set('Cache-Control', `public, max-age=${maxAgeSeconds}`);
  };
}
