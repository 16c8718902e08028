import type { IncomingMessage } from 'node:http';

/**
 * What one request's log line and metrics say about it, filled in by whichever layer knows: the route and client by
 * oidc-provider or the interaction pages, a server error by the error handler. Keyed by the Node request, which the
 * Koa app and oidc-provider's own Koa app share.
 */
export interface RequestRecord {
  readonly id: string;
  /** A route name (oidc-provider's, or ours like `interaction.login`), never the raw path with its ids. */
  route?: string;
  clientId?: string;
  /** The `sub` of the person; logged only hashed. */
  accountId?: string;
  /** The OAuth error code answered, e.g. invalid_grant. */
  oauthError?: string;
  /** oidc-provider's fixed-text detail of that error, e.g. "PKCE verification failed". */
  oauthErrorDetail?: string;
  /** A server error, logged once with this request's line. */
  serverError?: unknown;
}

const records = new WeakMap<IncomingMessage, RequestRecord>();

/** Starts the record of a request. */
export function beginRequestRecord(req: IncomingMessage, id: string): RequestRecord {
  const record: RequestRecord = { id };
  records.set(req, record);
  return record;
}

/** The record of a request, when it came through the app (always, in the running server). */
export function requestRecordOf(req: IncomingMessage): RequestRecord | undefined {
  return records.get(req);
}
