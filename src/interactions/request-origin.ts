import type { Context } from 'koa';

/**
 * Where a request comes from, for throttling and the audit trail: ctx.ip honours the `proxy` setting (the last
 * X-Forwarded-For entry behind a proxy, the socket address otherwise).
 */
export function requestOrigin(ctx: Pick<Context, 'ip' | 'get'>): { ip: string; userAgent: string | undefined } {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined };
}
