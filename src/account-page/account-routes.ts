import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Context, Next } from 'koa';
import type { ViewRenderer } from '../http/view-renderer.ts';
import { HttpError } from '../http/http-error.ts';
import { BUSY_RETRY_AFTER_SECONDS } from '../http/service-unavailable.ts';
import { MAX_NAME_LENGTH, type SelfService } from '../accounts/self-service.ts';
import { MAX_PASSWORD_LENGTH } from '../accounts/password-policy.ts';
import { formField } from '../interactions/interaction-context.ts';
import { FIRST_PARTY_CLIENT_IDS } from '../oidc/first-party-clients.ts';
import type { AccountCookies } from './account-cookies.ts';
import type { AccountSignInFlow, SignedInAccount } from './account-sign-in.ts';
import type { AccountPageRenderer, Notice } from './render-account-page.ts';

type Form = Record<string, unknown>;
type FormStep = (ctx: Context, account: SignedInAccount, form: Form) => Promise<void>;

/** /account: the signed-in person's profile, password, sessions and connected apps; every form posts back here. */
export function buildAccountRoutes(deps: {
  signIn: AccountSignInFlow;
  selfService: SelfService;
  cookies: AccountCookies;
  views: ViewRenderer;
  render: AccountPageRenderer;
  minPasswordLength: number;
  /** Counts a password change refused because password hashing was at capacity. */
  recordBusy: () => void;
}) {
  const router = new Router();
  const parseForm = bodyParser({ enableTypes: ['form'], formLimit: '16kb', encoding: 'utf-8' });

  async function noStore(ctx: Context, next: Next) {
    ctx.set('Cache-Control', 'no-store'); // personal data, and forms with CSRF tokens
    await next();
  }

  /** A POST from the page: signed in (else back to /account, which signs in) and carrying the page's CSRF token. */
  const accountForm = (step: FormStep) => async (ctx: Context) => {
    const account = await deps.signIn.currentAccount(ctx);
    if (!account) {
      ctx.status = 303;
      ctx.redirect('/account');
      return;
    }
    const body = (ctx.request as { body?: unknown }).body;
    const form: Form = typeof body === 'object' && body !== null ? (body as Form) : {};
    if (!deps.cookies.isValidCsrfToken(account.session, form['csrf'])) {
      throw new HttpError(403, 'This page has expired', 'Reload the page and try again.', '/account', 'formExpired');
    }
    await step(ctx, account, form);
  };

  // No #fragment: a target element would stop the browser from focusing the notice (HTML's autofocus rules).
  const done = (ctx: Context, what: Notice) => {
    ctx.status = 303;
    ctx.redirect(`/account?done=${what}`);
  };

  const signedOut = async (ctx: Context, account: SignedInAccount, everywhere: boolean) => {
    if (everywhere) await deps.selfService.endAllSessions(account.user.id);
    else await deps.selfService.endSession(account.user.id, account.session.sessionUid);
    deps.cookies.clearSession(ctx);
    ctx.status = 303;
    ctx.redirect('/account/signed-out');
  };

  // The root of the issuer has nothing of its own: people who open it want their account.
  router.get('/', (ctx) => ctx.redirect('/account'));

  router.get('/account', noStore, async (ctx) => {
    const account = await deps.signIn.currentAccount(ctx);
    if (!account) return deps.signIn.redirectToSignIn(ctx);
    await deps.selfService.noteActivity({
      sessionUid: account.session.sessionUid,
      accountId: account.user.id,
      ip: ctx.ip || undefined,
      userAgent: ctx.get('user-agent') || undefined,
    });
    await deps.render.page(ctx, account);
  });

  router.get('/account/callback', noStore, (ctx) => deps.signIn.finishSignIn(ctx));

  router.get('/account/signed-out', noStore, (ctx) => deps.render.signedOut(ctx));

  router.post('/account/profile', noStore, parseForm, accountForm(async (ctx, account, form) => {
    const name = formField(form, 'name');
    const result = await deps.selfService.updateName(account.user.id, name);
    if (result === 'saved') return done(ctx, 'profile');
    const t = deps.views.locale(ctx).t;
    ctx.status = 422;
    const message = result === 'too_long' ? t('account.profile.nameTooLong', { max: MAX_NAME_LENGTH }) : t('account.profile.nameInvalid');
    await deps.render.page(ctx, account, { profile: { message, value: name } });
  }));

  router.post('/account/password', noStore, parseForm, accountForm(async (ctx, account, form) => {
    const result = await deps.selfService.changePassword(
      account.user.id,
      formField(form, 'current_password'),
      formField(form, 'new_password'),
      formField(form, 'confirm_password'),
      account.session.sessionUid,
    );
    if (result === 'changed') return done(ctx, 'password');
    if (result === 'busy') {
      deps.recordBusy();
      ctx.status = 503; // as the sign-in form answers it: nothing changed, send the form again in a moment
      ctx.set('Retry-After', String(BUSY_RETRY_AFTER_SECONDS));
      return deps.render.page(ctx, account, { password: { message: deps.views.locale(ctx).t('account.password.busy'), field: 'current_password' } });
    }
    const t = deps.views.locale(ctx).t;
    const failures = {
      wrong_current: { message: t('account.password.wrongCurrent'), field: 'current_password' },
      too_short: { message: t('account.password.tooShort', { min: deps.minPasswordLength }), field: 'new_password' },
      too_long: { message: t('account.password.tooLong', { max: MAX_PASSWORD_LENGTH }), field: 'new_password' },
      too_common: { message: t('account.password.tooCommon'), field: 'new_password' },
      mismatch: { message: t('account.password.mismatch'), field: 'confirm_password' },
    } as const;
    ctx.status = 422;
    await deps.render.page(ctx, account, { password: failures[result] });
  }));

  router.post('/account/sessions/end', noStore, parseForm, accountForm(async (ctx, account, form) => {
    const uid = formField(form, 'session');
    if (uid === account.session.sessionUid) return signedOut(ctx, account, false);
    if (uid) await deps.selfService.endSession(account.user.id, uid);
    done(ctx, 'session');
  }));

  router.post('/account/sessions/end-all', noStore, parseForm, accountForm((ctx, account) => signedOut(ctx, account, true)));

  router.post('/account/sign-out', noStore, parseForm, accountForm((ctx, account) => signedOut(ctx, account, false)));

  router.post('/account/apps/remove', noStore, parseForm, accountForm(async (ctx, account, form) => {
    const clientId = formField(form, 'client_id');
    if (clientId && !FIRST_PARTY_CLIENT_IDS.has(clientId)) await deps.selfService.removeAppAccess(account.user.id, clientId);
    done(ctx, 'app');
  }));

  return router;
}
