// Starts one test server for the enclosing describe block and stops it after the block.
import { afterAll, beforeAll } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './test-server.ts';

/** Registers beforeAll/afterAll hooks for a server; the returned function gives it to the tests. */
export function useTestServer(options: TestServerOptions): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
  });
  afterAll(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the test server is not running (did beforeAll fail?)');
    return server;
  };
}
