import { randomUUID } from 'node:crypto';

// Ids that proxies and tracing systems send (UUIDs, ULIDs, hex, base64) fit; anything longer or with other
// characters is replaced, so the id can be logged and echoed without escaping or header injection.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:=+/@-]{1,128}$/;

/** The request's X-Request-Id when it is sane, else a new UUID. */
export function chooseRequestId(incoming: string | undefined): string {
  return incoming !== undefined && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}
