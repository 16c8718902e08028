import type { ResourceServer } from '../config/types.ts';

/** Plain-words descriptions of the scopes a person is asked to allow. */
const OIDC_SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Confirm who you are',
  profile: 'See your name and profile details',
  email: 'See your email address',
  offline_access: 'Stay connected when you are not using it',
};

export interface DescribedScope {
  name: string;
  description: string;
}

/** Describes OpenID Connect scopes for the consent page, in a stable order. */
export function describeOidcScopes(scopes: Iterable<string>): DescribedScope[] {
  return [...scopes]
    .filter((scope) => scope in OIDC_SCOPE_DESCRIPTIONS)
    .map((scope) => ({ name: scope, description: OIDC_SCOPE_DESCRIPTIONS[scope] ?? scope }));
}

/** Describes an API's scopes; an API scope like `invoices:read` reads as "invoices: read". */
export function describeResourceScopes(resource: ResourceServer, scopes: Iterable<string>): DescribedScope[] {
  return [...scopes].map((scope) => ({ name: scope, description: humanizeScope(scope) }));
}

function humanizeScope(scope: string): string {
  const [subject, action] = scope.split(':');
  if (!action || !subject) return scope;
  return `${action.charAt(0).toUpperCase()}${action.slice(1)} ${subject}`;
}
