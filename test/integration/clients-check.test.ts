// `latchkey clients check [FILE]` as operators run it: offline, exit 0 valid / 1 invalid / 2 usage, and a summary of
// what the file would change that names fields but never shows a secret.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/child-process.ts';

const root = mkdtempSync(path.join(tmpdir(), 'lk-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const configDir = path.join(root, 'config');
mkdirSync(configDir);
const env = { LATCHKEY_CONFIG_DIR: configDir, WEB_SECRET: 'web-secret-that-is-long-enough-000001' };

const OLD_SECRET = 'an-old-secret-of-more-than-32-characters';
const NEW_SECRET = 'a-new-secret-of-more-than-32-characters!';
const current = `
clients:
  - client_id: kept-spa
    token_endpoint_auth_method: none
    redirect_uris: [https://kept.example/cb]
  - client_id: retired-app
    token_endpoint_auth_method: none
    redirect_uris: [https://retired.example/cb]
  - client_id: billing
    client_secret: ${OLD_SECRET}
    redirect_uris: [https://billing.example/cb]
    scope: openid
resources:
  - identifier: https://api.example
    scopes: [api:read]
`;
writeFileSync(path.join(configDir, 'clients.yaml'), current);
writeFileSync(path.join(configDir, 'latchkey.yaml'), 'signing:\n  algorithms: [RS256]\n');

function candidate(name: string, text: string): string {
  const file = path.join(root, name);
  writeFileSync(file, text);
  return file;
}

describe('latchkey clients check', () => {
  it('validates a new file and lists clients and resources added, removed and changed, without values', async () => {
    const file = candidate('next.yaml', `
clients:
  - client_id: kept-spa
    token_endpoint_auth_method: none
    redirect_uris: [https://kept.example/cb]
  - client_id: billing
    client_secret: ${NEW_SECRET}
    redirect_uris: [https://billing.example/cb, https://billing.example/cb2]
    scope: openid
  - client_id: new-web
    client_secret: \${WEB_SECRET}
    redirect_uris: [https://new.example/cb]
resources:
  - identifier: https://api.example
    scopes: [api:read, api:write]
  - identifier: https://reports.example
    scopes: [reports:read]
`);
    const result = await runCli(['clients', 'check', file], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`${file} is valid: 3 clients, 2 resources.`);
    expect(result.stdout).toContain(`Compared with ${path.join(configDir, 'clients.yaml')}:`);
    const changes = result.stdout.split('\n').filter((line) => /^ {2}[+~-] /.test(line));
    expect(changes).toEqual([
      '  + client new-web',
      '  - client retired-app',
      '  ~ client billing: client_secret, redirect_uris',
      '  + resource https://reports.example',
      '  ~ resource https://api.example: scopes',
    ]);
    expect(result.stdout + result.stderr).not.toContain(NEW_SECRET);
    expect(result.stdout + result.stderr).not.toContain(OLD_SECRET);
    expect(result.stdout + result.stderr).not.toContain(env.WEB_SECRET);
  });

  it('says so when nothing would change, and checks the configured file without FILE', async () => {
    const same = await runCli(['clients', 'check', candidate('same.yaml', current)], env);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No changes compared with');
    const configured = await runCli(['clients', 'check'], env);
    expect(configured.code).toBe(0);
    expect(configured.stdout).toBe(`${path.join(configDir, 'clients.yaml')} is valid: 3 clients, 1 resource.\n`);
  });

  it('exits 1 naming every problem of an invalid file, with the settings of latchkey.yaml', async () => {
    const file = candidate('broken.yaml', `
clients:
  - client_id: es-only
    token_endpoint_auth_method: none
    redirect_uris: [/relative]
    id_token_signed_response_alg: ES256
  - client_id: secretless
    redirect_uris: [https://secretless.example/cb]
    client_secret: \${UNSET_SECRET}
`);
    const result = await runCli(['clients', 'check', file], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${file} is not valid (3 problems):`);
    expect(result.stdout).toContain('clients[0] (client_id "es-only").redirect_uris[0]: must be an absolute URI');
    expect(result.stdout).toContain('id_token_signed_response_alg: ES256 is not in signing.algorithms of latchkey.yaml');
    expect(result.stdout).toContain('environment variable UNSET_SECRET is not set');
    const syntax = await runCli(['clients', 'check', candidate('syntax.yaml', 'clients: [\n')], env);
    expect(syntax.code).toBe(1);
    expect(syntax.stdout).toContain('line 2');
  });

  it('exits 2 on usage errors', async () => {
    for (const args of [['clients'], ['clients', 'verify'], ['clients', 'check', 'a.yaml', 'b.yaml'], ['clients', 'check', path.join(root, 'missing.yaml')], ['clients', 'check', '--fast']]) {
      const result = await runCli(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^latchkey: /);
    }
  });
});
