import * as client from 'openid-client';
import { ACCOUNT_CALLBACK_PATH, ACCOUNT_CLIENT_ID } from '../oidc/first-party-clients.ts';
import type { PendingSignIn } from './account-cookies.ts';

/** What the account page learns from a finished sign-in. */
export interface AccountSignIn {
  sub: string;
  accessToken: string;
}

/**
 * The account page as an OpenID Connect relying party, with openid-client: code flow with PKCE (S256), state and
 * nonce, the ID token checked against the JWKS. Its requests to the token, discovery and JWKS endpoints go to this
 * very server over loopback (`selfUrl`, where it listens) rather than to the public issuer URL, which a server behind
 * a proxy or in a container often cannot reach; oidc-provider answers them the same, as it names the issuer from
 * config, not from the Host header.
 */
export function createAccountOidcClient(deps: { issuer: string; clientSecret: string; selfUrl: () => string }) {
  const redirectUri = `${deps.issuer}${ACCOUNT_CALLBACK_PATH}`;
  let configuration: Promise<client.Configuration> | undefined;

  const loopbackFetch: client.CustomFetch = (url, options) => {
    const target = new URL(url);
    const self = new URL(deps.selfUrl());
    target.protocol = self.protocol;
    target.host = self.host;
    return fetch(target, options);
  };

  function discover(): Promise<client.Configuration> {
    configuration ??= client
      .discovery(new URL(deps.issuer), ACCOUNT_CLIENT_ID, undefined, client.ClientSecretBasic(deps.clientSecret), {
        [client.customFetch]: loopbackFetch,
        // A development issuer is http://localhost; openid-client refuses plain http unless told.
        execute: deps.issuer.startsWith('http:') ? [client.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        configuration = undefined; // try again on the next request
        throw error;
      });
    return configuration;
  }

  return {
    /** A fresh state, nonce and PKCE verifier, and the authorization URL that carries their public halves. */
    async startSignIn(extra: Record<string, string> = {}): Promise<{ url: URL; pending: PendingSignIn }> {
      const pending: PendingSignIn = {
        state: client.randomState(),
        nonce: client.randomNonce(),
        codeVerifier: client.randomPKCECodeVerifier(),
      };
      const url = client.buildAuthorizationUrl(await discover(), {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
        ...extra,
      });
      return { url, pending };
    },

    /** Checks the authorization response (`query` of the callback) and redeems its code; throws openid-client's errors. */
    async finishSignIn(query: string, pending: PendingSignIn): Promise<AccountSignIn> {
      const callbackUrl = new URL(`${redirectUri}${query ? `?${query}` : ''}`);
      const tokens = await client.authorizationCodeGrant(await discover(), callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const sub = tokens.claims()?.sub;
      if (!sub) throw new Error('the ID token has no sub');
      return { sub, accessToken: tokens.access_token };
    },
  };
}

export type AccountOidcClient = ReturnType<typeof createAccountOidcClient>;
