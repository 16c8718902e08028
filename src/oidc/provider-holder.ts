import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';

/** Holds the provider in use and its request handler, built once per provider rather than per request. */
export function createProviderHolder(initial: Provider) {
  let provider = initial;
  let handle = provider.callback();
  return {
    get current(): Provider {
      return provider;
    },
    handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      return handle(req, res);
    },
    /** Swaps in a rebuilt provider; requests already in flight finish on the one they started with. */
    replace(next: Provider): void {
      provider = next;
      handle = next.callback();
    },
  };
}

export type ProviderHolder = ReturnType<typeof createProviderHolder>;
