import type Provider from 'oidc-provider';
import type { LatchkeyConfig } from '../config/types.ts';
import type { ViewRenderer } from '../http/view-renderer.ts';
import type { AccountService } from '../accounts/account-service.ts';
import type { SelfService } from '../accounts/self-service.ts';
import { deriveAccountClientSecret } from '../oidc/first-party-clients.ts';
import { createAccountCookies } from './account-cookies.ts';
import { createAccountOidcClient } from './account-oidc-client.ts';
import { buildAccountSignIn } from './account-sign-in.ts';
import { buildAccountRoutes } from './account-routes.ts';
import { buildAccountPageRenderer } from './render-account-page.ts';

/** The account page and its sign-in, assembled: what start-server mounts. */
export function buildAccountPage(deps: {
  config: LatchkeyConfig;
  views: ViewRenderer;
  accounts: AccountService;
  selfService: SelfService;
  getProvider: () => Provider;
  /** The cookie secrets in use now, newest first: they rotate while the server runs. */
  cookieSecrets: () => readonly string[];
  /** What the account page's client secret is derived from: the same on every instance, and across key rotations. */
  clientSecretSeed: string;
  /** Where this server listens, known once it does. */
  selfUrl: () => string;
  /** Counts a password change refused because password hashing was at capacity. */
  recordBusy: () => void;
}) {
  const { config } = deps;
  const cookies = createAccountCookies({
    secrets: deps.cookieSecrets,
    secure: config.issuer.startsWith('https:'),
    signInTtlSeconds: config.ttl.interaction,
  });
  const oidcClient = createAccountOidcClient({
    issuer: config.issuer,
    clientSecret: deriveAccountClientSecret(deps.clientSecretSeed),
    selfUrl: deps.selfUrl,
  });
  return buildAccountRoutes({
    signIn: buildAccountSignIn({ getProvider: deps.getProvider, accounts: deps.accounts, cookies, oidcClient }),
    selfService: deps.selfService,
    cookies,
    views: deps.views,
    render: buildAccountPageRenderer({
      getProvider: deps.getProvider,
      selfService: deps.selfService,
      cookies,
      views: deps.views,
      resources: config.resources,
      minPasswordLength: config.passwords.minLength,
    }),
    minPasswordLength: config.passwords.minLength,
    recordBusy: deps.recordBusy,
  });
}
