import { describe, expect, it } from 'vitest';
import { findLogoutReceivers, logoutsOwedFor } from '../../../src/sessions/session-service.ts';
import { retryDelayMs } from '../../../src/sessions/logout-delivery.ts';
import type { ClientMetadata } from '../../../src/config/types.ts';
import type { SessionRecord } from '../../../src/db/queries/sessions.ts';

const client = (clientId: string, extra: Partial<ClientMetadata> = {}): ClientMetadata => ({
  client_id: clientId,
  application_type: 'web',
  redirect_uris: [],
  post_logout_redirect_uris: [],
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid',
  ...extra,
});

describe('back-channel logouts owed', () => {
  it('go to the clients of each ended session that registered a back-channel logout URI', () => {
    const receivers = findLogoutReceivers([client('a', { backchannel_logout_uri: 'https://a.example/logout' }), client('b')]);
    expect([...receivers]).toEqual(['a']);
    const sessions: SessionRecord[] = [
      {
        uid: 's1',
        accountId: 'u1',
        signedInAt: undefined,
        expiresAt: undefined,
        amr: ['pwd'],
        clients: [
          { clientId: 'a', sid: 'sid-a', grantId: 'g1' },
          { clientId: 'b', sid: 'sid-b', grantId: 'g2' },
        ],
      },
      { uid: 's2', accountId: 'u1', signedInAt: undefined, expiresAt: undefined, amr: [], clients: [{ clientId: 'a', sid: undefined, grantId: undefined }] },
    ];
    expect(logoutsOwedFor(sessions, receivers, 'revoked')).toEqual([
      { clientId: 'a', accountId: 'u1', sid: 'sid-a', sessionUid: 's1', reason: 'revoked' },
      { clientId: 'a', accountId: 'u1', sid: undefined, sessionUid: 's2', reason: 'revoked' },
    ]);
  });

  it('are retried after the retry delay, doubled with each attempt, at most an hour apart', () => {
    expect([1, 2, 3, 4].map((attempts) => retryDelayMs(10, attempts))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(10, 30)).toBe(3_600_000);
  });
});
