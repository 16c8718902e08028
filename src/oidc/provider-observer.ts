import type { EventEmitter } from 'node:events';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { requestRecordOf } from '../http/request-context.ts';
import type { Logger } from '../logger.ts';
import { logUserId } from '../logger.ts';
import type { LatchkeyMetrics } from '../metrics/metrics.ts';

// oidc-provider emits `<event>.error` (ctx, error) for every OAuth error it answers (lib/shared/error_handler.js).
const ERROR_EVENTS = [
  'authorization.error',
  'grant.error',
  'userinfo.error',
  'introspection.error',
  'revocation.error',
  'end_session.error',
  'end_session_confirm.error',
  'end_session_success.error',
  'discovery.error',
  'jwks.error',
] as const;

const ISSUED_TOKEN_TYPES = ['access_token', 'id_token', 'refresh_token'] as const;
// The fixed error_detail of oidc-provider's refresh_token grant when a rotated token comes back
// (lib/actions/grants/refresh_token.js); it has revoked the grant by then.
const REFRESH_TOKEN_REUSED = 'refresh token already used';
const MAX_DETAIL_LENGTH = 200;

interface OAuthError {
  error?: unknown;
  error_detail?: unknown;
}

/** Feeds one provider's routes, errors and issued tokens into the request log lines and the metrics. */
export function observeProvider(provider: Provider, deps: { logger: Logger; metrics: LatchkeyMetrics }): void {
  // Counted once the answer is final: the request's writes are stored after grant.success (src/oidc/deferred-writes.ts),
  // and a request that lost the race to spend its code answers invalid_grant instead.
  const granted = new WeakSet<object>();
  provider.on('grant.success', (ctx: KoaContextWithOIDC) => granted.add(ctx));

  provider.use(async function recordProviderRequest(ctx, next) {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (oidc && granted.has(ctx) && ctx.status === 200) countIssuedTokens(oidc, ctx.body);
    const record = requestRecordOf(ctx.req);
    if (!record || !oidc) return;
    record.route = oidc.route;
    record.clientId = oidc.client?.clientId;
    record.accountId = accountIdOf(oidc);
  });

  provider.on('server_error', (ctx: KoaContextWithOIDC, error: unknown) => {
    const record = requestRecordOf(ctx.req);
    if (record) record.serverError = error;
    else deps.logger.error('oidc-provider server error', { err: error });
  });

  // Subscribed by name in a loop, which the per-event overloads of Provider#on cannot type; an EventEmitter it is.
  const events: EventEmitter = provider;
  for (const event of ERROR_EVENTS) {
    events.on(event, (ctx: KoaContextWithOIDC, error: OAuthError) => {
      const record = requestRecordOf(ctx.req);
      if (!record) return;
      if (typeof error.error === 'string') record.oauthError = error.error;
      if (typeof error.error_detail === 'string') record.oauthErrorDetail = error.error_detail.slice(0, MAX_DETAIL_LENGTH);
    });
  }

  provider.on('grant.error', (ctx: KoaContextWithOIDC, error: OAuthError) => {
    if (error.error_detail !== REFRESH_TOKEN_REUSED) return;
    deps.metrics.refreshTokenReuse.inc();
    const accountId = accountIdOf(ctx.oidc);
    deps.logger.warn('refresh token reuse detected; its grant is revoked', {
      request_id: requestRecordOf(ctx.req)?.id,
      client_id: ctx.oidc.client?.clientId,
      ...(accountId !== undefined && { user: logUserId(accountId) }),
    });
  });

  function countIssuedTokens(oidc: KoaContextWithOIDC['oidc'], answer: unknown): void {
    const grantType = oidc.params?.['grant_type'];
    const grant = typeof grantType === 'string' ? grantType : 'unknown';
    const body = (answer ?? {}) as Record<string, unknown>;
    for (const type of ISSUED_TOKEN_TYPES) {
      if (typeof body[type] !== 'string') continue;
      // Without rotation the refresh grant answers with the same refresh token: nothing new was issued.
      if (type === 'refresh_token' && body[type] === oidc.params?.['refresh_token']) continue;
      deps.metrics.tokensIssued.inc({ type, grant });
    }
  }
}

/** Whose request this was, from whatever oidc-provider loaded for it. */
function accountIdOf(oidc: KoaContextWithOIDC['oidc']): string | undefined {
  const { entities } = oidc;
  const candidates = [
    entities.Account?.accountId,
    oidc.session?.accountId,
    entities.AccessToken?.accountId,
    entities.AuthorizationCode?.accountId,
    entities.RefreshToken?.accountId,
  ];
  return candidates.find((id): id is string => typeof id === 'string');
}
