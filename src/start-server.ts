import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LatchkeyConfig } from './config/types.ts';
import { createDatabase } from './db/create-database.ts';
import { listPendingMigrations, migrateToLatest } from './db/migrate.ts';
import { createQueries } from './db/queries/index.ts';
import { startExpiredPayloadSweeper } from './db/sweep-expired-payloads.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { createAccountService } from './accounts/account-service.ts';
import { ensureSigningKeys } from './keys/ensure-signing-keys.ts';
import { ensureCookieSecrets } from './keys/ensure-cookie-secrets.ts';
import { createViewRenderer } from './http/view-renderer.ts';
import { buildPostgresAdapterFactory } from './oidc/postgres-adapter.ts';
import { buildFindAccount } from './oidc/account-claims.ts';
import { buildLoadExistingGrant } from './oidc/remembered-grant.ts';
import { buildHostedPages } from './oidc/hosted-pages.ts';
import { createProvider } from './oidc/create-provider.ts';
import { createProviderHolder } from './oidc/provider-holder.ts';
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

const SWEEP_INTERVAL_MS = 5 * 60_000;
const DRAIN_TIMEOUT_MS = 10_000;

/** A running Latchkey server. */
export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:3000 (the issuer may be a public URL in front of it). */
  url: string;
  close(): Promise<void>;
}

/** Opens the database, applies migrations, builds the provider and the app, and listens. */
export async function startServer(config: LatchkeyConfig, logger: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const database = await createDatabase(config.database, 'server');
  try {
    const applied = await migrateToLatest(database.knex);
    if (applied.length > 0) logger.info('applied database migrations', { migrations: applied });
    const queries = createQueries(database.knex);

    const [signingKeys, storedCookieSecrets] = await Promise.all([
      ensureSigningKeys(queries, config.signing.algorithms),
      config.cookies.secrets ? Promise.resolve(undefined) : ensureCookieSecrets(queries),
    ]);
    const cookieSecrets = config.cookies.secrets ?? storedCookieSecrets ?? [];
    const hasher = createPasswordHasher(config.passwords.argon2);
    const accounts = createAccountService(queries, hasher, { minPasswordLength: config.passwords.minLength });
    const views = createViewRenderer(config.ui);
    const provider = createProvider({
      config,
      adapter: buildPostgresAdapterFactory(queries.oidcPayloads),
      findAccount: buildFindAccount(accounts),
      loadExistingGrant: withFirstPartyConsent(buildLoadExistingGrant(queries.oidcPayloads)),
      signingKeys,
      cookieSecrets,
      pages: buildHostedPages(views),
      firstPartyClients: [buildAccountClient(config.issuer, cookieSecrets[0] ?? '')],
      middleware: [trackSessionActivity(queries.sessionActivity, (error) => logger.warn('recording session activity failed', describeError(error)))],
    });
    provider.on('server_error', (_ctx, error) => logger.error('oidc-provider server error', describeError(error)));
    const providers = createProviderHolder(provider);

    const csrf = createCsrfTokens(cookieSecrets[0] ?? '');
    const interactionRoutes = buildInteractionRoutes({
      getProvider: () => providers.current,
      login: buildLoginStep({ accounts, views, csrf }),
      consent: buildConsentStep({ accounts, views, csrf, resources: config.resources }),
    });
    let selfUrl = '';
    const accountRoutes = buildAccountPage({
      config,
      views,
      accounts,
      selfService: createSelfService(queries, hasher, { minPasswordLength: config.passwords.minLength }),
      getProvider: () => providers.current,
      cookieSecrets,
      selfUrl: () => selfUrl,
    });
    const readiness = createReadiness();
    const app = buildApp({
      config,
      views,
      logger,
      interactionRoutes,
      accountRoutes,
      providers,
      readiness,
      readinessChecks: {
        database: async () => (await queries.ping(), 'ok'),
        migrations: async () => ((await listPendingMigrations(database.knex)).length === 0 ? 'ok' : 'pending migrations'),
        keys: async () => (signingKeys.length > 0 ? 'ok' : 'no signing keys'),
      },
    });

    const handleRequest = app.callback();
    const server = createServer((req, res) => void handleRequest(req, res));
    await listen(server, config.port, config.host);
    const sweeper = startExpiredPayloadSweeper(queries.oidcPayloads, SWEEP_INTERVAL_MS, (error) =>
      logger.warn('expired row cleanup failed', describeError(error)),
    );
    const activitySweeper = startSessionActivitySweeper(queries.sessionActivity, SWEEP_INTERVAL_MS, (error) =>
      logger.warn('session activity cleanup failed', describeError(error)),
    );
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    selfUrl = loopbackUrl(address);
    logger.info('latchkey is listening', { url, issuer: config.issuer, database: database.kind });

    return {
      url,
      async close() {
        readiness.markDraining();
        sweeper.stop();
        activitySweeper.stop();
        await drain(server);
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
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
