import Provider from 'oidc-provider';
import { buildProviderConfiguration, type ProviderDependencies } from './provider-configuration.ts';
import { recordBackchannelLogoutsOf } from './backchannel-logout.ts';
import { jwksCacheControl } from './jwks-cache-control.ts';

/** Builds the oidc-provider instance for the issuer. */
export function createProvider(deps: ProviderDependencies): Provider {
  const provider = new Provider(deps.config.issuer, buildProviderConfiguration(deps));
  provider.proxy = deps.config.proxy;
  recordBackchannelLogoutsOf(provider, deps.recordBackchannelLogout);
  provider.use(jwksCacheControl(deps.config.signing.jwksMaxAge));
  return provider;
}
