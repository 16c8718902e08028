import type { KoaContextWithOIDC, ErrorOut } from 'oidc-provider';
import type { ViewRenderer } from '../http/view-renderer.ts';
import { setFormActionSources } from '../http/security-headers.ts';
import { requestRecordOf } from '../http/request-context.ts';

/** What a person reads for each OAuth error that can reach a browser page. */
const ERROR_TEXTS: Record<string, { heading: string; message: string }> = {
  invalid_redirect_uri: {
    heading: 'This sign-in link is not set up correctly',
    message: 'The app sent you to an address it has not registered, so you cannot be returned to it safely.',
  },
  invalid_client: {
    heading: 'Unknown app',
    message: 'The app that sent you here is not registered with this sign-in service.',
  },
  invalid_request: {
    heading: 'The sign-in request is not valid',
    message: 'The app that sent you here made a request this service cannot accept.',
  },
  invalid_grant: {
    heading: 'This sign-in has expired',
    message: 'Go back to the app and start signing in again.',
  },
  session_not_found: {
    heading: 'This sign-in has expired',
    message: 'Your sign-in took too long or was opened in another browser. Go back to the app and start again.',
  },
};

const GENERIC_ERROR = {
  heading: 'Something went wrong',
  message: 'The request could not be completed. Go back to the app and try again.',
};

/** oidc-provider's page hooks (error, logout, signed out), rendered with our templates. */
export function buildHostedPages(views: ViewRenderer) {
  return {
    async renderError(ctx: KoaContextWithOIDC, out: ErrorOut): Promise<void> {
      const status = ctx.status >= 400 ? ctx.status : 400;
      const text = ERROR_TEXTS[out.error] ?? GENERIC_ERROR;
      // oidc-provider's descriptions of client errors are fixed texts, safe to show; server errors say nothing more.
      const description = status < 500 ? out.error_description : undefined;
      ctx.type = 'html';
      ctx.status = status;
      ctx.body = views.render('error', {
        title: text.heading,
        heading: text.heading,
        message: description ? `${text.message} (${description})` : text.message,
        requestId: requestRecordOf(ctx.req)?.id,
        startOverUrl: undefined,
      });
    },

    async logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
      const postLogoutRedirectUri = ctx.oidc.params?.['post_logout_redirect_uri'];
      setFormActionSources(ctx, typeof postLogoutRedirectUri === 'string' ? [postLogoutRedirectUri] : []);
      ctx.type = 'html';
      ctx.body = views.render('logout', {
        title: 'Sign out',
        form,
        clientName: ctx.oidc.client?.clientName,
      });
    },

    async postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
      ctx.type = 'html';
      ctx.body = views.render('logged-out', {
        title: 'Signed out',
        clientName: ctx.oidc.client?.clientName,
      });
    },
  };
}
