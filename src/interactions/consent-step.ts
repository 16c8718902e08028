import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { ResourceServer } from '../config/types.ts';
import type { ViewRenderer } from '../http/view-renderer.ts';
import type { AccountService } from '../accounts/account-service.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { requestOrigin } from './request-origin.ts';
import { describeOidcScopes, describeResourceScopes } from '../oidc/scope-descriptions.ts';
import type { CsrfTokens } from './csrf-token.ts';
import { findClientDisplay } from './client-display.ts';
import { finishInteraction, requireCsrfToken, type InteractionDetails } from './interaction-context.ts';

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/** The consent page: allow records the decision in the Grant, so the next sign-in skips it; deny ends in access_denied. */
export function buildConsentStep(deps: {
  accounts: AccountService;
  views: ViewRenderer;
  csrf: CsrfTokens;
  /** The APIs of the client registry in use, which a reload may change. */
  resources: () => readonly ResourceServer[];
  audit: AuditLog;
}) {
  return {
    async show(ctx: Context, provider: Provider, details: InteractionDetails): Promise<void> {
      const missing = details.prompt.details as ConsentDetails;
      const resourceByIdentifier = new Map(deps.resources().map((resource) => [resource.identifier, resource]));
      const account = details.session ? await deps.accounts.findAccountForRequest(details.session.accountId) : undefined;
      const locale = deps.views.locale(ctx, details.params['ui_locales']);
      ctx.type = 'html';
      ctx.body = deps.views.render('consent', {
        action: `/interaction/${details.uid}/confirm`,
        abortAction: `/interaction/${details.uid}/abort`,
        csrfToken: deps.csrf.tokenFor(details.uid),
        client: await findClientDisplay(provider, String(details.params['client_id'])),
        scopes: describeOidcScopes(missing.missingOIDCScope ?? [], locale.t),
        resources: Object.entries(missing.missingResourceScopes ?? {}).flatMap(([indicator, scopes]) => {
          const resource = resourceByIdentifier.get(indicator);
          if (!resource) return [];
          return [{ name: resource.name ?? indicator, scopes: describeResourceScopes(resource, scopes) }];
        }),
        accountEmail: account?.email ?? '',
      }, locale);
    },

    async allow(ctx: Context, provider: Provider, details: InteractionDetails, body: Record<string, unknown>) {
      requireCsrfToken(deps.csrf, details, body);
      if (details.prompt.name !== 'consent' || !details.session) return finishInteraction(provider, ctx, {});
      const missing = details.prompt.details as ConsentDetails;
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: String(details.params['client_id']) });
      if (!grant) return finishInteraction(provider, ctx, {});
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await deps.audit.record({
        event: 'consent.granted',
        userId: details.session.accountId,
        clientId: String(details.params['client_id']),
        ...requestOrigin(ctx),
        details: {
          scope: missing.missingOIDCScope?.join(' '),
          resources: Object.keys(missing.missingResourceScopes ?? {}).join(' ') || undefined,
        },
      });
      await finishInteraction(provider, ctx, { consent: { grantId } });
    },

    async deny(ctx: Context, provider: Provider, details: InteractionDetails, body: Record<string, unknown>) {
      requireCsrfToken(deps.csrf, details, body);
      await deps.audit.record({
        event: 'consent.denied',
        userId: details.session?.accountId,
        clientId: String(details.params['client_id']),
        ...requestOrigin(ctx),
      });
      await finishInteraction(provider, ctx, {
        error: 'access_denied',
        error_description: 'The user denied the request',
      });
    },
  };
}
