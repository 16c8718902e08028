import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AuditEntry } from '../audit/audit-events.ts';

type AnyContext = Parameters<Parameters<Provider['use']>[0]>[0];

/** The token an oidc-provider route is working on, as far as the audit trail cares. */
interface TokenEntity {
  kind: string;
  clientId?: string | undefined;
  accountId?: string | undefined;
}

/**
 * Feeds oidc-provider's security events into the audit trail: logouts, consents revoked, refresh-token reuse and
 * code replay (each of which revokes a grant), and token revocation. Entries raised while a request is handled are
 * written before its response goes out, so the trail is complete when the client sees the answer.
 */
export function attachAuditHooks(provider: Provider, audit: AuditLog): void {
  const pendingByRequest = new WeakMap<object, AuditEntry[]>();
  const queue = (ctx: object, entry: AuditEntry) => {
    const pending = pendingByRequest.get(ctx);
    if (pending) pending.push(entry);
    else void audit.record(entry); // raised outside a request of the provider's own (e.g. an interaction result)
  };

  provider.use(async function writeAuditEntries(ctx, next) {
    const pending: AuditEntry[] = [];
    pendingByRequest.set(ctx, pending);
    try {
      await next();
    } finally {
      const revocation = describeRevocation(ctx);
      if (revocation) pending.push(revocation);
      for (const entry of pending) await audit.record(entry);
    }
  });

  provider.on('grant.revoked', (ctx: KoaContextWithOIDC, grantId: string) => {
    const { route, params, client, entities, session } = ctx.oidc;
    if (route === 'revocation') return; // described as token.revoked once the request is done
    const where = { ...origin(ctx), clientId: client?.clientId, details: { grant_id: grantId } };
    if (route === 'token' && params?.['grant_type'] === 'refresh_token') {
      // RFC 9700 §4.14.2: a rotated refresh token came back, so it was stolen or leaked; the whole grant is gone.
      queue(ctx, { event: 'refresh_token.reused', userId: (entities.RefreshToken as TokenEntity | undefined)?.accountId, ...where });
    } else if (route === 'token' && params?.['grant_type'] === 'authorization_code') {
      // RFC 6749 §4.1.2: a used code came back; what its first exchange issued is revoked.
      queue(ctx, { event: 'authorization_code.replayed', ...where });
    } else {
      queue(ctx, { event: 'consent.revoked', userId: session?.accountId, ...where, details: { ...where.details, reason: route === 'end_session_confirm' ? 'logout' : route } });
    }
  });

  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    queue(ctx, {
      event: 'logout',
      userId: ctx.oidc.session?.accountId,
      clientId: ctx.oidc.client?.clientId,
      ...origin(ctx),
      details: { scope: ctx.oidc.params?.['logout'] ? 'session' : 'client' },
    });
  });
}

/** token.revoked when the revocation endpoint revoked a token; token.revocation_refused when it was another client's. */
function describeRevocation(ctx: AnyContext): AuditEntry | undefined {
  const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
  if (oidc?.route !== 'revocation') return undefined;
  const { entities, client } = oidc;
  const token = (entities.AccessToken ?? entities.RefreshToken ?? entities.ClientCredentials) as TokenEntity | undefined;
  if (!token || !client) return undefined;
  // The same rule as the revocation policy (provider-configuration.ts): a client revokes only its own tokens.
  const revoked = token.clientId === client.clientId && ctx.status === 200;
  return {
    event: revoked ? 'token.revoked' : 'token.revocation_refused',
    userId: token.accountId,
    clientId: client.clientId,
    ...origin(ctx),
    details: { kind: token.kind, owner_client_id: revoked ? undefined : token.clientId },
  };
}

function origin(ctx: Pick<AnyContext, 'ip' | 'get'>): { ip: string; userAgent: string | undefined } {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent') || undefined };
}
