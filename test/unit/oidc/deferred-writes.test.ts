import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors } from 'oidc-provider';
import { afterEach, describe, expect, it } from 'vitest';
import { currentRequestScope, runInRequestScope } from '../../../src/db/request-scope.ts';
import { storeDeferredWritesBeforeResponding } from '../../../src/oidc/deferred-writes.ts';

// oidc-provider itself, with its in-memory store; each request defers `store` as the Postgres adapter defers its writes.
describe('storeDeferredWritesBeforeResponding', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  async function serve(store: () => Promise<void>, events: string[] = []) {
    const provider = new Provider('http://127.0.0.1', {});
    storeDeferredWritesBeforeResponding(provider);
    const serverErrors: unknown[] = [];
    provider.on('server_error', (_ctx, error) => serverErrors.push(error));
    const handle = provider.callback();
    server = createServer((req, res) => {
      res.on('finish', () => events.push('response sent'));
      void runInRequestScope(async () => {
        currentRequestScope()?.deferWrites(store);
        await handle(req, res);
      });
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`);
    return { response, serverErrors };
  }

  it('stores the writes before the response leaves', async () => {
    const events: string[] = [];
    const { response } = await serve(async () => {
      events.push('writes stored');
    }, events);
    expect(response.status).toBe(200);
    expect(events).toEqual(['writes stored', 'response sent']);
  });

  it('answers invalid_grant when a code or refresh token was spent by a concurrent request', async () => {
    const { response, serverErrors } = await serve(() => Promise.reject(new errors.InvalidGrant('spent by a concurrent request')));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_grant', error_description: 'grant request is invalid' });
    expect(serverErrors).toEqual([]);
  });

  it('answers server_error without detail when storing fails, and reports the cause as a server_error event', async () => {
    const failure = new Error('connection terminated unexpectedly');
    const { response, serverErrors } = await serve(() => Promise.reject(failure));
    expect(response.status).toBe(500);
    const body = await response.text();
    expect(JSON.parse(body)).toEqual({ error: 'server_error', error_description: 'oops! something went wrong' });
    expect(body).not.toContain('connection terminated');
    expect(serverErrors).toEqual([failure]);
  });
});
