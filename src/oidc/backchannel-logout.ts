import { randomUUID } from 'node:crypto';
import Provider from 'oidc-provider';
import type { Client } from 'oidc-provider';
import type { BackchannelLogoutRecord, NewBackchannelLogout } from '../db/queries/backchannel-logouts.ts';

/** The security event a logout token announces (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

interface ClientWithBackchannelLogout {
  backchannelLogout(this: Client, sub: string, sid: string): Promise<void>;
}

/**
 * oidc-provider's end_session calls `client.backchannelLogout(sub, sid)` for each client it signs the person out of,
 * and its implementation sends the logout token once, inline, forgetting it when the client is down. Here the call
 * records the logout token owed instead (before the session is destroyed), and the delivery loop sends and retries it
 * like every other one. Which clients are owed one stays oidc-provider's decision.
 */
export function recordBackchannelLogoutsOf(provider: Provider, record: (logout: NewBackchannelLogout) => Promise<void>): void {
  const prototype = provider.Client.prototype as unknown as ClientWithBackchannelLogout;
  prototype.backchannelLogout = async function recordLogout(this: Client, sub: string, sid: string): Promise<void> {
    await record({
      clientId: this.clientId,
      accountId: sub,
      sid,
      // Called inside the end_session request; its context knows which session is ending.
      sessionUid: Provider.ctx?.oidc.session?.uid,
      reason: 'logout',
    });
  };
}

/** A signed logout token and the registered URI it goes to. */
export interface LogoutTokenDelivery {
  uri: string;
  token: string;
}

/**
 * Signs the logout token for a recorded logout with oidc-provider's own ID token machinery (the client's ID token
 * algorithm and the provider's keys, `typ: logout+jwt`, two minutes of validity), at send time so every retry carries a
 * fresh token. Returns undefined when the client no longer registers a back-channel logout URI.
 */
export function buildLogoutTokenSigner(getProvider: () => Provider) {
  return async (logout: BackchannelLogoutRecord): Promise<LogoutTokenDelivery | undefined> => {
    const provider = getProvider();
    const client = await provider.Client.find(logout.clientId);
    if (!client?.backchannelLogoutUri) return undefined;
    const token = new provider.IdToken({ sub: logout.accountId }, { client });
    // The claims filter passes only what the mask names; a logout token states no other claim about the person.
    (token as unknown as { mask: Record<string, null> }).mask = { sub: null };
    token.set('events', { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    token.set('jti', randomUUID());
    if (client.backchannelLogoutSessionRequired && logout.sid) token.set('sid', logout.sid);
    return { uri: client.backchannelLogoutUri, token: await token.issue({ use: 'logout' }) };
  };
}
