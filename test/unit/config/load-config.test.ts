import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { linesOf, makeConfigDir } from './fixtures/config-dir.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');

/** Turns the commented-out settings and entries of a shipped example into live YAML. */
function uncommentExamples(text: string): string {
  return text.replace(/^(\s*)# ( *(?:- )?[a-z_]+:(?: .*)?| +- .*)$/gm, '$1$2');
}

describe('loadConfig', () => {
  it('uses every default when the config folder is empty', () => {
    const { cwd } = makeConfigDir();
    const config = loadConfig({ cwd, env: {} });
    expect(config).toEqual({
      issuer: 'http://localhost:3000',
      port: 3000,
      host: '127.0.0.1',
      proxy: false,
      logLevel: 'info',
      watchClients: true,
      database: { url: undefined, poolMax: 10, dataDir: path.join(cwd, 'data'), connectTimeout: 5, statementTimeout: 10, preparedStatements: true },
      cluster: { workers: 'auto' },
      backchannelLogout: { pollInterval: 2, requestTimeout: 5, retryDelay: 10, maxAttempts: 10, keepRecords: 2_592_000 },
      ttl: {
        accessToken: 600,
        idToken: 3600,
        refreshToken: 1_209_600,
        authorizationCode: 60,
        session: 1_209_600,
        interaction: 3600,
        grant: 31_536_000,
        clientCredentials: 600,
      },
      cookies: { secrets: undefined },
      ui: { productName: 'Latchkey', logoUri: undefined, primaryColor: '#4f46e5', privacyPolicyUri: undefined, termsUri: undefined },
      passwords: {
        minLength: 8,
        argon2: { memoryCost: 19_456, timeCost: 2, parallelism: 1 },
        hashing: { concurrency: 'auto', queue: 'auto', maxWait: 2, threadpoolSize: 4 },
      },
      signing: {
        algorithms: ['RS256', 'ES256'],
        keyEncryptionKey: undefined,
        previousKeyEncryptionKeys: [],
        rotationInterval: 7_776_000,
        publishLeadTime: 172_800,
        jwksMaxAge: 600,
      },
      metrics: { port: undefined, host: '127.0.0.1', token: undefined },
      throttling: { perAccountAndIp: 5, perAccount: 20, perIp: 100, baseDelay: 30, maxDelay: 900, resetAfter: 43_200 },
      audit: { retention: 31_536_000 },
      clients: [],
      resources: [],
      sources: {
        configDir: path.join(cwd, 'config'),
        serverFile: path.join(cwd, 'config', 'latchkey.yaml'),
        clientsFile: path.join(cwd, 'config', 'clients.yaml'),
      },
    });
  });

  it('loads the shipped example files with no environment, and they hold exactly the defaults', () => {
    const shipped = loadConfig({ cwd: REPO, env: {} });
    const { cwd } = makeConfigDir();
    const { clients, resources, sources, database, ...defaults } = loadConfig({ cwd, env: {} });
    expect(shipped).toMatchObject({ ...defaults, database: { ...database, dataDir: path.join(REPO, 'data') } });
    expect(shipped.clients.map((client) => client.client_id)).toEqual(['example-spa']);
    expect(shipped.clients[0]).toMatchObject({ token_endpoint_auth_method: 'none', response_types: ['code'] });
    expect(shipped.clients[0]).not.toHaveProperty('client_secret');
    expect(shipped.resources).toEqual([]);
  });

  it('accepts every commented-out example of the shipped files once uncommented', () => {
    const { cwd } = makeConfigDir({
      'latchkey.yaml': uncommentExamples(readFileSync(path.join(REPO, 'config/latchkey.yaml'), 'utf8')),
      'clients.yaml': uncommentExamples(readFileSync(path.join(REPO, 'config/clients.yaml'), 'utf8')),
    });
    const env = {
      COOKIE_SECRET: 'c'.repeat(32),
      BILLING_WEB_SECRET: 's'.repeat(44),
      LATCHKEY_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'),
      METRICS_TOKEN: 'm'.repeat(24),
      LATCHKEY_OLD_KEY_ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
    };
    const config = loadConfig({ cwd, env });
    expect(config.issuer).toBe('https://id.example.com');
    expect(config.metrics).toEqual({ port: 9464, host: '0.0.0.0', token: 'm'.repeat(24) });
    expect(config.cookies.secrets).toEqual(['c'.repeat(32)]);
    expect(config.signing.keyEncryptionKey).toBe(env.LATCHKEY_KEY_ENCRYPTION_KEY);
    expect(config.signing.previousKeyEncryptionKeys).toEqual([env.LATCHKEY_OLD_KEY_ENCRYPTION_KEY]);
    expect(config.clients.map((client) => client.client_id)).toEqual(['example-spa', 'billing-web', 'example-native']);
    expect(config.resources).toEqual([
      { identifier: 'https://api.example.com', name: 'Example API', scopes: ['billing:read', 'billing:write'], access_token_ttl: 300 },
    ]);
  });

  it('lets environment variables win over the file', () => {
    const { cwd } = makeConfigDir({ 'latchkey.yaml': 'port: 4000\nlog_level: warn\ndatabase:\n  pool_max: 3\n' });
    const env = {
      PORT: '5000',
      HOST: '0.0.0.0',
      ISSUER: 'https://id.example.com/',
      DATABASE_URL: 'postgres://u:p@db:5432/latchkey',
      DATABASE_POOL_MAX: '20',
      LATCHKEY_DATA_DIR: 'var/db',
      LATCHKEY_COOKIE_SECRETS: `${'a'.repeat(32)}, ${'b'.repeat(40)}`,
      LOG_LEVEL: 'debug',
      METRICS_PORT: '9100',
      METRICS_TOKEN: 't'.repeat(20),
    };
    const config = loadConfig({ cwd, env });
    expect(config).toMatchObject({
      port: 5000,
      host: '0.0.0.0',
      issuer: 'https://id.example.com',
      logLevel: 'debug',
      database: { url: 'postgres://u:p@db:5432/latchkey', poolMax: 20, dataDir: path.join(cwd, 'var/db') },
      cookies: { secrets: ['a'.repeat(32), 'b'.repeat(40)] },
      metrics: { port: 9100, host: '0.0.0.0', token: 't'.repeat(20) },
    });
  });

  it('ignores empty environment variables', () => {
    const { cwd } = makeConfigDir({ 'latchkey.yaml': 'port: 4000\n' });
    expect(loadConfig({ cwd, env: { PORT: '', LOG_LEVEL: '' } })).toMatchObject({ port: 4000, logLevel: 'info' });
  });

  it('derives the default issuer from the port', () => {
    const { cwd } = makeConfigDir();
    expect(loadConfig({ cwd, env: { PORT: '8443' } }).issuer).toBe('http://localhost:8443');
  });

  it('reports bad environment values against the variable', () => {
    const { cwd } = makeConfigDir();
    const env = { PORT: 'eighty', LATCHKEY_COOKIE_SECRETS: 'short', ISSUER: 'ftp://x' };
    expect(linesOf(() => loadConfig({ cwd, env }))).toEqual([
      'environment: PORT: must be a whole number from 0 to 65535',
      'environment: ISSUER: must use https (or http for local development)',
      'environment: LATCHKEY_COOKIE_SECRETS[0]: must be at least 32 characters; generate one with `openssl rand -base64 32`',
    ]);
  });

  it('interpolates ${NAME} and ${NAME:-default} in the files', () => {
    const { cwd } = makeConfigDir({
      'latchkey.yaml': 'port: ${APP_PORT:-3100}\nproxy: ${TRUST_PROXY}\nui:\n  product_name: "${BRAND} ID"\n',
    });
    expect(loadConfig({ cwd, env: { TRUST_PROXY: 'true', BRAND: 'Acme' } })).toMatchObject({
      port: 3100,
      proxy: true,
      ui: { productName: 'Acme ID' },
    });
  });

  it('reports a missing variable naming file, path and variable, once', () => {
    const { cwd } = makeConfigDir({ 'latchkey.yaml': 'cookies:\n  secrets:\n    - ${COOKIE_SECRET}\n' });
    expect(linesOf(() => loadConfig({ cwd, env: {} }))).toEqual([
      'config/latchkey.yaml: cookies.secrets[0]: environment variable COOKIE_SECRET is not set (or write ${COOKIE_SECRET:-default} to give a default)',
    ]);
  });

  it('reads the folder named by LATCHKEY_CONFIG_DIR, relative to cwd', () => {
    const { cwd } = makeConfigDir();
    const config = loadConfig({ cwd, env: { LATCHKEY_CONFIG_DIR: 'elsewhere' } });
    expect(config.sources.configDir).toBe(path.join(cwd, 'elsewhere'));
    expect(loadConfig({ cwd, configDir: '/opt/latchkey', env: {} }).sources.serverFile).toBe('/opt/latchkey/latchkey.yaml');
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ cwd: REPO, env: {} });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.ttl)).toBe(true);
    expect(Object.isFrozen(config.signing.algorithms)).toBe(true);
    expect(Object.isFrozen(config.clients[0]?.redirect_uris)).toBe(true);
    expect(() => {
      (config.ttl as { accessToken: number }).accessToken = 1;
    }).toThrow(TypeError);
  });

  it('reports the problems of both files together in one ConfigError', () => {
    const { cwd } = makeConfigDir({
      'latchkey.yaml': 'port: high\n',
      'clients.yaml': 'clients:\n  - client_id: a\n    token_endpoint_auth_method: none\n    redirect_uris: [https://a.example/cb]\n    scope: 7\n',
    });
    const lines = linesOf(() => loadConfig({ cwd, env: {} }));
    expect(lines).toEqual([
      'config/latchkey.yaml: port: must be a whole number from 0 to 65535',
      'config/clients.yaml: clients[0] (client_id "a").scope: must be a string',
    ]);
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/^Invalid configuration \(2 problems\):\n {2}- config\/latchkey.yaml: port: /);
  });
});
