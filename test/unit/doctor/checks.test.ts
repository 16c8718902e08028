// The doctor's judgements on what a server answered. Responses are built here as the server would send them.
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { evaluateClock } from '../../../src/doctor/clock-check.ts';
import { evaluateDiscovery } from '../../../src/doctor/discovery-check.ts';
import type { Probe } from '../../../src/doctor/http-probe.ts';
import { evaluateJwks } from '../../../src/doctor/jwks-check.ts';
import { evaluateKeyAges } from '../../../src/doctor/key-age-check.ts';
import { evaluateReadiness } from '../../../src/doctor/readiness-check.ts';
import { evaluateCookies, evaluateIssuerScheme } from '../../../src/doctor/transport-checks.ts';
import { evaluateConfiguration } from '../../../src/doctor/config-checks.ts';
import type { LatchkeyConfig } from '../../../src/config/types.ts';

const ISSUER = 'https://id.example.com';

function answer(status: number, body: unknown, headers: Record<string, string> | Headers = {}, times = { sentAt: 1_000_000, receivedAt: 1_000_100 }): Probe {
  return {
    ok: true,
    url: `${ISSUER}/x`,
    status,
    headers: headers instanceof Headers ? headers : new Headers(headers),
    text: typeof body === 'string' ? body : JSON.stringify(body),
    ...times,
  };
}

const discovery = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/auth`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  id_token_signing_alg_values_supported: ['RS256', 'ES256'],
};

async function publicJwk(alg: 'RS256' | 'ES256', kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { public: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }, private: { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' } };
}

describe('doctor checks', () => {
  it('discovery: passes a consistent document and names an issuer mismatch or an endpoint elsewhere', () => {
    expect(evaluateDiscovery(ISSUER, answer(200, discovery)).result.status).toBe('ok');
    const mismatch = evaluateDiscovery(ISSUER, answer(200, { ...discovery, issuer: 'http://internal:3000', token_endpoint: 'http://internal:3000/token' })).result;
    expect(mismatch.status).toBe('fail');
    expect(mismatch.summary).toContain('it names the issuer "http://internal:3000", not https://id.example.com');
    const noPkce = evaluateDiscovery(ISSUER, answer(200, { ...discovery, code_challenge_methods_supported: ['plain'] })).result;
    expect(noPkce.summary).toContain('code_challenge_methods_supported does not list S256');
    expect(evaluateDiscovery(ISSUER, { ok: false, url: `${ISSUER}/x`, error: 'connection refused' }).result.status).toBe('fail');
  });

  it('jwks: passes public keys for every advertised algorithm; names private parts, duplicate kids and a missing algorithm', async () => {
    const rsa = await publicJwk('RS256', 'rsa-1');
    const ec = await publicJwk('ES256', 'ec-1');
    expect((await evaluateJwks(answer(200, { keys: [rsa.public, ec.public] }), discovery)).result).toMatchObject({ status: 'ok' });
    const leaked = (await evaluateJwks(answer(200, { keys: [rsa.private, ec.public] }), discovery)).result;
    expect(leaked).toMatchObject({ status: 'fail' });
    expect(leaked.summary).toContain('key rsa-1 publishes private members (d, p, q, dp, dq, qi)');
    const duplicate = (await evaluateJwks(answer(200, { keys: [rsa.public, { ...ec.public, kid: 'rsa-1' }] }), discovery)).result;
    expect(duplicate.summary).toContain('kid rsa-1 is used by more than one key');
    const missing = (await evaluateJwks(answer(200, { keys: [rsa.public] }), discovery)).result;
    expect(missing.summary).toContain('discovery offers ES256 but no key has it');
    const { n: _modulus, ...withoutModulus } = rsa.public;
    const broken = (await evaluateJwks(answer(200, { keys: [withoutModulus] }), { ...discovery, id_token_signing_alg_values_supported: ['RS256'] })).result;
    expect(broken.summary).toContain('key rsa-1 does not parse');
  });

  it('readiness: one line per check, failing ones with a hint', () => {
    const results = evaluateReadiness(answer(503, { status: 'unavailable', checks: { database: 'connect ECONNREFUSED', migrations: 'ok', keys: 'ok' } }));
    expect(results.map((result) => [result.name, result.status])).toEqual([['database', 'fail'], ['migrations', 'ok'], ['keys', 'ok']]);
    expect(results[0]).toMatchObject({ summary: 'readyz: connect ECONNREFUSED', hint: expect.stringContaining('DATABASE_URL') });
    expect(evaluateReadiness(answer(503, { status: 'draining', checks: {} }))).toEqual([expect.objectContaining({ status: 'fail', summary: 'the instance is draining for shutdown' })]);
  });

  it('clock: passes within a few seconds, fails a skew that relying parties would reject', () => {
    const local = Date.UTC(2026, 0, 1, 12, 0, 0);
    const at = (offsetSeconds: number) => answer(200, '', { date: new Date(local + offsetSeconds * 1000).toUTCString() }, { sentAt: local, receivedAt: local + 40 });
    expect(evaluateClock(at(0)).status).toBe('ok');
    expect(evaluateClock(at(12)).status).toBe('warn');
    const behind = evaluateClock(at(-120));
    expect(behind).toMatchObject({ status: 'fail', summary: expect.stringContaining('behind') });
    expect(evaluateClock(answer(200, '', {})).status).toBe('skip');
  });

  it('http issuer: fine on localhost, a failure anywhere else', () => {
    expect(evaluateIssuerScheme('http://localhost:3000').status).toBe('ok');
    expect(evaluateIssuerScheme('https://id.example.com').status).toBe('ok');
    expect(evaluateIssuerScheme('http://id.example.com')).toMatchObject({ status: 'fail', hint: expect.stringContaining('https') });
  });

  it('cookies: an https issuer needs Secure on every sign-in cookie; a 500 there points at the proxy setting', () => {
    const headers = (...cookies: string[]) => {
      const result = new Headers();
      for (const cookie of cookies) result.append('set-cookie', cookie);
      return result;
    };
    const secure = answer(303, '', headers('_interaction=a; path=/interaction/x; secure; httponly; samesite=lax', '_interaction.sig=b; path=/interaction/x; secure; httponly; samesite=lax'));
    expect(evaluateCookies(ISSUER, secure).status).toBe('ok');
    const insecure = evaluateCookies(ISSUER, answer(303, '', headers('_interaction=a; path=/interaction/x; httponly', '_interaction.sig=b; path=/; secure; httponly')));
    expect(insecure).toMatchObject({ status: 'fail', summary: 'cookies without Secure on an https issuer: _interaction' });
    expect(evaluateCookies(ISSUER, answer(500, 'oops'))).toMatchObject({ status: 'fail', hint: expect.stringContaining('proxy: true') });
    expect(evaluateCookies('http://localhost:3000', answer(303, '', headers('_interaction=a; httponly'))).status).toBe('ok');
    expect(evaluateCookies(ISSUER, undefined).status).toBe('skip');
  });

  it('key age: read from the metrics, a warning past 180 days', () => {
    const metrics = (rs: number) => answer(200, `# TYPE latchkey_signing_key_age_seconds gauge\nlatchkey_signing_key_age_seconds{alg="RS256"} ${rs}\nlatchkey_signing_key_age_seconds{alg="ES256"} 100\n`);
    expect(evaluateKeyAges(metrics(86_400 * 3))).toMatchObject({ status: 'ok', summary: 'RS256 3 days, ES256 under a day' });
    expect(evaluateKeyAges(metrics(86_400 * 200)).status).toBe('warn');
    expect(evaluateKeyAges(undefined).status).toBe('skip');
  });

  it('configuration: the key-encryption key is checked only once the setting exists', () => {
    const base = { issuer: ISSUER, database: { url: 'postgres://db/latchkey', poolMax: 10, dataDir: '/data' }, signing: { algorithms: ['RS256'] } } as unknown as LatchkeyConfig;
    expect(evaluateConfiguration(base).map((result) => result.name)).toEqual(['database kind']);
    const withoutKek = { ...base, signing: { algorithms: ['RS256'], keyEncryptionKey: undefined } } as unknown as LatchkeyConfig;
    expect(evaluateConfiguration(withoutKek)).toContainEqual(expect.objectContaining({ name: 'key encryption', status: 'fail' }));
    const embedded = { ...base, database: { url: undefined, poolMax: 10, dataDir: '/data' } } as unknown as LatchkeyConfig;
    expect(evaluateConfiguration(embedded)).toContainEqual(expect.objectContaining({ name: 'database kind', status: 'warn' }));
  });
});
