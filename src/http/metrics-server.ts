import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import type { Middleware } from 'koa';

/** A listener of its own for /metrics (the `metrics.port` setting); everything else there is 404. */
export async function startMetricsServer(
  middleware: readonly Middleware[],
  port: number,
  host: string,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = new Koa();
  app.silent = true;
  for (const step of middleware) app.use(step);
  const handle = app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
