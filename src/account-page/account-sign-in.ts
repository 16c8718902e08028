import type { Context } from 'koa';
import type Provider from 'oidc-provider';
import * as client from 'openid-client';
import { HttpError } from '../http/http-error.ts';
import type { AccountService } from '../accounts/account-service.ts';
import type { UserRecord } from '../db/queries/users.ts';
import type { AccountCookies, AccountSession } from './account-cookies.ts';
import type { AccountOidcClient } from './account-oidc-client.ts';

/** The person signed in to the account page, in a Latchkey session that still exists. */
export interface SignedInAccount {
  session: AccountSession;
  user: UserRecord;
}

/**
 * Signing in to the account page: through Latchkey's own authorization endpoint and hosted login, like any client,
 * and then bound to the Latchkey session that signed in. That binding is checked on every request, so ending the
 * session (from another device, by a password change, by signing out anywhere) signs the account page out too.
 */
export function buildAccountSignIn(deps: {
  getProvider: () => Provider;
  accounts: AccountService;
  cookies: AccountCookies;
  oidcClient: AccountOidcClient;
}) {
  return {
    /** The signed-in person, or undefined (and the stale cookie cleared) when the session behind it has ended. */
    async currentAccount(ctx: Context): Promise<SignedInAccount | undefined> {
      const session = deps.cookies.readSession(ctx);
      if (!session) return undefined;
      const [live, user] = await Promise.all([
        deps.getProvider().Session.findByUid(session.sessionUid),
        deps.accounts.findAccountById(session.sub),
      ]);
      if (!live || live.accountId !== session.sub || !user || user.disabledAt) {
        deps.cookies.clearSession(ctx);
        return undefined;
      }
      return { session, user };
    },

    /** Sends the browser to the authorization endpoint, keeping the checks for the way back in a cookie. */
    async redirectToSignIn(ctx: Context): Promise<void> {
      const { url, pending } = await deps.oidcClient.startSignIn();
      deps.cookies.writeSignIn(ctx, pending);
      ctx.status = 303;
      ctx.redirect(url.href);
    },

    /** The redirect back from the authorization endpoint: redeem the code, find the session it came from, sign in. */
    async finishSignIn(ctx: Context): Promise<void> {
      const pending = deps.cookies.readSignIn(ctx);
      if (!pending) throw signInFailed();
      deps.cookies.clearSignIn(ctx);
      const signIn = await deps.oidcClient.finishSignIn(ctx.querystring, pending).catch((error: unknown) => {
        // The person denied, the code expired or was used, the state does not match: start again, nothing more to say.
        if (error instanceof client.AuthorizationResponseError || error instanceof client.ResponseBodyError) throw signInFailed();
        throw error;
      });
      const provider = deps.getProvider();
      // The access token records the Latchkey session the code was issued in; the account page needs nothing else from it.
      const token = await provider.AccessToken.find(signIn.accessToken);
      const sessionUid = token?.sessionUid;
      await token?.destroy();
      const live = sessionUid ? await provider.Session.findByUid(sessionUid) : undefined;
      if (!sessionUid || live?.accountId !== signIn.sub) throw signInFailed();
      deps.cookies.writeSession(ctx, signIn.sub, sessionUid);
      ctx.status = 303;
      ctx.redirect('/account');
    },
  };
}

export type AccountSignInFlow = ReturnType<typeof buildAccountSignIn>;

function signInFailed(): HttpError {
  return new HttpError(400, 'Signing in to your account did not finish', 'Start again to sign in.', '/account', 'accountSignInFailed');
}
