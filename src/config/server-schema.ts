// The shape of latchkey.yaml (snake_case), with its defaults. Mapped to the camelCase LatchkeyConfig by server-config.ts.
import { z } from 'zod';
import { durationSchema } from './duration.ts';
import { autoOrInteger, boolean, checkedString, integer, nonEmptyString, section, unset } from './fields.ts';
import { checkWebUrl } from './uri-rules.ts';
import { signingSection } from './signing-schema.ts';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export { SIGNING_ALGORITHMS } from './signing-schema.ts';

/** Absolute http(s) URL without query or fragment; the trailing slash is removed (OIDC Discovery §4.1 appends paths). */
export const issuerField = checkedString((raw) => {
  if (!URL.canParse(raw)) return 'must be an absolute URL like https://id.example.com';
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must use https (or http for local development)';
  if (url.search !== '' || url.hash !== '' || /[?#]/.test(raw)) return 'must not have a query or fragment (OIDC Discovery §3)';
  if (url.username !== '' || url.password !== '') return 'must not contain a user name or password';
  return undefined;
}).transform((raw) => new URL(raw).href.replace(/\/+$/, ''));

export const portField = integer(0, 65_535).meta({ description: '0 picks a free port (tests).' });
export const hostField = nonEmptyString;
export const logLevelField = z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` });
export const poolMaxField = integer(1, 1_000);
export const dataDirField = nonEmptyString;
export const metricsTokenField = z.string({ error: 'must be a string' }).min(16, {
  error: 'must be at least 16 characters; generate one with `openssl rand -base64 32`',
});
/** `auto` (one per CPU core on a Postgres server) or a number of worker processes. */
const WORKERS_ERROR = 'must be auto or a whole number from 1 to 256';
export const workersField = z
  .preprocess(
    (value: unknown): unknown => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value),
    z.union([z.literal('auto'), z.int({ error: WORKERS_ERROR }).min(1, { error: WORKERS_ERROR }).max(256, { error: WORKERS_ERROR })], {
      error: WORKERS_ERROR,
    }),
  )
  .meta({ description: 'auto = one per CPU core on a Postgres server; the embedded database always runs one.' });
export const proxyField = boolean;

export const databaseUrlField = checkedString((raw) => {
  const scheme = URL.canParse(raw) ? new URL(raw).protocol : '';
  if (scheme === 'postgres:' || scheme === 'postgresql:') return undefined;
  return 'must be a connection URL like postgres://user:password@host:5432/latchkey';
});

const cookieSecret = z.string({ error: 'must be a string' }).min(32, {
  error: 'must be at least 32 characters; generate one with `openssl rand -base64 32`',
});
export const cookieSecretsField = z
  .array(cookieSecret, { error: 'must be a list of secrets' })
  .min(1, { error: 'must list at least one secret, or be removed to let Latchkey generate one' });

const colorField = z.string({ error: 'must be a string' }).regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, {
  error: 'must be a hex color like #4f46e5 or #fff',
});

/** A user-facing link, or a path on this server (e.g. a logo under public/). */
const webUrlOrPath = checkedString((raw) => (raw.startsWith('/') && !raw.startsWith('//') ? undefined : checkWebUrl(raw)));

/** Sign-in throttling: free attempts per counter, then exponential back-off (never a permanent lock). */
const throttlingSection = section({
  per_account_and_ip: integer(1, 1_000).prefault(5).meta({ description: 'Failed sign-ins per email from one client address.' }),
  per_account: integer(1, 100_000).prefault(20).meta({ description: 'Failed sign-ins per email from any address.' }),
  per_ip: integer(1, 1_000_000).prefault(100).meta({ description: 'Failed sign-ins from one client address, any email.' }),
  base_delay: durationSchema.prefault('30s'),
  max_delay: durationSchema.prefault('15m'),
  reset_after: durationSchema.prefault('12h'),
}).check((ctx) => {
  if (ctx.value.max_delay < ctx.value.base_delay) {
    ctx.issues.push({ code: 'custom', input: ctx.value.max_delay, path: ['max_delay'], message: 'must not be shorter than base_delay' });
  }
});

export const serverFileSchema = z.strictObject({
  issuer: unset(issuerField),
  port: portField.prefault(3000),
  host: hostField.default('127.0.0.1'),
  proxy: proxyField.prefault(false),
  log_level: logLevelField.default('info'),
  watch_clients: boolean.prefault(true).meta({ description: 'Reload clients.yaml when it changes (SIGHUP always reloads it).' }),
  database: section({
    url: unset(databaseUrlField),
    pool_max: poolMaxField.prefault(10),
    data_dir: unset(dataDirField),
    connect_timeout: durationSchema.prefault('5s').meta({ description: 'Longest wait for a connection to a Postgres server; then the request fails with 503.' }),
    statement_timeout: durationSchema.prefault('10s').meta({ description: 'Longest a single SQL statement may run.' }),
    prepared_statements: boolean.prefault(true).meta({
      description:
        'Let a Postgres server plan the frequent statements once per connection. Turn off behind a pooler in transaction mode that cannot keep prepared statements (PgBouncer before 1.21).',
    }),
  }),
  cluster: section({
    workers: workersField.default('auto'),
  }),
  backchannel_logout: section({
    poll_interval: durationSchema.prefault('2s').meta({ description: 'How often each instance looks for logout tokens to send.' }),
    request_timeout: durationSchema.prefault('5s'),
    retry_delay: durationSchema.prefault('10s').meta({ description: 'Wait before the first retry; doubles with each attempt, up to 1h.' }),
    max_attempts: integer(1, 100).prefault(10),
    keep_records: durationSchema.prefault('30d').meta({ description: 'How long the record of each delivery is kept.' }),
  }),
  ttl: section({
    access_token: durationSchema.prefault('10m'),
    id_token: durationSchema.prefault('1h'),
    refresh_token: durationSchema.prefault('14d'),
    authorization_code: durationSchema.prefault('60s'),
    session: durationSchema.prefault('14d'),
    interaction: durationSchema.prefault('1h'),
    grant: durationSchema.prefault('365d'),
    client_credentials: durationSchema.prefault('10m'),
  }),
  cookies: section({ secrets: unset(cookieSecretsField) }),
  ui: section({
    product_name: nonEmptyString.default('Latchkey'),
    logo_uri: unset(webUrlOrPath),
    primary_color: colorField.default('#4f46e5'),
    privacy_policy_uri: unset(checkedString(checkWebUrl)),
    terms_uri: unset(checkedString(checkWebUrl)),
  }),
  passwords: section({
    min_length: integer(8, 128).prefault(8),
    argon2: section({
      memory_cost: integer(8_192, 4_194_304).prefault(19_456).meta({ description: 'KiB; OWASP minimum is 19456 with time_cost 2.' }),
      time_cost: integer(1, 100).prefault(2),
      parallelism: integer(1, 16).prefault(1),
    }),
    hashing: section({
      concurrency: autoOrInteger(1, 1_024).default('auto').meta({
        description: 'Password hashes running at once in each process; auto = the CPU cores but one (shared among worker processes, at least 1 each), at most the libuv threadpool size (UV_THREADPOOL_SIZE, 4).',
      }),
      queue: autoOrInteger(0, 10_000).default('auto').meta({
        description: 'Password hashes that may wait for a free slot; beyond them sign-ins are answered 503 "busy, try again". auto = twice concurrency.',
      }),
      max_wait: durationSchema.prefault('2s').meta({ description: 'Longest a sign-in waits in that queue before it is answered busy.' }),
    }),
  }),
  signing: signingSection,
  metrics: section({
    port: unset(portField).meta({ description: 'Serve /metrics only on this port; unset = on the main port, with the token.' }),
    host: unset(hostField).meta({ description: 'Listen address of the metrics port; default: host.' }),
    token: unset(metricsTokenField).meta({ description: 'Bearer token scrapers must send; required on the main port.' }),
  }),
  throttling: throttlingSection,
  audit: section({
    retention: durationSchema.prefault('365d').meta({ description: 'Audit events older than this are deleted.' }),
  }),
});

export type ServerFile = z.output<typeof serverFileSchema>;
