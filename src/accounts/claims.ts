import type { UserRecord } from '../db/queries/users.ts';

/** OpenID Connect standard claims released per scope (Core §5.4). */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'updated_at'],
  email: ['email', 'email_verified'],
} as const;

/** Every claim Latchkey can state about a user; oidc-provider filters them by the granted scopes and claims. */
export function buildUserClaims(user: UserRecord): { sub: string; [claim: string]: unknown } {
  const claims: { sub: string; [claim: string]: unknown } = {
    sub: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    updated_at: Math.floor(user.updatedAt.getTime() / 1000),
  };
  if (user.name !== null) claims['name'] = user.name;
  if (user.givenName !== null) claims['given_name'] = user.givenName;
  if (user.familyName !== null) claims['family_name'] = user.familyName;
  return claims;
}
