// The server as people start it: `node src/main.ts` with a config directory. Bad config stops startup with a message
// naming the file, the client and the field; a good one serves discovery and drains on SIGTERM.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, freePort, spawnServer, stop, waitForHttp } from '../support/child-process.ts';

const scratchDirs: string[] = [];
afterEach(() => {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configDir(files: Partial<Record<string, string>>): { root: string; config: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'lk-proc-'));
  scratchDirs.push(root);
  const config = path.join(root, 'config');
  mkdirSync(config);
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(path.join(config, name), text);
  return { root, config };
}

describe('server startup', () => {
  it.each([
    {
      problem: 'a public client with a secret',
      files: {
        'clients.yaml': [
          'clients:',
          '  - client_id: my-spa',
          '    token_endpoint_auth_method: none',
          '    client_secret: abcdefghijklmnopqrstuvwxyz0123456789',
          '    redirect_uris: [https://app.example.com/callback]',
        ].join('\n'),
      },
      expected: ['clients.yaml', 'client_id "my-spa"', 'client_secret'],
    },
    {
      problem: 'a relative redirect URI',
      files: { 'clients.yaml': 'clients:\n  - client_id: web\n    token_endpoint_auth_method: none\n    redirect_uris: [/callback]\n' },
      expected: ['clients.yaml', 'client_id "web"', 'redirect_uris'],
    },
    {
      problem: 'an unknown key in latchkey.yaml',
      files: { 'latchkey.yaml': 'port: 3000\nlisten_port: 4000\n' },
      expected: ['latchkey.yaml', 'listen_port'],
    },
    {
      problem: 'a wrong type',
      files: { 'latchkey.yaml': 'port: lots\n' },
      expected: ['latchkey.yaml', 'port'],
    },
    {
      problem: 'a secret referencing an unset environment variable',
      files: {
        'clients.yaml': [
          'clients:',
          '  - client_id: billing-web',
          '    client_secret: ${BILLING_WEB_SECRET}',
          '    redirect_uris: [https://billing.example.com/callback]',
        ].join('\n'),
      },
      expected: ['clients.yaml', 'billing-web', 'BILLING_WEB_SECRET'],
    },
  ])('refuses $problem with a message naming it, and exits non-zero', async ({ files, expected }) => {
    const { root, config } = configDir(files);
    const server = spawnServer({ LATCHKEY_CONFIG_DIR: config, LATCHKEY_DATA_DIR: path.join(root, 'data') });
    const result = await collect(server);
    expect(result.code).toBe(1);
    for (const fragment of expected) expect(result.stderr).toContain(fragment);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message for the operator, not a stack trace
  });

  it('starts on the embedded database, serves discovery for its issuer and health endpoints, refuses a second server on the same data, and drains on SIGTERM', async () => {
    const { root, config } = configDir({});
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const env = { LATCHKEY_CONFIG_DIR: config, LATCHKEY_DATA_DIR: path.join(root, 'data'), PORT: String(port), ISSUER: issuer };
    const server = spawnServer(env);
    try {
      await waitForHttp(`${issuer}/.well-known/openid-configuration`, server, 120_000); // a busy two-core machine starts the embedded database slowly
      const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(discovery['issuer']).toBe(issuer);
      expect(discovery['code_challenge_methods_supported']).toEqual(['S256']);

      expect(await (await fetch(`${issuer}/healthz`)).json()).toEqual({ status: 'ok' });
      const ready = await fetch(`${issuer}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok', keys: 'ok' } });

      const second = spawnServer({ ...env, PORT: String(await freePort()) });
      const refused = await collect(second);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('in use by another process');
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 240_000); // starting a server process (and the embedded database) takes long on a busy shared machine
});
