import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LatchkeyConfig } from './config/types.ts';
import { createDatabase } from './db/create-database.ts';
import { listPendingMigrations, migrateToLatest } from './db/migrate.ts';
import { createQueries } from './db/queries/index.ts';
import { startExpiredPayloadSweeper } from './db/sweep-expired-payloads.ts';
import { createPasswordHasher } from './accounts/password-hasher.ts';
import { createAccountService } from './accounts/account-service.ts';
import { resolveKeyEncryptionKeys } from './keys/key-encryption-key.ts';
import { buildKeyPolicies } from './keys/key-policy.ts';
import { createKeyManager } from './keys/key-manager.ts';
import type { KeySet } from './keys/key-set.ts';
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
  // Before the database opens, so a Postgres deployment without a key-encryption key stops with that message alone.
  const keks = resolveKeyEncryptionKeys(config, logger.warn);
  const database = await createDatabase(config.database, 'server');
  try {
    const applied = await migrateToLatest(database.knex);
    if (applied.length > 0) logger.info('applied database migrations', { migrations: applied });
    const queries = createQueries(database.knex);

    const keys = await createKeyManager({
      queries,
      policies: buildKeyPolicies(config),
      keks,
      logger,
      configuredCookieSecrets: config.cookies.secrets,
    });
    const accounts = createAccountService(
      queries,
      createPasswordHasher(config.passwords.argon2),
      { minPasswordLength: config.passwords.minLength },
    );
    const views = createViewRenderer(config.ui);
    const providerDependencies = {
      config,
      adapter: buildPostgresAdapterFactory(queries.oidcPayloads),
      findAccount: buildFindAccount(accounts),
      loadExistingGrant: buildLoadExistingGrant(queries.oidcPayloads),
      pages: buildHostedPages(views),
    };
    const buildProvider = (keySet: KeySet) => {
      const provider = createProvider({ ...providerDependencies, signingKeys: keySet.signingKeys, cookieSecrets: keySet.cookieSecrets });
      provider.on('server_error', (_ctx, error) => logger.error('oidc-provider server error', describeError(error)));
      return provider;
    };
    const providers = createProviderHolder(buildProvider(keys.current));

    const csrf = createCsrfTokens(() => keys.current.cookieSecrets);
    const interactionRoutes = buildInteractionRoutes({
      getProvider: () => providers.current,
      login: buildLoginStep({ accounts, views, csrf }),
      consent: buildConsentStep({ accounts, views, csrf, resources: config.resources }),
    });
    const readiness = createReadiness();
    const app = buildApp({
      config,
      views,
      logger,
      interactionRoutes,
      providers,
      readiness,
      readinessChecks: {
        database: async () => (await queries.ping(), 'ok'),
        migrations: async () => ((await listPendingMigrations(database.knex)).length === 0 ? 'ok' : 'pending migrations'),
        keys: async () => keys.health(),
      },
    });

    const handleRequest = app.callback();
    const server = createServer((req, res) => void handleRequest(req, res));
    await listen(server, config.port, config.host);
    // A key change swaps in a rebuilt provider; requests in flight finish on the one they started with.
    keys.start((keySet) => providers.replace(buildProvider(keySet)));
    const sweeper = startExpiredPayloadSweeper(queries.oidcPayloads, SWEEP_INTERVAL_MS, (error) =>
      logger.warn('expired row cleanup failed', describeError(error)),
    );
    const address = server.address() as AddressInfo;
    const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
    logger.info('latchkey is listening', { url, issuer: config.issuer, database: database.kind });

    return {
      url,
      async close() {
        readiness.markDraining();
        sweeper.stop();
        await keys.stop();
        await drain(server);
        await database.close();
      },
    };
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
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
