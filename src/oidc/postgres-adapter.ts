import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { OidcPayloadQueries, StoredOidcPayload } from '../db/queries/oidc-payloads.ts';

/**
 * oidc-provider's storage adapter on the oidc_payloads table: a thin mapping of its seven calls onto queries.
 * Every model the library persists (Session, Interaction, AuthorizationCode, AccessToken, RefreshToken, Grant, ...)
 * shares the table, told apart by `model`.
 */
export function buildPostgresAdapterFactory(queries: OidcPayloadQueries, now: () => Date = () => new Date()) {
  return (model: string): Adapter => ({
    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      // Request parameters end up in payloads (an interaction keeps its authorization request); jsonb cannot store
      // U+0000, so a parameter holding one is the client's mistake, not a server error.
      if (JSON.stringify(payload).includes('\\u0000')) throw new errors.InvalidRequest('parameters must not contain NUL characters');
      await queries.upsertPayload({
        model,
        id,
        payload,
        grantId: payload.grantId,
        userCode: payload.userCode,
        uid: payload.uid,
        accountId: payload.accountId,
        expiresAt: expiresIn ? new Date(now().getTime() + expiresIn * 1000) : undefined,
      });
    },

    async find(id: string): Promise<AdapterPayload | undefined> {
      return toAdapterPayload(await queries.findPayloadById(model, id, now()));
    },

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return toAdapterPayload(await queries.findPayloadByUid(model, uid, now()));
    },

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return toAdapterPayload(await queries.findPayloadByUserCode(model, userCode, now()));
    },

    async consume(id: string): Promise<void> {
      await queries.consumePayload(model, id, now());
    },

    async destroy(id: string): Promise<void> {
      await queries.deletePayload(model, id);
    },

    async revokeByGrantId(grantId: string): Promise<void> {
      await queries.deletePayloadsByGrantId(grantId);
    },
  });
}

function toAdapterPayload(stored: StoredOidcPayload | undefined): AdapterPayload | undefined {
  if (!stored) return undefined;
  if (!stored.consumedAt) return stored.payload;
  return { ...stored.payload, consumed: Math.floor(stored.consumedAt.getTime() / 1000) };
}
