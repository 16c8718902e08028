import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Registry } from 'prom-client';
import { requestRecordOf } from './request-context.ts';

/**
 * GET /metrics in Prometheus text format. With a token, only for `Authorization: Bearer <token>` (401 otherwise,
 * compared in constant time); without one, whoever reaches this listener may read them, so it must be a private one.
 */
export function metricsEndpoint(registry: Registry, token: string | undefined): Middleware {
  const expected = token === undefined ? undefined : digest(token);
  return async function serveMetrics(ctx, next) {
    if (ctx.path !== '/metrics' || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) {
      await next();
      return;
    }
    const record = requestRecordOf(ctx.req);
    if (record) record.route = 'metrics';
    ctx.set('Cache-Control', 'no-store');
    if (expected && !bearerMatches(ctx.get('authorization'), expected)) {
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Bearer realm="metrics"');
      ctx.body = { error: 'invalid_token', error_description: 'send the metrics token as a Bearer token' };
      return;
    }
    ctx.type = registry.contentType;
    ctx.body = await registry.metrics();
  };
}

function bearerMatches(header: string, expected: Buffer): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

/** Hashing first gives both sides the same length, which timingSafeEqual needs, without revealing the token's. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
