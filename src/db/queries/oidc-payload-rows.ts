// What the oidc_payloads queries share: how a stored payload is read, and which ids can be stored at all.

/**
 * A stored payload as read: the JSON text, parsed by whoever uses it, so a cached copy can never be changed through
 * an object handed out earlier.
 */
export interface StoredOidcPayload {
  payloadJson: string;
  consumedAt: Date | null;
}

export interface StoredRow {
  payload_json: string;
  consumed_at: Date | null;
}

/**
 * Ids come straight from requests (a code, a token, a cookie). Postgres text cannot hold NUL, so no row has such an id,
 * and pg would throw on it rather than find nothing.
 */
export function storable(id: string): boolean {
  return !id.includes('\0');
}
