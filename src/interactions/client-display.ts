import type Provider from 'oidc-provider';

/** How a client presents itself on the hosted pages, from its registration. */
export interface ClientDisplay {
  name: string;
  logoUri: string | undefined;
  uri: string | undefined;
  policyUri: string | undefined;
  tosUri: string | undefined;
}

export async function findClientDisplay(provider: Provider, clientId: string): Promise<ClientDisplay> {
  const client = await provider.Client.find(clientId);
  return {
    name: client?.clientName ?? clientId,
    logoUri: client?.logoUri,
    uri: client?.clientUri,
    policyUri: client?.policyUri,
    tosUri: client?.tosUri,
  };
}
