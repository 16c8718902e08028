import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import type { ResourceServer } from '../config/types.ts';
import type { ViewRenderer } from '../http/view-renderer.ts';
import { MAX_NAME_LENGTH, type SelfService } from '../accounts/self-service.ts';
import type { AccountCookies } from './account-cookies.ts';
import type { SignedInAccount } from './account-sign-in.ts';
import { buildAccountView } from './account-view.ts';

/** Messages shown after a form succeeded, by the `done` query parameter of the redirect (never text from the URL). */
export const NOTICES = {
  profile: 'account.profile.saved',
  password: 'account.password.changed',
  session: 'account.sessions.ended',
  app: 'account.apps.removed',
} as const;

export type Notice = keyof typeof NOTICES;

/** What a form that failed shows next to its fields. */
export interface FormErrors {
  profile?: { message: string; value: string };
  password?: { message: string; field: 'current_password' | 'new_password' | 'confirm_password' };
}

/** Renders the account page (in the language of the browser) and the page shown after signing out of it. */
export function buildAccountPageRenderer(deps: {
  getProvider: () => Provider;
  selfService: SelfService;
  cookies: AccountCookies;
  views: ViewRenderer;
  resources: readonly ResourceServer[];
  minPasswordLength: number;
}) {
  return {
    async page(ctx: Context, account: SignedInAccount, errors: FormErrors = {}): Promise<void> {
      const locale = deps.views.locale(ctx);
      const view = await buildAccountView({
        selfService: deps.selfService,
        provider: deps.getProvider(),
        resources: deps.resources,
        user: account.user,
        currentSessionUid: account.session.sessionUid,
        locale,
        now: new Date(),
      });
      const done = ctx.query['done'];
      const notice = typeof done === 'string' && done in NOTICES ? locale.t(NOTICES[done as Notice]) : undefined;
      ctx.type = 'html';
      ctx.body = deps.views.render(
        'account',
        {
          ...view,
          csrfToken: deps.cookies.csrfTokenFor(account.session),
          notice: errors.profile || errors.password ? undefined : notice,
          errors,
          minPasswordLength: deps.minPasswordLength,
          maxNameLength: MAX_NAME_LENGTH,
        },
        locale,
      );
    },

    signedOut(ctx: Context): void {
      ctx.type = 'html';
      ctx.body = deps.views.render('logged-out', { clientName: undefined, signInAgainUrl: '/account' }, deps.views.locale(ctx));
    },
  };
}

export type AccountPageRenderer = ReturnType<typeof buildAccountPageRenderer>;
