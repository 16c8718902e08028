// What the oidc_payloads queries share: how a stored payload is read, and which ids can be stored at all.

/**
 * A stored payload as read: the JSON text, parsed by whoever uses it, so a cached copy can never be changed through
 * an object handed out earlier.
 */
export interface StoredOidcPayload {
  payloadJson: string;
  consumedAt: Date | null;
}

/** The newest live Grant of a person for a client: its id and what is stored. */
export interface LatestGrant {
  id: string;
  stored: StoredOidcPayload;
}

export interface StoredRow {
  payload_json: string;
  consumed_at: Date | null;
}

/**
 * A subquery for the newest live Grant that `accountIdSql` gave the client `clientIdSql` (SQL expressions), with its
 * id, payload_json and consumed_at: how a person's earlier consent is found, alone or beside the interaction it serves.
 */
export function latestLiveGrantSql(accountIdSql: string, clientIdSql: string, nowSql: string): string {
  return `SELECT lg.id, lg.payload::text AS payload_json, lg.consumed_at FROM oidc_payloads lg
    WHERE lg.model = 'Grant' AND lg.account_id = ${accountIdSql} AND lg.payload->>'clientId' = ${clientIdSql}
      AND (lg.expires_at IS NULL OR lg.expires_at > ${nowSql})
    ORDER BY (lg.payload->>'iat')::bigint DESC LIMIT 1`;
}

/**
 * Ids come straight from requests (a code, a token, a cookie). Postgres text cannot hold NUL, so no row has such an id,
 * and pg would throw on it rather than find nothing.
 */
export function storable(id: string): boolean {
  return !id.includes('\0');
}
