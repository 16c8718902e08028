import type { ResourceServer } from '../config/types.ts';

/** Scopes with a plain-words title and a line naming the claims they release (messages scope.<name>.title / .detail). */
const DESCRIBED_OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export interface DescribedScope {
  name: string;
  title: string;
  /** What exactly the app gets, e.g. which claims; absent for API scopes, which only have their name. */
  detail: string | undefined;
}

/** Describes OpenID Connect scopes for the consent and account pages, in a stable order, in the person's language. */
export function describeOidcScopes(scopes: Iterable<string>, t: (key: string) => string): DescribedScope[] {
  const requested = new Set(scopes);
  return DESCRIBED_OIDC_SCOPES.filter((scope) => requested.has(scope)).map((scope) => ({
    name: scope,
    title: t(`scope.${scope}.title`),
    detail: t(`scope.${scope}.detail`),
  }));
}

/** Describes an API's scopes; an API scope like `invoices:read` reads as "Read invoices". */
export function describeResourceScopes(_resource: ResourceServer, scopes: Iterable<string>): DescribedScope[] {
  return [...scopes].map((scope) => ({ name: scope, title: humanizeScope(scope), detail: undefined }));
}

function humanizeScope(scope: string): string {
  const [subject, action] = scope.split(':');
  if (!action || !subject) return scope;
  return `${action.charAt(0).toUpperCase()}${action.slice(1)} ${subject}`;
}
