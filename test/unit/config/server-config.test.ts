import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { linesOf, makeConfigDir } from './fixtures/config-dir.ts';

const FILE = 'config/latchkey.yaml';

function loadServer(text: string, env: NodeJS.ProcessEnv = {}) {
  const { cwd } = makeConfigDir({ 'latchkey.yaml': text });
  return () => loadConfig({ cwd, env });
}

describe('latchkey.yaml', () => {
  it('maps snake_case keys onto the config and parses durations', () => {
    const config = loadServer(`
issuer: https://id.example.com/auth/
proxy: true
log_level: warn
database: { url: "postgresql://u:p%231@db/latchkey", pool_max: 4 }
ttl: { access_token: 5m, id_token: 7200, refresh_token: 30d, session: 12h }
cookies: { secrets: ["${'k'.repeat(32)}"] }
ui: { product_name: Acme, logo_uri: /logo.svg, primary_color: "#fff", terms_uri: "http://localhost:8080/terms" }
passwords: { min_length: 12, argon2: { memory_cost: 65536, time_cost: 3, parallelism: 4 } }
signing: { algorithms: [ES256, RS256, EdDSA] }
throttling: { per_account_and_ip: 3, per_account: 10, per_ip: 50, base_delay: 1s, max_delay: 1m, reset_after: 1h }
audit: { retention: 90d }
`)();
    expect(config).toMatchObject({
      issuer: 'https://id.example.com/auth',
      proxy: true,
      logLevel: 'warn',
      database: { url: 'postgresql://u:p%231@db/latchkey', poolMax: 4 },
      ttl: { accessToken: 300, idToken: 7200, refreshToken: 2_592_000, session: 43_200, authorizationCode: 60 },
      cookies: { secrets: ['k'.repeat(32)] },
      ui: { productName: 'Acme', logoUri: '/logo.svg', primaryColor: '#fff', termsUri: 'http://localhost:8080/terms' },
      passwords: { minLength: 12, argon2: { memoryCost: 65_536, timeCost: 3, parallelism: 4 } },
      signing: { algorithms: ['ES256', 'RS256', 'EdDSA'] },
      throttling: { perAccountAndIp: 3, perAccount: 10, perIp: 50, baseDelay: 1, maxDelay: 60, resetAfter: 3600 },
      audit: { retention: 7_776_000 },
    });
  });

  it('treats an empty section or an empty value as unset', () => {
    const config = loadServer('database:\nui:\n  logo_uri: ""\n  terms_uri:\n')();
    expect(config.database.poolMax).toBe(10);
    expect(config.ui.logoUri).toBeUndefined();
    expect(config.ui.termsUri).toBeUndefined();
  });

  it.each([
    ['an unknown key', 'prot: 80\n', 'prot: unknown key; remove it or fix its spelling'],
    ['an unknown nested key', 'database:\n  poolMax: 3\n', 'database.poolMax: unknown key; keys are snake_case (did you mean "pool_max"?)'],
    ['a wrong type', 'proxy: yes\n', 'proxy: must be true or false'],
    ['a list for a section', 'ui: [Acme]\n', 'ui: Invalid input: expected object, received array'],
    ['a port out of range', 'port: 70000\n', 'port: must be a whole number from 0 to 65535'],
    ['an issuer with a query', 'issuer: https://id.example.com/?tenant=1\n', 'issuer: must not have a query or fragment (OIDC Discovery §3)'],
    ['a relative issuer', 'issuer: id.example.com\n', 'issuer: must be an absolute URL like https://id.example.com'],
    ['a non-Postgres database URL', 'database:\n  url: mysql://db/latchkey\n', 'database.url: must be a connection URL like postgres://user:password@host:5432/latchkey'],
    ['a bad duration', 'ttl:\n  session: 2 weeks\n', 'ttl.session: invalid duration "2 weeks": write a whole number followed by s, m, h or d (30s, 10m, 24h, 14d), or a plain number of seconds'],
    ['a zero duration', 'ttl:\n  grant: 0d\n', 'ttl.grant: must be longer than zero'],
    ['a short metrics token', 'metrics:\n  token: abc\n', 'metrics.token: must be at least 16 characters; generate one with `openssl rand -base64 32`'],
    ['a metrics port out of range', 'metrics:\n  port: 99999\n', 'metrics.port: must be a whole number from 0 to 65535'],
    ['a non-boolean watch_clients', 'watch_clients: often\n', 'watch_clients: must be true or false'],
    ['a short cookie secret', 'cookies:\n  secrets: [tooshort]\n', 'cookies.secrets[0]: must be at least 32 characters; generate one with `openssl rand -base64 32`'],
    ['a bad colour', 'ui:\n  primary_color: indigo\n', 'ui.primary_color: must be a hex color like #4f46e5 or #fff'],
    ['weak argon2 memory', 'passwords:\n  argon2:\n    memory_cost: 4096\n', 'passwords.argon2.memory_cost: must be a whole number from 8192 to 4194304'],
    ['too much parallelism', 'passwords:\n  argon2:\n    parallelism: 64\n', 'passwords.argon2.parallelism: must be a whole number from 1 to 16'],
    ['no password hashing at all', 'passwords:\n  hashing:\n    concurrency: 0\n', 'passwords.hashing.concurrency: must be auto or a whole number from 1 to 1024'],
    ['a hashing queue that is not a number', 'passwords:\n  hashing:\n    queue: short\n', 'passwords.hashing.queue: must be auto or a whole number from 0 to 10000'],
    ['a zero hashing wait', 'passwords:\n  hashing:\n    max_wait: 0s\n', 'passwords.hashing.max_wait: must be longer than zero'],
    ['signing without RS256', 'signing:\n  algorithms: [ES256]\n', 'signing.algorithms: must include RS256 (required by OpenID Connect Core §15.1)'],
    ['an unknown algorithm', 'signing:\n  algorithms: [RS256, HS256]\n', 'signing.algorithms[1]: must be one of RS256, ES256, EdDSA'],
    ['a file that is a list', '- port: 1\n', 'Invalid input: expected object, received array'],
    ['a back-off that shrinks', 'throttling:\n  base_delay: 10m\n  max_delay: 1m\n', 'throttling.max_delay: must not be shorter than base_delay'],
    ['no free sign-in attempts', 'throttling:\n  per_account: 0\n', 'throttling.per_account: must be a whole number from 1 to 100000'],
  ])('reports %s', (_, text, expected) => {
    expect(linesOf(loadServer(text))).toEqual([`${FILE}: ${expected}`]);
  });

  it('reads the database timeouts, the worker count and the back-channel logout delivery settings', () => {
    const config = loadServer(`
database: { connect_timeout: 2s, statement_timeout: 1m }
cluster: { workers: 4 }
backchannel_logout: { poll_interval: 1s, request_timeout: 3s, retry_delay: 30s, max_attempts: 5, keep_records: 7d }
`)();
    expect(config.database).toMatchObject({ connectTimeout: 2, statementTimeout: 60 });
    expect(config.cluster).toEqual({ workers: 4 });
    expect(config.backchannelLogout).toEqual({ pollInterval: 1, requestTimeout: 3, retryDelay: 30, maxAttempts: 5, keepRecords: 604_800 });
  });

  it('reads the password hashing limits, and the threadpool size libuv will start with', () => {
    const config = loadServer('passwords:\n  hashing: { concurrency: 3, queue: 0, max_wait: 5s }\n', { UV_THREADPOOL_SIZE: '8' })();
    expect(config.passwords.hashing).toEqual({ concurrency: 3, queue: 0, maxWait: 5, threadpoolSize: 8 });
    expect(loadServer('passwords:\n  hashing: { concurrency: "${HASHES:-2}" }\n')().passwords.hashing).toMatchObject({ concurrency: 2, queue: 'auto' });
    // libuv's own reading: atoi, 0 means 1, at most 1024.
    const threadpool = (value: string | undefined) => loadServer('', value === undefined ? {} : { UV_THREADPOOL_SIZE: value })().passwords.hashing.threadpoolSize;
    expect([threadpool(undefined), threadpool('0'), threadpool('many'), threadpool('16x'), threadpool('5000')]).toEqual([4, 1, 1, 16, 1024]);
  });

  it('takes the worker count and the proxy setting from the environment', () => {
    expect(loadServer('cluster: { workers: 4 }\n', { LATCHKEY_WORKERS: '2' })().cluster.workers).toBe(2);
    expect(loadServer('', { LATCHKEY_WORKERS: 'AUTO' })().cluster.workers).toBe('auto');
    expect(loadServer('', { LATCHKEY_PROXY: 'true' })().proxy).toBe(true);
    expect(linesOf(loadServer('', { LATCHKEY_WORKERS: 'many' }))).toEqual(['environment: LATCHKEY_WORKERS: must be auto or a whole number from 1 to 256']);
    expect(linesOf(loadServer('cluster:\n  workers: 0\n'))).toEqual([`${FILE}: cluster.workers: must be auto or a whole number from 1 to 256`]);
  });

  it('names the line of a YAML syntax error', () => {
    expect(linesOf(loadServer('port: 3000\nui:\n  product_name: Acme\n primary_color: "#fff"\n'))).toEqual([
      `${FILE}: line 4, column 1: All mapping items must start at the same column`,
    ]);
    expect(linesOf(loadServer('port: 1\nport: 2\n'))).toEqual([`${FILE}: line 2, column 1: Map keys must be unique`]);
  });

  it('keeps a secret containing # or : whole when it comes from ${VAR}', () => {
    const secret = 'a#b:c d'.padEnd(40, '#');
    expect(loadServer('cookies:\n  secrets:\n    - ${COOKIE_SECRET}\n', { COOKIE_SECRET: secret })().cookies.secrets).toEqual([secret]);
  });

  it('lists several problems together, in file order', () => {
    const text = 'port: -1\nlogLevel: info\nttl:\n  access_token: forever\nui:\n  primary_color: red\n';
    expect(linesOf(loadServer(text))).toEqual([
      `${FILE}: port: must be a whole number from 0 to 65535`,
      `${FILE}: logLevel: unknown key; keys are snake_case (did you mean "log_level"?)`,
      `${FILE}: ttl.access_token: invalid duration "forever": write a whole number followed by s, m, h or d (30s, 10m, 24h, 14d), or a plain number of seconds`,
      `${FILE}: ui.primary_color: must be a hex color like #4f46e5 or #fff`,
    ]);
  });
});
