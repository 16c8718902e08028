// clients.yaml changes while the server runs: a valid file is swapped in without a restart (new clients and APIs work,
// removed ones stop), a broken one is refused with a log line naming the problem and the clients in force stay.
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { apiResource, createTestUser, machineClient, spaClient } from '../support/fixtures.ts';
import { BrowserSession, requireForm } from '../support/browser-session.ts';
import { buildAuthorization, discoverClient, exchangeCode, signInWithCode } from '../support/relying-party.ts';
import { captureLogs, type LogLine } from '../support/log-capture.ts';
import type { TestClient, TestResource } from '../support/test-server.ts';

const newApi = { identifier: 'https://new-api.example.test', name: 'Newly Added API', scopes: ['new:read'] } as const satisfies TestResource;

/** A public client that exists only after the reload, allowed to call the new API. */
const addedClient = {
  client_id: 'added-spa',
  client_name: 'Added SPA',
  token_endpoint_auth_method: 'none',
  redirect_uris: ['http://localhost:9090/callback'],
  grant_types: ['authorization_code'],
  scope: 'openid email new:read',
} as const satisfies TestClient;

describe.each(databaseTargets())('client registry reload ($name database)', (target) => {
  const logs = captureLogs();
  const server = useTestServer({ target, clients: [spaClient, machineClient], resources: [apiResource], logs });

  /** Replaces clients.yaml the way editors and deploy tools do: write a new file, rename it over the old one. */
  function replaceClientsFile(text: string): void {
    const file = path.join(server().configDir, 'clients.yaml');
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  }

  const registryText = (clients: readonly TestClient[], resources: readonly TestResource[]) => stringify({ clients, resources });
  const reloaded = (added: string) => (line: LogLine) => line.msg === 'clients.yaml reloaded' && (line['clients_added'] as string[]).includes(added);
  const refusal = (problem: string, after: number) =>
    logs.waitFor((line) => line.msg.startsWith('clients.yaml was not reloaded') && line.msg.includes(problem), { after });

  it('picks up an added client and API when the file changes: its sign-in, consent page and tokens work without a restart', async () => {
    const user = await createTestUser(server());
    replaceClientsFile(registryText([spaClient, machineClient, addedClient], [apiResource, newApi]));
    const line = await logs.waitFor(reloaded('added-spa'));
    expect(line).toMatchObject({ level: 'info', trigger: 'file change', clients: 3, resources: 2, resources_added: [newApi.identifier] });

    const config = await discoverClient(server(), addedClient);
    const pending = await buildAuthorization(config, {
      redirectUri: addedClient.redirect_uris[0],
      scope: 'openid new:read',
      extra: { resource: newApi.identifier },
    });
    const browser = new BrowserSession(server().issuer);
    const login = await browser.visit(pending.url);
    if (login.kind !== 'page') throw new Error('expected the login page');
    const consent = await browser.submitLogin(login.page, user.email, user.password);
    if (consent.kind !== 'page') throw new Error('expected the consent page');
    expect(consent.page.html).toContain('Added SPA');
    expect(consent.page.html).toContain('Newly Added API'); // the consent step reads the reloaded resources
    const callback = await browser.submit(requireForm(consent.page, '/confirm'));
    if (callback.kind !== 'left') throw new Error('expected the redirect back to the client');
    const tokens = await exchangeCode(config, callback.location, pending);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: newApi.identifier, client_id: 'added-spa', scope: 'new:read' });
  });

  it('refuses a broken file with one log line naming the problem, and keeps the clients in force', async () => {
    const cases = [
      { text: registryText([{ ...addedClient, redirect_uris: ['/relative'] }], []), problem: 'redirect_uris[0]: must be an absolute URI' },
      { text: 'clients:\n  - client_id: [unclosed\n', problem: 'line 3, column 1' },
      { text: registryText([{ ...addedClient, scope: 'openid unknown:scope' }], []), problem: 'unknown scope "unknown:scope"' },
    ];
    for (const { text, problem } of cases) {
      const mark = logs.mark();
      replaceClientsFile(text);
      const line = await refusal(problem, mark);
      expect(line.level).toBe('error');
      expect(line.msg).toContain(problem);
      expect(line.msg).toContain('the previous clients stay in force');
      expect(line['problems']).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    }

    const user = await createTestUser(server());
    const config = await discoverClient(server(), addedClient);
    const tokens = await signInWithCode(config, new BrowserSession(server().issuer), {
      redirectUri: addedClient.redirect_uris[0],
      scope: 'openid email',
      user,
      consent: 'allow',
    });
    expect(tokens.claims()?.aud).toBe('added-spa');
    expect(await server().running.reloadClients('test')).toBe('refused'); // the broken file is still there
  });

  it('unregisters a removed client; token requests made while the file is replaced all succeed', async () => {
    const machine = await discoverClient(server(), machineClient);
    const requests = Array.from({ length: 20 }, () => client.clientCredentialsGrant(machine, {}).then(() => 'ok', (error: unknown) => String(error)));
    replaceClientsFile(registryText([spaClient, machineClient], [apiResource]));
    const line = await logs.waitFor((candidate) => candidate.msg === 'clients.yaml reloaded' && (candidate['clients_removed'] as string[]).includes('added-spa'));
    expect(line['resources_removed']).toEqual([newApi.identifier]);
    expect(await Promise.all(requests)).toEqual(Array.from({ length: 20 }, () => 'ok'));

    const config = await discoverClient(server(), addedClient);
    const pending = await buildAuthorization(config, { redirectUri: addedClient.redirect_uris[0], scope: 'openid' });
    const refused = await new BrowserSession(server().issuer).visit(pending.url);
    expect(refused.kind === 'page' && refused.page.status).toBe(400);
    expect(refused.kind === 'page' && refused.page.html).toContain('Unknown app');
  });

  it('reloads on demand (as SIGHUP does): unchanged when the file is, and a missing file is refused', async () => {
    expect(await server().running.reloadClients('SIGHUP')).toBe('unchanged');
    const file = path.join(server().configDir, 'clients.yaml');
    renameSync(file, `${file}.away`);
    try {
      const mark = logs.mark();
      expect(await server().running.reloadClients('SIGHUP')).toBe('refused');
      expect(await refusal('the file is missing', mark)).toMatchObject({ trigger: 'SIGHUP' });
    } finally {
      renameSync(`${file}.away`, file);
    }
    const spa = await discoverClient(server(), spaClient);
    expect(spa.serverMetadata().issuer).toBe(server().issuer);
    const tokens = await signInWithCode(spa, new BrowserSession(server().issuer), {
      redirectUri: spaClient.redirect_uris[0],
      scope: 'openid',
      user: await createTestUser(server()),
      consent: 'allow',
    });
    expect(tokens.claims()?.aud).toBe(spaClient.client_id);
  });
});
