/**
 * oidc-provider's cookie names. On https they carry the prefixes browsers enforce (RFC 6265bis §4.1.3): `__Host-`
 * for the session cookie (Secure, Path=/, no Domain, so no subdomain can set or shadow it), `__Secure-` for the two
 * interaction cookies, which oidc-provider scopes to /interaction/<uid> and /auth/<uid> and so cannot be `__Host-`.
 */
export function buildCookieNames(https: boolean): { session: string; interaction: string; resume: string } {
  if (!https) return { session: '_session', interaction: '_interaction', resume: '_interaction_resume' };
  return { session: '__Host-session', interaction: '__Secure-interaction', resume: '__Secure-interaction_resume' };
}
