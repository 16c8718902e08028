import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import type { ViewRenderer } from '../http/view-renderer.ts';
import type { CsrfTokens } from './csrf-token.ts';
import { findClientDisplay } from './client-display.ts';
import { finishInteraction, formField, requireCsrfToken, type InteractionDetails } from './interaction-context.ts';

// One message for unknown email, wrong password and disabled account, so the page never tells which it was.
const SIGN_IN_FAILED = 'login.failed';

/** The sign-in page and its form. */
export function buildLoginStep(deps: { accounts: AccountService; views: ViewRenderer; csrf: CsrfTokens }) {
  /** `error` is a message key (a text that is no key shows as it is). */
  async function render(ctx: Context, provider: Provider, details: InteractionDetails, email: string, error?: string) {
    const locale = deps.views.locale(ctx, details.params['ui_locales']);
    ctx.type = 'html';
    ctx.body = deps.views.render('login', {
      action: `/interaction/${details.uid}/login`,
      csrfToken: deps.csrf.tokenFor(details.uid),
      email,
      error: error && locale.t(error),
      client: await findClientDisplay(provider, String(details.params['client_id'])),
    }, locale);
  }

  return {
    async show(ctx: Context, provider: Provider, details: InteractionDetails): Promise<void> {
      const loginHint = details.params['login_hint'];
      await render(ctx, provider, details, typeof loginHint === 'string' ? loginHint : '');
    },

    async submit(ctx: Context, provider: Provider, details: InteractionDetails, body: Record<string, unknown>) {
      requireCsrfToken(deps.csrf, details, body);
      if (details.prompt.name !== 'login') return finishInteraction(provider, ctx, {});
      const email = formField(body, 'email').trim();
      const password = formField(body, 'password');
      const user = email && password ? await deps.accounts.authenticate(email, password) : undefined;
      if (!user) return render(ctx, provider, details, email, SIGN_IN_FAILED);
      await finishInteraction(provider, ctx, { login: { accountId: user.id, amr: ['pwd'], remember: true } });
    },
  };
}
