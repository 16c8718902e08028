import Provider from 'oidc-provider';
import { buildProviderConfiguration, type ProviderDependencies } from './provider-configuration.ts';

/** Builds the oidc-provider instance for the issuer. */
export function createProvider(deps: ProviderDependencies): Provider {
  const provider = new Provider(deps.config.issuer, buildProviderConfiguration(deps));
  provider.proxy = deps.config.proxy;
  for (const middleware of deps.middleware ?? []) provider.use(middleware);
  return provider;
}
