import type Provider from 'oidc-provider';
import type { ClientRegistry } from '../config/types.ts';
import type { PrivateSigningJwk } from '../keys/generate-signing-key.ts';
import { createProvider } from './create-provider.ts';
import { createProviderHolder, type ProviderHolder } from './provider-holder.ts';
import { storeDeferredWritesBeforeResponding } from './deferred-writes.ts';
import type { ProviderDependencies } from './provider-configuration.ts';

/** What the provider is built from that can change while the server runs. */
export interface ProviderInputs {
  registry: ClientRegistry;
  signingKeys: readonly PrivateSigningJwk[];
  /** Cookie-signing secrets, newest first (the newest signs, the others still verify). */
  cookieSecrets: readonly string[];
}

/**
 * The provider in use and the inputs it was built from. `rebuildProvider` is the one way to change them (a reloaded
 * clients.yaml, rotated signing or cookie keys): it builds a new provider from the current inputs with the changes applied and
 * swaps it in; requests in flight finish on the old one. If building fails, nothing changes and the error is thrown.
 */
export function createProviderRuntime(
  deps: Omit<ProviderDependencies, 'signingKeys' | 'cookieSecrets'> & {
    initial: ProviderInputs;
    /** Called on every new provider before it serves, to attach event listeners and middleware. */
    prepare?: (provider: Provider) => void;
  },
) {
  const { initial, prepare, ...common } = deps;
  let inputs = initial;

  const build = (next: ProviderInputs): Provider => {
    const provider = createProvider({
      ...common,
      // Everything derived from the registry (clients, CORS origins, resource indicators) follows the new one.
      config: { ...common.config, clients: next.registry.clients, resources: next.registry.resources },
      signingKeys: next.signingKeys,
      cookieSecrets: next.cookieSecrets,
    });
    prepare?.(provider);
    // Last, so that the middleware `prepare` added sees what storing the request's writes ran into.
    storeDeferredWritesBeforeResponding(provider);
    return provider;
  };
  const holder: ProviderHolder = createProviderHolder(build(inputs));

  return {
    providers: holder,
    /** The inputs of the provider in use. */
    get inputs(): ProviderInputs {
      return inputs;
    },
    rebuildProvider(changes: Partial<ProviderInputs>): void {
      const next = { ...inputs, ...changes };
      const provider = build(next);
      inputs = next;
      holder.replace(provider);
    },
  };
}

export type ProviderRuntime = ReturnType<typeof createProviderRuntime>;
