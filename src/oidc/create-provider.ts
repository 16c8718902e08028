import Provider from 'oidc-provider';
import { buildProviderConfiguration, type ProviderDependencies } from './provider-configuration.ts';
import { recordBackchannelLogoutsOf } from './backchannel-logout.ts';
import { jwksCacheControl } from './jwks-cache-control.ts';
import { allowFormPostResponses } from './form-post-csp.ts';

/** Builds the oidc-provider instance for the issuer. */
export function createProvider(deps: ProviderDependencies): Provider {
  const provider = new Provider(deps.config.issuer, buildProviderConfiguration(deps));
  provider.proxy = deps.config.proxy;
  recordBackchannelLogoutsOf(provider, deps.recordBackchannelLogout);
  provider.use(jwksCacheControl(deps.config.signing.jwksMaxAge));
  // Behind a proxy, the client address is the X-Forwarded-For entry the proxy added (the last one); entries before it
  // are whatever the client sent. Same setting as the app's (app.ts).
  provider.maxIpsCount = 1;
  // Koa would print a stack trace to stderr for requests that break off (a client closing mid-body); those are the
  // client's business. Errors of the provider's own routes still arrive as 'server_error' events.
  provider.silent = true;
  allowFormPostResponses(provider);
  for (const middleware of deps.middleware ?? []) provider.use(middleware);
  return provider;
}
