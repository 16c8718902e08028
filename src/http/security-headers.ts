import type { Context, Middleware } from 'koa';

/**
 * The Content-Security-Policy of every response; forms may post to ourselves and redirect to the given origins.
 * Scripts run only where a page lists one by hash (`scriptHashes`, 'sha256-...'); the hosted pages have none.
 */
export function buildContentSecurityPolicy(formActionOrigins: readonly string[] = [], scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'none'",
    ...(scriptHashes.length > 0 ? [`script-src ${scriptHashes.map((hash) => `'${hash}'`).join(' ')}`] : []),
    "style-src 'self'",
    "img-src 'self' https: data:",
    `form-action 'self'${formActionOrigins.map((origin) => ` ${origin}`).join('')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * Widens form-action for a page whose form ends in a redirect to a client: browsers apply form-action to the
 * redirects that follow a form submission, so the client's origin must be listed too.
 */
export function setFormActionSources(ctx: Pick<Context, 'set'>, uris: readonly string[], scriptHashes: readonly string[] = []): void {
  const origins = uris.flatMap((uri) => {
    const url = URL.parse(uri);
    if (!url) return [];
    return url.origin === 'null' ? [`${url.protocol}`] : [url.origin];
  });
  ctx.set('Content-Security-Policy', buildContentSecurityPolicy([...new Set(origins)], scriptHashes));
}

/**
 * Sets the security headers on every response, HSTS only when the issuer is https. Nothing is cached unless a route
 * says otherwise (static assets do): pages carry personal data and CSRF tokens, protocol responses carry tokens.
 */
export function securityHeaders(options: { https: boolean }): Middleware {
  return async function setSecurityHeaders(ctx, next) {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', buildContentSecurityPolicy());
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (options.https) ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
