// The relying party's origin in browser tests: a real HTTP server on a free loopback port, so the browser's arrival
// at a redirect_uri (or a logout target) lands on a page of the test's own, whatever else runs on this machine.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestClient } from './test-server.ts';

const LANDING_PAGE = '<!doctype html><html lang="en"><title>App</title><link rel="icon" href="data:,"><h1>Back at the app</h1></html>';

export interface AppLanding {
  /** http://localhost:<port> */
  origin: string;
  close(): Promise<void>;
}

/** Starts the landing server; every request gets the same small page. */
export async function startAppLanding(): Promise<AppLanding> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(LANDING_PAGE));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A suite skipped without a browser never closes it; it must not keep the test worker alive.
  server.unref();
  return {
    origin: `http://localhost:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A client whose redirect URIs moved to another origin. */
export type MovedClient<Client extends TestClient> = Omit<Client, 'redirect_uris' | 'post_logout_redirect_uris'> & {
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
};

/** `client` with its redirect_uris and post_logout_redirect_uris moved to `origin`, paths kept. */
export function atOrigin<Client extends TestClient>(client: Client, origin: string): MovedClient<Client> {
  const move = (uri: string) => {
    const { pathname, search } = new URL(uri);
    return new URL(pathname + search, origin).href;
  };
  return {
    ...client,
    redirect_uris: (client.redirect_uris ?? []).map(move),
    ...(client.post_logout_redirect_uris ? { post_logout_redirect_uris: client.post_logout_redirect_uris.map(move) } : {}),
  };
}
