// `latchkey keys` against a running server on the embedded database (through its socket): the server picks up every
// change within seconds, without a restart. Revocation explains what breaks and asks first.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, collect, freePort, runCli, spawnServer, stop, waitForHttp, REPO_ROOT } from '../support/child-process.ts';
import { fetchJwks, waitFor } from '../support/jwks.ts';

interface ListedKey {
  kid: string;
  alg: string;
  state: string;
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `answer` at its prompt. */
function runCliOnTerminal(args: string[], env: Record<string, string>, answer: string) {
  const command = [process.execPath, 'bin/latchkey.js', ...args].map((part) => `'${part}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: childEnv(env) });
  child.stdin.end(`${answer}\n`);
  return collect(child);
}

describe('latchkey keys', () => {
  let root: string;
  let env: Record<string, string>;
  let server: ReturnType<typeof spawnServer>;
  let issuer: string;

  const listKeys = async (...extra: string[]) => {
    const result = await runCli(['keys', 'list', '--json', ...extra], env);
    expect(result.code).toBe(0);
    return JSON.parse(result.stdout) as ListedKey[];
  };
  const activeKid = async (alg: string) => (await listKeys()).find((key) => key.alg === alg && key.state === 'active')!.kid;
  const published = async (kid: string, expected: boolean) =>
    waitFor(`${kid} ${expected ? 'in' : 'out of'} the JWKS`, async () => ((await fetchJwks(issuer)).kids.has(kid) === expected ? true : undefined));

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lk-keys-'));
    mkdirSync(path.join(root, 'config'));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    env = { LATCHKEY_CONFIG_DIR: path.join(root, 'config'), LATCHKEY_DATA_DIR: path.join(root, 'data'), PORT: String(port), ISSUER: issuer };
    server = spawnServer(env);
    await waitForHttp(`${issuer}/readyz`, server);
  });

  afterAll(async () => {
    await stop(server);
    rmSync(root, { recursive: true, force: true });
  });

  it('has help, and lists the signing and cookie keys', async () => {
    expect((await runCli(['--help'], {})).stdout).toContain('keys         list, rotate and revoke');
    const help = await runCli(['keys', '--help'], {});
    expect(help.stdout).toContain('rotate [--alg ALG] [--immediately]');
    expect(help.stdout).toContain('revoke KID [--yes]');

    const keys = await listKeys();
    expect(keys.map((key) => [key.alg, key.state])).toEqual([['RS256', 'active'], ['ES256', 'active'], ['cookie', 'active']]);
    const table = await runCli(['keys', 'list'], env);
    expect(table.stdout).toMatch(/^KID\s+ALG\s+STATE\s+CREATED\s+ACTIVE FROM\s+RETIRED FROM\s+REMOVED$/m);
    // With no key-encryption key configured on the embedded database, the server generated one, and said so loudly.
    expect(server.output()).toContain('NO KEY-ENCRYPTION KEY IS CONFIGURED');
  });

  it('rotate publishes a new key at once that signs later; a second rotate says one is under way', async () => {
    const current = await activeKid('RS256');
    const rotated = await runCli(['keys', 'rotate', '--alg', 'RS256'], env);
    expect(rotated.code).toBe(0);
    const [, kid] = /RS256: new key (\S+) is published now and signs from /.exec(rotated.stdout) ?? [];
    if (!kid) throw new Error(`unexpected output: ${rotated.stdout}`);
    await published(kid, true);
    expect(await listKeys()).toEqual(expect.arrayContaining([
      expect.objectContaining({ kid: current, state: 'active' }),
      expect.objectContaining({ kid, state: 'published' }),
    ]));

    const again = await runCli(['keys', 'rotate', '--alg', 'rs256'], env);
    expect(again.stdout).toContain(`RS256: a rotation is already under way: ${kid} signs from`);
  });

  it('rotate --immediately switches now and keeps the old key published', async () => {
    const old = await activeKid('ES256');
    const rotated = await runCli(['keys', 'rotate', '--immediately', '--alg', 'ES256'], env);
    expect(rotated.code).toBe(0);
    const [, kid, retiring] = /ES256: new key (\S+) signs from \S+, in a few seconds, once every instance has it\. (\S+) stays published until /.exec(rotated.stdout) ?? [];
    if (!kid) throw new Error(`unexpected output: ${rotated.stdout}`);
    expect(retiring).toBe(old);
    await published(kid, true);
    await waitFor('the new ES256 key to sign', async () => ((await activeKid('ES256')) === kid ? true : undefined));
    expect((await fetchJwks(issuer)).kids.has(old)).toBe(true);
  });

  it('revoke explains what breaks, and does nothing without a yes', async () => {
    const kid = (await listKeys()).find((key) => key.alg === 'ES256' && key.state === 'retired')!.kid;

    const refused = await runCli(['keys', 'revoke', kid], env);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toContain(`Revoking ${kid} (ES256, retired) removes it from the JWKS and destroys its private key at once`);
    expect(refused.stdout).toContain('Every ID token and access token it signed stops verifying');
    expect(refused.stderr).toContain(`Nothing was revoked. Add --yes to revoke ${kid} without being asked.`);

    const declined = await runCliOnTerminal(['keys', 'revoke', kid], env, 'no');
    expect(declined.stdout).toContain(`Type yes to revoke ${kid}:`);
    expect(declined.stdout).toContain('Nothing was revoked.');
    expect((await fetchJwks(issuer)).kids.has(kid)).toBe(true);

    const confirmed = await runCliOnTerminal(['keys', 'revoke', kid], env, 'yes');
    expect(confirmed.stdout).toContain(`Revoked ${kid}.`);
    await published(kid, false);
    expect(await listKeys('--all')).toEqual(expect.arrayContaining([expect.objectContaining({ kid, state: 'revoked' })]));
    // In the audit trail, with who did it.
    const audit = await runCli(['audit', 'search', '--event', 'key.rotated', '--json'], env);
    const details = audit.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { details: Record<string, string> }).details);
    expect(details).toContainEqual(expect.objectContaining({ kid, alg: 'ES256', state: 'revoked', actor: expect.stringMatching(/^latchkey keys/) }));
  });

  it('revoke --yes of the signing key makes another key sign at once', async () => {
    const kid = await activeKid('RS256');
    const revoked = await runCli(['keys', 'revoke', kid, '--yes'], env);
    expect(revoked.code).toBe(0);
    const [, replacement] = /Revoked \S+\. (\S+) signs from now on\./.exec(revoked.stdout) ?? [];
    if (!replacement) throw new Error(`unexpected output: ${revoked.stdout}`);
    await published(kid, false);
    expect(await activeKid('RS256')).toBe(replacement);
    expect((await fetchJwks(issuer)).kids.has(replacement)).toBe(true);
  });

  it('refuses unknown keys and algorithms, and the server never restarted', async () => {
    const unknown = await runCli(['keys', 'revoke', 'no-such-kid', '--yes'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no key no-such-kid');
    // A kid is base64url: one starting with "-" is a kid, not an option.
    const dashed = await runCli(['keys', 'revoke', '-no-such-kid', '--yes'], env);
    expect(dashed.stderr).toContain('There is no key -no-such-kid');
    const badAlg = await runCli(['keys', 'rotate', '--alg', 'HS256'], env);
    expect(badAlg.code).toBe(2);
    expect(badAlg.stderr).toContain('--alg must be one of RS256, ES256, cookie');
    expect(server.exitCode).toBeNull();
    expect(await (await fetch(`${issuer}/readyz`)).json()).toMatchObject({ status: 'ready', checks: { keys: 'ok' } });
  });
});
