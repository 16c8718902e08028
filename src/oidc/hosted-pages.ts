import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import type { ViewRenderer } from '../http/view-renderer.ts';
import { setFormActionSources } from '../http/security-headers.ts';
import { requestRecordOf } from '../http/request-context.ts';

/** OAuth errors that can reach a browser page and have a text of their own (messages error.oidc.<code>.heading / .message). */
const EXPLAINED_ERRORS = new Set(['invalid_redirect_uri', 'invalid_client', 'invalid_request', 'invalid_grant', 'session_not_found']);

/** oidc-provider's page hooks (error, logout, signed out), rendered with our templates in the person's language. */
export function buildHostedPages(views: ViewRenderer) {
  // The pages of an authorization or logout request honour its ui_locales, as the sign-in pages do.
  const localeOf = (ctx: KoaContextWithOIDC) => views.locale(ctx, ctx.oidc?.params?.['ui_locales']);

  return {
    async renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
      const status = ctx.status >= 400 ? ctx.status : 400;
      const locale = localeOf(ctx);
      const key = EXPLAINED_ERRORS.has(out.error) ? `error.oidc.${out.error}` : 'error.generic';
      // oidc-provider's descriptions of client errors are fixed texts, safe to show; server errors say nothing more.
      const description = status < 500 ? out.error_description : undefined;
      ctx.type = 'html';
      ctx.status = status;
      ctx.body = views.render('error', {
        heading: locale.t(`${key}.heading`),
        message: locale.t(`${key}.message`),
        detail: description,
        requestId: requestRecordOf(ctx.req)?.id,
        startOverUrl: undefined,
      }, locale);
    },

    async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
      const postLogoutRedirectUri = ctx.oidc.params?.['post_logout_redirect_uri'];
      setFormActionSources(ctx, typeof postLogoutRedirectUri === 'string' ? [postLogoutRedirectUri] : []);
      ctx.type = 'html';
      ctx.body = views.render('logout', { form, clientName: ctx.oidc.client?.clientName }, localeOf(ctx));
    },

    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      ctx.type = 'html';
      ctx.body = views.render('logged-out', { clientName: ctx.oidc.client?.clientName, signInAgainUrl: undefined }, localeOf(ctx));
    },
  };
}
