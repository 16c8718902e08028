// SIGHUP makes the running server (started as people start it) re-read clients.yaml, here with file watching off.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnServer, stop, waitForHttp } from '../support/child-process.ts';

const root = mkdtempSync(path.join(tmpdir(), 'lk-hup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function clientsYaml(ids: string[]): string {
  return [
    'clients:',
    ...ids.flatMap((id) => [
      `  - client_id: ${id}`,
      '    token_endpoint_auth_method: none',
      `    redirect_uris: [http://localhost:8080/${id}]`,
    ]),
  ].join('\n');
}

async function authorizationStatus(issuer: string, clientId: string): Promise<number> {
  const url = new URL(`${issuer}/auth`);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: `http://localhost:8080/${clientId}`,
    scope: 'openid',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  await response.body?.cancel();
  return response.status;
}

describe('SIGHUP', () => {
  it('reloads clients.yaml in the running server; the new client can start a sign-in', async () => {
    const config = path.join(root, 'config');
    mkdirSync(config);
    writeFileSync(path.join(config, 'latchkey.yaml'), 'watch_clients: false\n');
    writeFileSync(path.join(config, 'clients.yaml'), clientsYaml(['first-spa']));
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const server = spawnServer({ LATCHKEY_CONFIG_DIR: config, LATCHKEY_DATA_DIR: path.join(root, 'data'), PORT: String(port), ISSUER: issuer });
    try {
      // Generous: the embedded database's first start takes long on a busy machine.
      await waitForHttp(`${issuer}/.well-known/openid-configuration`, server, 120_000);
      expect(await authorizationStatus(issuer, 'first-spa')).toBe(303);
      writeFileSync(path.join(config, 'clients.yaml'), clientsYaml(['first-spa', 'second-spa']));
      expect(await authorizationStatus(issuer, 'second-spa')).toBe(400); // nothing watches the file

      server.kill('SIGHUP');
      while (!server.output().includes('"msg":"clients.yaml reloaded"')) {
        if (server.exitCode !== null) throw new Error(`the server exited:\n${server.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const reloaded = server.output().split('\n').find((line) => line.includes('"msg":"clients.yaml reloaded"')) ?? '';
      expect(JSON.parse(reloaded)).toMatchObject({ trigger: 'SIGHUP', clients_added: ['second-spa'] });
      expect(await authorizationStatus(issuer, 'second-spa')).toBe(303);
    } finally {
      expect(await stop(server)).toBe(0);
    }
  }, 240_000);
});
