import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import type { LatchkeyConfig } from './config/types.ts';
import { createDatabase } from './db/create-database.ts';
import { listPendingMigrations, migrateToLatest } from './db/migrate.ts';
import { createQueries } from './db/queries/index.ts';
import { startExpiredPayloadSweeper } from './db/sweep-expired-payloads.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { lowerThreadpoolPriority, THREADPOOL_NICE_OFFSET } from './accounts/threadpool-priority.ts';
import { createHashingGate } from './accounts/hashing-gate.ts';
import { decideHashingLimits } from './accounts/hashing-limits.ts';
import { createAccountService } from './accounts/account-service.ts';
import { resolveKeyEncryptionKeys } from './keys/key-encryption-key.ts';
import { deriveSecret } from './keys/key-encryption.ts';
import { buildKeyPolicies } from './keys/key-policy.ts';
import { createKeyManager } from './keys/key-manager.ts';
import { createViewRenderer } from './http/view-renderer.ts';
import { buildPostgresAdapterFactory } from './oidc/postgres-adapter.ts';
import { buildFindAccount } from './oidc/account-claims.ts';
import { buildLoadExistingGrant } from './oidc/remembered-grant.ts';
import { buildHostedPages } from './oidc/hosted-pages.ts';
import { createProviderRuntime } from './oidc/provider-runtime.ts';
import { observeProvider } from './oidc/provider-observer.ts';
import { createRegistryReloader, type ReloadOutcome } from './oidc/registry-reload.ts';
import { createClientRegistrySource } from './config/client-registry-source.ts';
import { createMetrics } from './metrics/metrics.ts';
import { registerScrapeGauges } from './metrics/scrape-gauges.ts';
import { observeQueries, readPoolStats } from './db/database-observer.ts';
import { startMetricsServer } from './http/metrics-server.ts';
import { metricsEndpoint } from './http/metrics-endpoint.ts';
import { observeRequests } from './http/request-observer.ts';
import { createCsrfTokens } from './interactions/csrf-token.ts';
import { buildLoginStep } from './interactions/login-step.ts';
import { buildConsentStep } from './interactions/consent-step.ts';
import { buildInteractionRoutes } from './interactions/interaction-routes.ts';
import { buildApp } from './app.ts';
import { createReadiness } from './http/readiness.ts';
import { buildAccountClient } from './oidc/first-party-clients.ts';
import { withFirstPartyConsent } from './oidc/first-party-consent.ts';
import { trackSessionActivity } from './oidc/session-activity.ts';
import { createSelfService } from './accounts/self-service.ts';
import { startSessionActivitySweeper } from './db/sweep-session-activity.ts';
import { buildAccountPage } from './account-page/build-account-page.ts';
import { createLogger, describeError, type Logger } from './logger.ts';
import { createSessionService, findLogoutReceivers } from './sessions/session-service.ts';
import { startLogoutDelivery } from './sessions/logout-delivery.ts';
import { logLogoutDelivery } from './sessions/logout-delivery-log.ts';
import { buildLogoutTokenSigner } from './oidc/backchannel-logout.ts';
import { createDatabaseAvailability } from './db/database-availability.ts';
import { answerDatabaseOutagesWith503 } from './oidc/database-outage.ts';
import { respondServiceUnavailable } from './http/service-unavailable.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { recordKeyRotation } from './audit/key-rotation.ts';
import { createSignInThrottle } from './accounts/sign-in-throttle.ts';
import { createSignIn } from './accounts/sign-in.ts';
import { attachAuditHooks } from './oidc/audit-hooks.ts';
import { startSecurityRowSweeper } from './db/sweep-security-rows.ts';

const SWEEP_INTERVAL_MS = 5 * 60_000;
const DRAIN_TIMEOUT_MS = 10_000;
const DATABASE_PROBE_INTERVAL_MS = 1_000;

/** A running Latchkey server. */
export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:3000 (the issuer may be a public URL in front of it). */
  url: string;
  /** Where the separate metrics listener is (metrics.port), if there is one. */
  metricsUrl: string | undefined;
  /** Re-reads clients.yaml and swaps it in when valid (what SIGHUP does); `trigger` is logged. */
  reloadClients(trigger: string): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

export interface StartServerOptions {
  /** The environment that `${NAME}` in clients.yaml is read from on reload; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** A private directory where a start keeps what speeds up the next one (config/start-cache-dir.ts); default none. */
  cacheDir?: string | undefined;
  /** Server processes on this machine sharing its cores (cluster workers), for `auto` hashing concurrency; default 1. */
  processes?: number;
  /**
   * Run libuv's threadpool (password hashing) below the event loop's priority (accounts/threadpool-priority.ts);
   * default true. It changes the whole process, so a process that hosts more than this server (a test runner) says false.
   */
  lowerThreadpoolPriority?: boolean;
}

/** Opens the database, applies migrations, builds the provider and the app, and listens. */
export async function startServer(
  config: LatchkeyConfig,
  logger: Logger = createLogger(config.logLevel),
  options: StartServerOptions = {},
): Promise<RunningServer> {
  // Before the database opens, so a Postgres deployment without a key-encryption key stops with that message alone.
  const keks = resolveKeyEncryptionKeys(config, logger.warn);
  const database = await createDatabase(config.database, 'server');
  const metrics = createMetrics();
  const stopObservingQueries = observeQueries(database.knex, (seconds, failed) =>
    metrics.dbQueryDuration.observe({ outcome: failed ? 'error' : 'ok' }, seconds),
  );
  const cleanups: (() => Promise<void> | void)[] = [stopObservingQueries];
  try {
    const applied = await migrateToLatest(database.knex);
    if (applied.length > 0) logger.info('applied database migrations', { migrations: applied });
    const queries = createQueries(database.knex);

    // Retention follows the registry in use, which clients.yaml reloads replace; the runtime holds it once built.
    let registryInUse = (): Pick<LatchkeyConfig, 'clients' | 'resources'> => config;
    const audit = createAuditLog(queries.auditEvents, (error) => logger.error('audit event not recorded', describeError(error)));
    const keys = await createKeyManager({
      queries,
      policies: buildKeyPolicies(config, () => registryInUse()),
      keks,
      logger,
      configuredCookieSecrets: config.cookies.secrets,
      recordKeyEvents: async (events) => {
        for (const event of events) await recordKeyRotation(audit, { ...event, alg: event.group, actor: 'rotation schedule' });
      },
    });
    const availability = createDatabaseAvailability({
      probe: database.probe,
      retryIntervalMs: DATABASE_PROBE_INTERVAL_MS,
      onDown: (error) => logger.warn('database unavailable: answering 503 until it is back', describeError(error)),
      onUp: () => logger.info('database is back: serving requests again'),
    });
    cleanups.push(() => availability.stop());
    // The clients owed logout tokens follow clients.yaml reloads.
    const sessions = createSessionService(queries, () => findLogoutReceivers(runtime.inputs.registry.clients));
    // A burst of sign-ins is told "busy, try again" instead of taking every core from every other request.
    const hashing = createHashingGate(decideHashingLimits(config.passwords.hashing, { cores: availableParallelism(), processes: options.processes ?? 1 }));
    const { threadpoolSize } = config.passwords.hashing;
    if (hashing.limits.concurrency > threadpoolSize) {
      logger.warn('passwords.hashing.concurrency is more than the libuv threadpool runs: the extra hashes queue there, ahead of file and DNS work; raise UV_THREADPOOL_SIZE', {
        concurrency: hashing.limits.concurrency,
        threadpool_size: threadpoolSize,
      });
    }
    const hasher = createPasswordHasher(config.passwords.argon2, hashing);
    // Hashing yields to the event loop when the CPU is short; a failed dummy hash shows itself at the first sign-in.
    const threadpoolLowered = options.lowerThreadpoolPriority === false ? Promise.resolve(0) : hasher.ready.then(() => lowerThreadpoolPriority(), () => 0);
    const accounts = createAccountService(queries, hasher, { minPasswordLength: config.passwords.minLength }, sessions);
    // The delivery loop starts once the provider exists; until then there is nothing to wake.
    const logoutsRecorded = { wakeDelivery: (): void => undefined };
    // Shared by every instance and untouched by key rotations, unlike the cookie keys it was once derived from.
    const accountClientSeed = deriveSecret(keks.current, 'account client');
    const signIn = createSignIn({ accounts, throttle: createSignInThrottle(queries.signInThrottles, config.throttling), audit, hashing });
    const views = await createViewRenderer(config.ui, { cacheDir: options.cacheDir });
    const runtime = createProviderRuntime({
      config,
      adapter: buildPostgresAdapterFactory(queries.oidcPayloads, queries.oidcPayloadWrites),
      findAccount: buildFindAccount(accounts),
      loadExistingGrant: withFirstPartyConsent(buildLoadExistingGrant(queries.oidcPayloads)),
      pages: buildHostedPages(views),
      firstPartyClients: [buildAccountClient(config.issuer, accountClientSeed)],
      middleware: [trackSessionActivity(queries.sessionActivity, (error) => logger.warn('recording session activity failed', describeError(error)))],
      recordBackchannelLogout: async (logout) => {
        await queries.backchannelLogouts.insertBackchannelLogouts([logout], new Date());
        logoutsRecorded.wakeDelivery();
      },
      initial: {
        registry: { clients: config.clients, resources: config.resources },
        signingKeys: keys.current.signingKeys,
        cookieSecrets: keys.current.cookieSecrets,
      },
      prepare: (provider) => {
        observeProvider(provider, { logger, metrics });
        attachAuditHooks(provider, audit);
        provider.on('backchannel.error', (_ctx, error) => logger.error('could not record a back-channel logout', describeError(error)));
        answerDatabaseOutagesWith503(provider, availability.report, (ctx) => respondServiceUnavailable(ctx, views));
      },
    });
    const { providers } = runtime;
    registryInUse = () => runtime.inputs.registry;
    registerScrapeGauges(
      metrics.registry,
      {
        countActiveSessions: () => queries.stats.countActiveSessions(new Date()),
        listSigningKeyCreationTimes: () => queries.stats.listNewestSigningKeyTimes(),
        readPoolStats: () => readPoolStats(database.knex),
        readHashingLoad: () => ({ ...hashing.load(), concurrency: hashing.limits.concurrency, queue: hashing.limits.queue }),
      },
      { onError: (what, error) => logger.warn(`metrics: reading ${what} failed`, describeError(error)) },
    );

    const csrf = createCsrfTokens(() => keys.current.cookieSecrets);
    const interactionRoutes = buildInteractionRoutes({
      getProvider: () => providers.current,
      login: buildLoginStep({
        signIn,
        views,
        csrf,
        recordSignIn: (outcome) => metrics.signIns.inc({ outcome }),
        recordThrottled: () => metrics.throttledAttempts.inc({ scope: 'sign_in' }),
        recordBusy: () => metrics.hashingBusy.inc({ scope: 'sign_in' }),
      }),
      consent: buildConsentStep({ accounts, views, csrf, resources: () => runtime.inputs.registry.resources, audit }),
    });
    let selfUrl = '';
    const accountRoutes = buildAccountPage({
      config,
      views,
      accounts,
      selfService: createSelfService(queries, hasher, { minPasswordLength: config.passwords.minLength }),
      recordBusy: () => metrics.hashingBusy.inc({ scope: 'password_change' }),
      getProvider: () => providers.current,
      cookieSecrets: () => keys.current.cookieSecrets,
      clientSecretSeed: accountClientSeed,
      selfUrl: () => selfUrl,
    });
    const readiness = createReadiness();
    const app = buildApp({
      config,
      views,
      logger,
      metrics,
      interactionRoutes,
      accountRoutes,
      providers,
      readiness,
      databaseAvailability: availability,
      readinessChecks: {
        // Down until a probe succeeds: readiness and the 503s of requests change together.
        database: async () => (availability.down ? 'unavailable' : (await queries.ping(), 'ok')),
        migrations: async () => ((await listPendingMigrations(database.knex)).length === 0 ? 'ok' : 'pending migrations'),
        keys: async () => keys.health(),
      },
    });

    const registrySource = createClientRegistrySource(config, options.env);
    const reloader = createRegistryReloader({ load: registrySource.load, runtime, logger, metrics });
    if (config.watchClients) {
      const watcher = registrySource.watch(
        () => void reloader.reload('file change'),
        (error) => logger.warn('cannot watch clients.yaml for changes; reload it with SIGHUP', describeError(error)),
      );
      cleanups.push(() => watcher.close());
    }
    const metricsServer = config.metrics.port === undefined
      ? undefined
      : await startMetricsServer(
        [observeRequests({ logger, metrics }), metricsEndpoint(metrics.registry, config.metrics.token)],
        config.metrics.port,
        config.metrics.host,
      );
    if (metricsServer) cleanups.push(() => metricsServer.close());

    const handleRequest = app.callback();
    const server = createServer((req, res) => void handleRequest(req, res));
    // Known before listening: a server that answers is one whose start has finished (main.ts then handles SIGTERM).
    const hashingPriority = await describeThreadpoolPriority(threadpoolLowered);
    await listen(server, config.port, config.host);
    // A key change swaps in a rebuilt provider; requests in flight finish on the one they started with.
    keys.start((keySet) => runtime.rebuildProvider({ signingKeys: keySet.signingKeys, cookieSecrets: keySet.cookieSecrets }));
    const sweeper = startExpiredPayloadSweeper(queries.oidcPayloads, SWEEP_INTERVAL_MS, (error) =>
      logger.warn('expired row cleanup failed', describeError(error)),
    );
    const logoutDelivery = startLogoutDelivery({
      queries,
      sign: buildLogoutTokenSigner(() => providers.current),
      settings: config.backchannelLogout,
      events: logLogoutDelivery(logger, availability.report),
    });
    logoutsRecorded.wakeDelivery = logoutDelivery.wake;
    cleanups.push(() => logoutDelivery.stop());
    const securitySweeper = startSecurityRowSweeper(
      queries,
      { resetAfterSeconds: config.throttling.resetAfter, auditRetentionSeconds: config.audit.retention },
      SWEEP_INTERVAL_MS,
      (error) => logger.warn('throttling and audit cleanup failed', describeError(error)),
    );
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    logger.info('latchkey is listening', {
      url,
      issuer: config.issuer,
      database: database.kind,
      password_hashing: `${hashing.limits.concurrency} at once, ${hashing.limits.queue} waiting at most, ${hashingPriority}`,
      metrics: metricsServer ? `${metricsServer.url}/metrics` : config.metrics.token ? `${url}/metrics (bearer token)` : 'off',
    });
    const activitySweeper = startSessionActivitySweeper(queries.sessionActivity, SWEEP_INTERVAL_MS, (error) =>
      logger.warn('session activity cleanup failed', describeError(error)),
    );
    cleanups.push(() => activitySweeper.stop());
    selfUrl = loopbackUrl(address);

    return {
      url,
      metricsUrl: metricsServer?.url,
      reloadClients: (trigger) => reloader.reload(trigger),
      async close() {
        readiness.markDraining();
        sweeper.stop();
        await keys.stop();
        securitySweeper.stop();
        await drain(server);
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
        await database.close();
      },
    };
  } catch (error) {
    for (const cleanup of cleanups.splice(0).reverse()) await Promise.resolve(cleanup()).catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}

/** For the start line: the priority password hashing runs at, next to the event loop's. */
async function describeThreadpoolPriority(lowered: Promise<number>): Promise<string> {
  const threads = await lowered;
  return threads > 0 ? `threadpool at nice +${THREADPOOL_NICE_OFFSET}` : "threadpool at the event loop's priority";
}

/** Where this process can reach itself: the bound address, or loopback when it listens on every interface. */
function loopbackUrl(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return `http://127.0.0.1:${address.port}`;
  if (address.address === '::') return `http://[::1]:${address.port}`;
  return `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Stops accepting connections, lets requests in flight finish, and cuts idle keep-alive connections. */
function drain(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), DRAIN_TIMEOUT_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
