import type { Middleware } from 'koa';
import type { Readiness } from './readiness.ts';

/** One readiness check: resolves to 'ok' or a short reason; a check that throws or hangs counts as failed. */
export type ReadinessCheck = () => Promise<string>;

const CHECK_TIMEOUT_MS = 2_000;

/**
 * GET /healthz: the process is alive (no I/O). GET /readyz: it can serve requests — not draining, and every check
 * (database reachable, migrations current, keys loaded) passes; 503 with the failing checks otherwise.
 */
export function healthRoutes(readiness: Readiness, checks: Record<string, ReadinessCheck>): Middleware {
  return async function answerHealth(ctx, next) {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || (ctx.path !== '/healthz' && ctx.path !== '/readyz')) {
      await next();
      return;
    }
    if (ctx.path === '/healthz') {
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { status: 'ok' };
      return;
    }
    const results = Object.fromEntries(
      await Promise.all(Object.entries(checks).map(async ([name, check]) => [name, await runCheck(check)] as const)),
    );
    const ready = !readiness.draining && Object.values(results).every((result) => result === 'ok');
    ctx.set('Cache-Control', 'no-store');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: readiness.draining ? 'draining' : ready ? 'ready' : 'unavailable', checks: results };
  };
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().catch((error: unknown) => (error instanceof Error ? error.message : 'failed')), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
