// `latchkey doctor` against real servers: a healthy one passes every check, a misconfigured one is named.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { apiResource, machineClient, spaClient } from '../support/fixtures.ts';
import { freePort, runCli } from '../support/child-process.ts';

/** The checklist lines, as [status, name] pairs. */
function checklist(stdout: string): [string, string][] {
  return stdout
    .split('\n')
    .map((line) => /^ {2}(ok|warn|FAIL|skip) +(.+?) {2}/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1] ?? '', match[2]?.trim() ?? '']);
}

describe.each(databaseTargets())('latchkey doctor against a healthy server ($name database)', (target) => {
  const server = useTestServer({
    target,
    clients: [spaClient, machineClient],
    resources: [apiResource],
    overrides: { metrics: { token: 'doctor-test-metrics-token' } },
  });
  const env = () => ({ LATCHKEY_CONFIG_DIR: server().configDir, LATCHKEY_DOCTOR_CLIENT_SECRET: machineClient.client_secret });

  it('passes every check, including a client_credentials round trip and the settings of its configuration', async () => {
    const result = await runCli(['doctor', server().issuer, '--client', machineClient.client_id], env());
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Every check passed.');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Latchkey doctor: ${server().issuer}`);
    expect(checklist(result.stdout)).toEqual([
      ['ok', 'discovery'],
      ['ok', 'jwks'],
      ['ok', 'key age'],
      ['ok', 'database'],
      ['ok', 'migrations'],
      ['ok', 'keys'],
      ['ok', 'clock'],
      ['ok', 'client credentials'],
      ['ok', 'https'],
      ['skip', 'hsts'],
      ['ok', 'cookies'],
      ['ok', 'database kind'],
      ['ok', 'key encryption'], // the test server configures signing.key_encryption_key
    ]);
    expect(result.stdout).toContain(`test-machine got a JWT access token for ${apiResource.identifier}, signed with RS256 and valid against the JWKS`);
    expect(result.stdout).toContain('Every check passed.');
    expect(result.stdout).not.toContain(machineClient.client_secret);
  });

  it('defaults to the issuer of the local configuration, and prints JSON on request', async () => {
    const result = await runCli(['doctor', '--json'], env());
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { issuer: string; results: { name: string; status: string }[] };
    expect(report.issuer).toBe(server().issuer);
    expect(report.results.filter((check) => check.status === 'fail')).toEqual([]);
  });

  it('fails the round trip with a wrong secret, naming the OAuth error, and refuses --client without a secret', async () => {
    const wrong = await runCli(['doctor', server().issuer, '--client', machineClient.client_id], {
      ...env(),
      LATCHKEY_DOCTOR_CLIENT_SECRET: 'not-the-secret-of-this-client-at-all',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/FAIL +client credentials +the token endpoint answered 401 invalid_client/);
    expect(wrong.stdout).toContain('→ check the client id, LATCHKEY_DOCTOR_CLIENT_SECRET');
    expect(wrong.stdout).toMatch(/\d+ checks? failed\./);

    const noSecret = await runCli(['doctor', server().issuer, '--client', machineClient.client_id], { LATCHKEY_CONFIG_DIR: server().configDir });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('LATCHKEY_DOCTOR_CLIENT_SECRET');
  });
});

describe.each(databaseTargets().slice(0, 1))('latchkey doctor against a misconfigured server ($name database)', (target) => {
  // It listens on 127.0.0.1 but claims a public http issuer: tokens would name an address nobody reaches, over http.
  const server = useTestServer({ target, clients: [spaClient], overrides: { issuer: 'http://idp.example.test' } });

  it('names the issuer mismatch and the plain-http public issuer, and exits 1', async () => {
    const result = await runCli(['doctor', server().running.url], { LATCHKEY_CONFIG_DIR: server().configDir });
    expect(result.code).toBe(1);
    const failed = checklist(result.stdout).filter(([status]) => status === 'FAIL').map(([, name]) => name);
    // Discovery names the issuer's own URLs (the server pins Host to the issuer), so its JWKS is out of reach too.
    expect(failed).toEqual(['discovery', 'jwks', 'https']);
    expect(result.stdout).toContain(`it names the issuer "http://idp.example.test", not ${server().running.url}`);
    expect(result.stdout).toContain('the issuer http://idp.example.test uses http on a host other people reach');
    expect(result.stdout).toContain('3 checks failed');
  });

  it('says when nothing answers', async () => {
    const result = await runCli(['doctor', `http://127.0.0.1:${await freePort()}`], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL +discovery +.*connection refused/);
  });
});
