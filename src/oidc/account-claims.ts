import type { FindAccount } from 'oidc-provider';
import type { AccountService } from '../accounts/account-service.ts';
import { buildUserClaims } from '../accounts/claims.ts';

/** oidc-provider's findAccount: a disabled or deleted user is no account, so their sessions and tokens stop working. */
export function buildFindAccount(accounts: AccountService): FindAccount {
  return async (_ctx, sub) => {
    const user = await accounts.findAccountForRequest(sub);
    if (!user || user.disabledAt) return undefined;
    return { accountId: user.id, claims: () => buildUserClaims(user) };
  };
}
