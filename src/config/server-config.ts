import path from 'node:path';
import type { ConfigProblem } from './config-error.ts';
import { interpolateEnv } from './env-interpolation.ts';
import { applyEnvOverrides } from './env-overrides.ts';
import { toProblems, withoutShadowed } from './problem-path.ts';
import { serverFileSchema, type ServerFile } from './server-schema.ts';
import type { LatchkeyConfig } from './types.ts';
import { fromZodIssues } from './zod-issues.ts';

/** Everything in LatchkeyConfig that comes from latchkey.yaml and the environment. */
export type ServerConfig = Omit<LatchkeyConfig, 'clients' | 'resources' | 'sources'>;

export interface ServerConfigContext {
  /** The file name used in messages. */
  displayName: string;
  /** Relative paths (data_dir) resolve against it. */
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Interpolates, applies environment overrides to and validates a parsed latchkey.yaml (null = empty file). */
export function checkServerConfig(
  document: unknown,
  context: ServerConfigContext,
): { config: ServerConfig | undefined; problems: ConfigProblem[] } {
  const interpolated = interpolateEnv(document, context.env);
  const overridden = applyEnvOverrides(interpolated.value ?? {}, context.env);
  const parsed = serverFileSchema.safeParse(overridden.document);
  const schemaIssues = parsed.success ? [] : withoutShadowed(fromZodIssues(parsed.error.issues), interpolated.issues);
  const problems = [
    ...toProblems(context.displayName, [...interpolated.issues, ...schemaIssues], interpolated.value),
    ...overridden.problems,
  ];
  if (!parsed.success || problems.length > 0) return { config: undefined, problems };
  return { config: buildServerConfig(parsed.data, context.cwd, context.env), problems };
}

/** Maps the snake_case file onto the camelCase config and fills the defaults that depend on other values. */
export function buildServerConfig(file: ServerFile, cwd: string, env: NodeJS.ProcessEnv): ServerConfig {
  const { database, ttl, ui, passwords, backchannel_logout: backchannelLogout } = file;
  return {
    issuer: file.issuer ?? `http://localhost:${file.port}`,
    port: file.port,
    host: file.host,
    proxy: file.proxy,
    logLevel: file.log_level,
    watchClients: file.watch_clients,
    database: {
      url: database.url,
      poolMax: database.pool_max,
      dataDir: path.resolve(cwd, database.data_dir ?? 'data'),
      connectTimeout: database.connect_timeout,
      statementTimeout: database.statement_timeout,
      preparedStatements: database.prepared_statements,
    },
    cluster: { workers: file.cluster.workers },
    backchannelLogout: {
      pollInterval: backchannelLogout.poll_interval,
      requestTimeout: backchannelLogout.request_timeout,
      retryDelay: backchannelLogout.retry_delay,
      maxAttempts: backchannelLogout.max_attempts,
      keepRecords: backchannelLogout.keep_records,
    },
    ttl: {
      accessToken: ttl.access_token,
      idToken: ttl.id_token,
      refreshToken: ttl.refresh_token,
      authorizationCode: ttl.authorization_code,
      session: ttl.session,
      interaction: ttl.interaction,
      grant: ttl.grant,
      clientCredentials: ttl.client_credentials,
    },
    cookies: { secrets: file.cookies.secrets },
    ui: {
      productName: ui.product_name,
      logoUri: ui.logo_uri,
      primaryColor: ui.primary_color,
      privacyPolicyUri: ui.privacy_policy_uri,
      termsUri: ui.terms_uri,
    },
    passwords: {
      minLength: passwords.min_length,
      argon2: {
        memoryCost: passwords.argon2.memory_cost,
        timeCost: passwords.argon2.time_cost,
        parallelism: passwords.argon2.parallelism,
      },
      hashing: {
        concurrency: passwords.hashing.concurrency,
        queue: passwords.hashing.queue,
        maxWait: passwords.hashing.max_wait,
        threadpoolSize: libuvThreadpoolSize(env['UV_THREADPOOL_SIZE']),
      },
    },
    signing: {
      algorithms: file.signing.algorithms,
      keyEncryptionKey: file.signing.key_encryption_key,
      previousKeyEncryptionKeys: file.signing.previous_key_encryption_keys,
      rotationInterval: file.signing.rotation_interval,
      publishLeadTime: file.signing.publish_lead_time,
      jwksMaxAge: file.signing.jwks_max_age,
    },
    metrics: { port: file.metrics.port, host: file.metrics.host ?? file.host, token: file.metrics.token },
    throttling: {
      perAccountAndIp: file.throttling.per_account_and_ip,
      perAccount: file.throttling.per_account,
      perIp: file.throttling.per_ip,
      baseDelay: file.throttling.base_delay,
      maxDelay: file.throttling.max_delay,
      resetAfter: file.throttling.reset_after,
    },
    audit: { retention: file.audit.retention },
  };
}

// As libuv reads UV_THREADPOOL_SIZE (init_threads in src/threadpool.c): atoi into an unsigned int, 0 becomes 1, at most
// 1024 (so a negative number is 1024).
const DEFAULT_THREADPOOL_SIZE = 4;
const MAX_THREADPOOL_SIZE = 1024;

/** The number of threads libuv starts for its threadpool, given the UV_THREADPOOL_SIZE the process was started with. */
function libuvThreadpoolSize(value: string | undefined): number {
  if (value === undefined) return DEFAULT_THREADPOOL_SIZE;
  const threads = Number.parseInt(value, 10);
  if (Number.isNaN(threads) || threads === 0) return 1;
  return threads < 0 ? MAX_THREADPOOL_SIZE : Math.min(MAX_THREADPOOL_SIZE, threads);
}
