import type Provider from 'oidc-provider';
import { FIRST_PARTY_CLIENT_IDS } from '../oidc/first-party-clients.ts';

/** How a client presents itself on the hosted pages, from its registration. */
export interface ClientDisplay {
  clientId: string;
  name: string;
  logoUri: string | undefined;
  uri: string | undefined;
  policyUri: string | undefined;
  tosUri: string | undefined;
  /** Latchkey's own account page: the pages name it in the person's language instead. */
  firstParty: boolean;
}

export async function findClientDisplay(provider: Provider, clientId: string): Promise<ClientDisplay> {
  const client = await provider.Client.find(clientId);
  return {
    clientId,
    name: client?.clientName ?? clientId,
    logoUri: client?.logoUri,
    uri: client?.clientUri,
    policyUri: client?.policyUri,
    tosUri: client?.tosUri,
    firstParty: FIRST_PARTY_CLIENT_IDS.has(clientId),
  };
}
