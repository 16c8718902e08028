import type { Middleware } from 'koa';
import { HttpError } from './http-error.ts';

/**
 * With an https issuer, every request must have come over https: directly, or through a proxy trusted with `proxy:
 * true`. Otherwise the session cookies (Secure) could not even be set. A plain-http request is refused with a 403
 * rather than failing deep inside with a 500, and the operator is told once what is probably missing. Health checks
 * stay plain-http, as load balancers probe instances directly.
 */
export function requireHttps(options: { issuerIsHttps: boolean; proxyTrusted: boolean; warn: (message: string) => void }): Middleware {
  let warned = false;
  return async function refusePlainHttp(ctx, next) {
    if (!options.issuerIsHttps || ctx.secure) {
      await next();
      return;
    }
    if (!warned) {
      warned = true;
      options.warn(
        options.proxyTrusted
          ? 'a request came over plain http although the issuer is https: the proxy in front must send X-Forwarded-Proto: https'
          : 'a request came over plain http although the issuer is https: behind a load balancer that terminates TLS, set proxy: true (LATCHKEY_PROXY=true)',
      );
    }
    throw new HttpError(403, 'Use a secure connection', 'This sign-in service works only over https.');
  };
}
