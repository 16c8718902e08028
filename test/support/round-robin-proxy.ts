// A small load balancer in front of several Latchkey instances: each request goes to the next instance in turn, so
// consecutive requests of one flow land on different instances. Like nginx, it sets X-Forwarded-* and passes a request
// on to the next instance when one refuses the connection (the request never reached it, so that is safe for a POST).
import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Which instance served a request. */
export interface ServedRequest {
  method: string;
  path: string;
  /** Index into the targets; -1 when no instance could be reached. */
  target: number;
  status: number;
}

export interface RoundRobinProxy {
  /** http://127.0.0.1:<port> */
  url: string;
  setTargets(urls: readonly string[]): void;
  /** Every request so far, in order of arrival. */
  readonly served: ServedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

export async function startRoundRobinProxy(): Promise<RoundRobinProxy> {
  let targets: URL[] = [];
  let next = 0;
  const served: ServedRequest[] = [];

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: ServedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', target: -1, status: 502 };
      served.push(entry);
      const first = next++ % Math.max(1, targets.length);
      const attempt = (tries: number) => {
        const index = (first + tries) % targets.length;
        const target = targets[index];
        if (!target || tries >= targets.length) {
          res.writeHead(502, { 'content-type': 'text/plain' }).end('no instance could be reached');
          return;
        }
        const upstream = httpRequest(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: forwardedHeaders(req.headers, req.socket.remoteAddress ?? '127.0.0.1', body.length),
            agent: false, // a fresh connection per request: no stale keep-alive socket to a killed instance
          },
          (response) => {
            entry.target = index;
            entry.status = response.statusCode ?? 502;
            const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => !HOP_BY_HOP.has(name)));
            res.writeHead(response.statusCode ?? 502, headers);
            response.pipe(res);
          },
        );
        upstream.on('error', (error: NodeJS.ErrnoException) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          if (error.code === 'ECONNREFUSED') attempt(tries + 1);
          else res.writeHead(502, { 'content-type': 'text/plain' }).end(`upstream error: ${error.message}`);
        });
        upstream.end(body);
      };
      attempt(0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setTargets(urls) {
      targets = urls.map((url) => new URL(url));
    },
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forwardedHeaders(headers: IncomingHttpHeaders, clientAddress: string, bodyLength: number): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name)));
  forwarded['x-forwarded-for'] = clientAddress;
  forwarded['x-forwarded-proto'] = 'http';
  forwarded['x-forwarded-host'] = headers.host;
  if (bodyLength > 0) forwarded['content-length'] = String(bodyLength);
  return forwarded;
}
