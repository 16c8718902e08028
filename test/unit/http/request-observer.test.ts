// The request pipeline's outer layers on a real Koa app over HTTP: the request id, one log line per request, and a
// server error logged once, on that line, while the person sees a page with the request id as its reference.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorHandler } from '../../../src/http/error-handler.ts';
import { observeRequests } from '../../../src/http/request-observer.ts';
import { createViewRenderer } from '../../../src/http/view-renderer.ts';
import { createLogger } from '../../../src/logger.ts';
import { createMetrics } from '../../../src/metrics/metrics.ts';
import { captureLogs } from '../../support/log-capture.ts';
import { parsePrometheusText } from '../../support/prometheus-text.ts';

describe('observeRequests with errorHandler', () => {
  const logs = captureLogs();
  const metrics = createMetrics();
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const app = new Koa();
    app.silent = true;
    app.use(observeRequests({ logger: createLogger('trace', { destination: logs.destination }), metrics }));
    app.use(errorHandler(await createViewRenderer({ productName: 'Test', logoUri: undefined, primaryColor: '#000', privacyPolicyUri: undefined, termsUri: undefined })));
    app.use(async (ctx) => {
      if (ctx.path === '/explode') throw new Error('the database exploded');
      if (ctx.path === '/healthz') ctx.body = { status: 'ok' };
      else ctx.body = 'fine';
    });
    const handle = app.callback();
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('logs a server error exactly once, at error level on its request line, and shows its id on the page', async () => {
    const response = await fetch(`${base}/explode`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(500);
    const id = response.headers.get('x-request-id') ?? '';
    const html = await response.text();
    expect(html).toContain(`Reference: <code>${id}</code>`);
    expect(html).not.toContain('exploded');

    const line = await logs.waitFor((candidate) => candidate['request_id'] === id);
    expect(line).toMatchObject({ level: 'error', msg: 'request failed', status: 500, route: 'unmatched', err: { message: 'the database exploded' } });
    expect(logs.text().split('\n').filter((text) => text.includes('the database exploded'))).toHaveLength(1);
  });

  it('logs health probes at debug and everything else at info, and counts both', async () => {
    const health = await fetch(`${base}/healthz`);
    const page = await fetch(`${base}/page`);
    expect(await logs.waitFor((line) => line['request_id'] === health.headers.get('x-request-id'))).toMatchObject({ level: 'debug', route: 'healthz' });
    expect(await logs.waitFor((line) => line['request_id'] === page.headers.get('x-request-id'))).toMatchObject({ level: 'info', status: 200 });
    const exposition = parsePrometheusText(await metrics.registry.metrics());
    expect(exposition.value('latchkey_http_requests_total', { route: 'healthz', status: '200' })).toBe(1);
  });
});
