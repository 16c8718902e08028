import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { SignIn } from '../accounts/sign-in.ts';
import type { ViewRenderer } from '../http/view-renderer.ts';
import type { CsrfTokens } from './csrf-token.ts';
import { requestRecordOf } from '../http/request-context.ts';
import { BUSY_RETRY_AFTER_SECONDS } from '../http/service-unavailable.ts';
import type { SignInOutcome } from '../metrics/metrics.ts';
import { findClientDisplay } from './client-display.ts';
import { finishInteraction, formField, requireCsrfToken, type InteractionDetails } from './interaction-context.ts';
import { requestOrigin } from './request-origin.ts';
import { SIGN_IN_BUSY, SIGN_IN_FAILED, tooManyAttempts, type SignInMessage } from './sign-in-messages.ts';

/** The sign-in page and its form. */
export function buildLoginStep(deps: {
  signIn: SignIn;
  views: ViewRenderer;
  csrf: CsrfTokens;
  /** Counts each submitted sign-in by how it ended. */
  recordSignIn: (outcome: SignInOutcome) => void;
  /** Counts a sign-in refused by throttling. */
  recordThrottled: () => void;
  /** Counts a sign-in refused because password hashing was at capacity. */
  recordBusy: () => void;
}) {
  async function render(ctx: Context, provider: Provider, details: InteractionDetails, email: string, error?: SignInMessage) {
    const locale = deps.views.locale(ctx, details.params['ui_locales']);
    ctx.type = 'html';
    ctx.body = deps.views.render('login', {
      action: `/interaction/${details.uid}/login`,
      csrfToken: deps.csrf.tokenFor(details.uid),
      email,
      error: error?.(locale),
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
      const outcome = await deps.signIn.attempt({ email, password, ...requestOrigin(ctx), clientId: String(details.params['client_id']) });
      if (outcome.kind === 'throttled') {
        deps.recordSignIn('failure');
        deps.recordThrottled();
        ctx.status = 429; // RFC 6585 §4, with the wait in Retry-After
        ctx.set('Retry-After', String(outcome.retryAfterSeconds));
        return render(ctx, provider, details, email, tooManyAttempts(outcome.retryAfterSeconds));
      }
      if (outcome.kind === 'busy') {
        deps.recordBusy();
        // RFC 9110 §15.6.4: overloaded, with when to retry. The interaction is untouched: the same form can be sent again.
        ctx.status = 503;
        ctx.set('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
        return render(ctx, provider, details, email, SIGN_IN_BUSY);
      }
      deps.recordSignIn(outcome.kind === 'failed' ? 'failure' : 'success');
      if (outcome.kind === 'failed') return render(ctx, provider, details, email, SIGN_IN_FAILED);
      const record = requestRecordOf(ctx.req);
      if (record) record.accountId = outcome.user.id;
      await finishInteraction(provider, ctx, { login: { accountId: outcome.user.id, amr: ['pwd'], remember: true } });
    },
  };
}
