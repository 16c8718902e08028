import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import type { ViewRenderer } from '../http/view-renderer.ts';
import type { CsrfTokens } from './csrf-token.ts';
import { requestRecordOf } from '../http/request-context.ts';
import type { SignInOutcome } from '../metrics/metrics.ts';
import { findClientDisplay } from './client-display.ts';
import { finishInteraction, formField, requireCsrfToken, type InteractionDetails } from './interaction-context.ts';

// One message for unknown email, wrong password and disabled account, so the page never tells which it was.
const SIGN_IN_FAILED = 'The email or password is not right. Check them and try again.';

/** The sign-in page and its form. */
export function buildLoginStep(deps: {
  accounts: AccountService;
  views: ViewRenderer;
  csrf: CsrfTokens;
  /** Counts each submitted sign-in by how it ended. */
  recordSignIn: (outcome: SignInOutcome) => void;
}) {
  async function render(ctx: Context, provider: Provider, details: InteractionDetails, email: string, error?: string) {
    ctx.type = 'html';
    ctx.body = deps.views.render('login', {
      title: 'Sign in',
      action: `/interaction/${details.uid}/login`,
      csrfToken: deps.csrf.tokenFor(details.uid),
      email,
      error,
      client: await findClientDisplay(provider, String(details.params['client_id'])),
    });
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
      deps.recordSignIn(user ? 'success' : 'failure');
      if (!user) return render(ctx, provider, details, email, SIGN_IN_FAILED);
      const record = requestRecordOf(ctx.req);
      if (record) record.accountId = user.id;
      await finishInteraction(provider, ctx, { login: { accountId: user.id, amr: ['pwd'], remember: true } });
    },
  };
}
