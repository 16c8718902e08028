// Several Latchkey processes on one Postgres database, as behind a load balancer: exactly one performs each rotation
// step, every one of them serves the new key set within seconds, none restarts. And the start-up refusals about the
// key-encryption key, as an operator sees them.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, freePort, spawnServer, stop, waitForHttp } from '../support/child-process.ts';
import { databaseTargets } from '../support/database-targets.ts';
import { fetchJwks, kidOf, waitFor } from '../support/jwks.ts';
import { apiResource, machineClient } from '../support/fixtures.ts';
import { parseJsonLines } from '../support/log-capture.ts';

const scratch: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of scratch.splice(0).reverse()) await cleanup();
});

function configDir(server: Record<string, unknown>, clients: Record<string, unknown> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'lk-procs-'));
  scratch.push(async () => rmSync(root, { recursive: true, force: true }));
  const dir = path.join(root, 'config');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'latchkey.yaml'), stringify(server));
  writeFileSync(path.join(dir, 'clients.yaml'), stringify(clients));
  return dir;
}

interface LogLine {
  msg: string;
  kind?: string;
  group?: string;
  created?: Array<{ kid: string; group: string; activeFrom: string }>;
}

const logLines = (output: string) => parseJsonLines<LogLine>(output);

async function accessToken(url: string): Promise<string> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${machineClient.client_id}:${machineClient.client_secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read' }),
  });
  if (!response.ok) throw new Error(`token request to ${url} answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

describe('starting without a usable key-encryption key', () => {
  it.each<{ problem: string; env: Record<string, string>; expected: string[] }>([
    {
      problem: 'no key on a Postgres server',
      env: {},
      expected: ['signing.key_encryption_key: must be set when the database is a Postgres server (DATABASE_URL)', '`openssl rand -base64 32`', 'LATCHKEY_KEY_ENCRYPTION_KEY'],
    },
    {
      problem: 'a key that is not 32 bytes of base64',
      env: { LATCHKEY_KEY_ENCRYPTION_KEY: 'hunter2' },
      expected: ['LATCHKEY_KEY_ENCRYPTION_KEY: must be the base64 of 32 random bytes', '`openssl rand -base64 32`'],
    },
  ])('refuses $problem with a message saying how to make one', async ({ env, expected }) => {
    // The key is checked before the database is opened: this URL need not answer.
    const server = spawnServer({ LATCHKEY_CONFIG_DIR: configDir({}), DATABASE_URL: 'postgres://latchkey@127.0.0.1:9/latchkey', ...env });
    const result = await collect(server);
    expect(result.code).toBe(1);
    for (const fragment of expected) expect(result.stderr).toContain(fragment);
    expect(result.stderr).not.toContain('hunter2');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.each(databaseTargets().filter((target) => target.name === 'postgres'))('two server processes on one database ($name)', (target) => {
  it('one performs each rotation step, both serve the new key set within seconds, neither restarts', { timeout: 150_000 }, async () => {
    const database = await target.provision();
    scratch.push(() => database.dispose());
    const config = configDir(
      { signing: { algorithms: ['RS256'], rotation_interval: '20s', publish_lead_time: '6s', jwks_max_age: '6s' } },
      { clients: [machineClient], resources: [apiResource] },
    );
    const [portA, portB] = [await freePort(), await freePort()];
    const kek = randomBytes(32).toString('base64');
    const env = (port: number) => ({
      LATCHKEY_CONFIG_DIR: config,
      DATABASE_URL: 'url' in database.settings ? database.settings.url : '',
      LATCHKEY_KEY_ENCRYPTION_KEY: kek,
      PORT: String(port),
      ISSUER: `http://127.0.0.1:${portA}`, // one issuer behind a load balancer; each process on its own port here
    });
    // Started together: they race for the first keys too.
    const servers = [spawnServer(env(portA)), spawnServer(env(portB))];
    scratch.push(async () => void (await Promise.all(servers.map((server) => stop(server)))));
    const urls = [`http://127.0.0.1:${portA}`, `http://127.0.0.1:${portB}`];
    await Promise.all(urls.map((url, index) => waitForHttp(`${url}/readyz`, servers[index]!)));
    const pids = servers.map((server) => server.pid);

    const initial = await fetchJwks(urls[0]!);
    expect((await fetchJwks(urls[1]!)).kids).toEqual(initial.kids);
    expect(initial.kids.size).toBe(1);

    // The next key appears on one of them first (whichever performed the step), then on both.
    const newKid = await waitFor('a new key in the JWKS', async () => {
      const [kid] = [...(await fetchJwks(urls[0]!)).kids].filter((candidate) => !initial.kids.has(candidate));
      return kid;
    }, 90_000);
    await waitFor('the new key on both', async () => ((await fetchJwks(urls[1]!)).kids.has(newKid) ? true : undefined), 15_000);

    // Once it signs, tokens from either process carry it and verify against the other's JWKS.
    await waitFor('tokens signed with the new key on both', async () => {
      const kids = await Promise.all(urls.map(async (url) => kidOf(await accessToken(url))));
      return kids.every((kid) => kid === newKid) ? true : undefined;
    }, 30_000);
    for (const [url, other] of [[urls[0]!, urls[1]!], [urls[1]!, urls[0]!]] as const) {
      expect((await fetchJwks(other)).kids.has(kidOf(await accessToken(url)))).toBe(true);
    }

    // Exactly one process performed each step: the first key was made once, and each rotation made one successor
    // (two instances rotating together would make two keys a moment apart, instead of one per rotation interval).
    const steps = servers.flatMap((server) => logLines(server.output()).filter((line) => line.msg === 'performed key step'));
    expect(steps.filter((step) => step.kind === 'start-signing' && step.group === 'RS256')).toHaveLength(1);
    const rs256 = steps.flatMap((step) => step.created ?? []).filter((key) => key.group === 'RS256');
    expect(rs256.map((key) => key.kid)).toEqual(expect.arrayContaining([...initial.kids, newKid]));
    const activations = rs256.map((key) => Date.parse(key.activeFrom)).sort((a, b) => a - b);
    for (let index = 1; index < activations.length; index++) {
      expect(activations[index]! - activations[index - 1]!).toBeGreaterThanOrEqual(6_000);
    }
    expect(servers.map((server) => server.exitCode)).toEqual([null, null]);
    expect(servers.map((server) => server.pid)).toEqual(pids);
  });
});
