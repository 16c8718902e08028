import type Provider from 'oidc-provider';
import type { ResourceServer } from '../config/types.ts';
import type { UserRecord } from '../db/queries/users.ts';
import type { AccountGrantRow, AccountSessionRow } from '../db/queries/account-page.ts';
import type { SelfService } from '../accounts/self-service.ts';
import type { Translator } from '../i18n/message-catalog.ts';
import { describeOidcScopes, describeResourceScopes, type DescribedScope } from '../oidc/scope-descriptions.ts';
import { FIRST_PARTY_CLIENT_IDS } from '../oidc/first-party-clients.ts';
import { findClientDisplay, type ClientDisplay } from '../interactions/client-display.ts';
import { describeDevice } from './describe-device.ts';
import { formatAbsoluteTime, formatRelativeTime } from './format-time.ts';

/** A moment as the page shows it: relative text, a full date for the tooltip, and ISO 8601 for <time datetime>. */
interface ShownTime {
  text: string;
  full: string;
  iso: string;
}

interface SessionView {
  uid: string;
  current: boolean;
  device: string;
  ip: string | undefined;
  lastActive: ShownTime | undefined;
  signedIn: ShownTime | undefined;
  apps: string[];
}

interface AppView {
  client: ClientDisplay;
  scopes: DescribedScope[];
  resources: { name: string; scopes: DescribedScope[] }[];
  allowed: ShownTime | undefined;
}

/** Everything the account page lists for one person, in their language. */
export async function buildAccountView(deps: {
  selfService: SelfService;
  provider: Provider;
  resources: readonly ResourceServer[];
  user: UserRecord;
  currentSessionUid: string;
  locale: Translator;
  now: Date;
}) {
  const { locale, now } = deps;
  const shown = (time: Date | undefined): ShownTime | undefined =>
    time && {
      text: formatRelativeTime(time, now, locale.lang, locale.t('time.justNow')),
      full: formatAbsoluteTime(time, locale.lang),
      iso: time.toISOString(),
    };
  const [sessionRows, grantRows] = await Promise.all([
    deps.selfService.listSessions(deps.user.id),
    deps.selfService.listGrants(deps.user.id),
  ]);
  const clientIds = new Set([...sessionRows.flatMap((row) => row.clientIds), ...grantRows.map((row) => row.clientId)]);
  const clients = new Map(
    await Promise.all([...clientIds].map(async (id) => [id, await findClientDisplay(deps.provider, id)] as const)),
  );
  const nameOf = (clientId: string) => clients.get(clientId)?.name ?? clientId;

  const sessions = sessionRows
    .map((row): SessionView => ({
      uid: row.uid,
      current: row.uid === deps.currentSessionUid,
      device: deviceName(row, locale),
      ip: row.ip,
      lastActive: shown(row.lastSeenAt),
      signedIn: shown(row.signedInAt ?? (row.loginTs === undefined ? undefined : new Date(row.loginTs * 1000))),
      apps: row.clientIds.filter((id) => !FIRST_PARTY_CLIENT_IDS.has(id)).map(nameOf),
    }))
    .sort((a, b) => Number(b.current) - Number(a.current)); // this device first, then most recently used

  return {
    user: { email: deps.user.email, name: deps.user.name ?? '' },
    sessions,
    apps: buildApps(grantRows, clients, deps.resources, locale, shown),
  };
}

function deviceName(row: AccountSessionRow, locale: Translator): string {
  const { browser, os } = describeDevice(row.userAgent);
  if (browser && os) return locale.t('account.sessions.device', { browser, os });
  return browser ?? os ?? locale.t('account.sessions.unknownDevice');
}

/** One entry per client, with everything its grants allow together; Latchkey's own pages are not "apps". */
function buildApps(
  grants: readonly AccountGrantRow[],
  clients: ReadonlyMap<string, ClientDisplay>,
  resources: readonly ResourceServer[],
  locale: Translator,
  shown: (time: Date | undefined) => ShownTime | undefined,
): AppView[] {
  const byClient = new Map<string, AccountGrantRow[]>();
  for (const grant of grants) {
    if (FIRST_PARTY_CLIENT_IDS.has(grant.clientId)) continue;
    byClient.set(grant.clientId, [...(byClient.get(grant.clientId) ?? []), grant]);
  }
  const resourceByIdentifier = new Map(resources.map((resource) => [resource.identifier, resource]));
  return [...byClient].map(([clientId, clientGrants]) => {
    const oidcScopes = new Set(clientGrants.flatMap((grant) => grant.oidcScope.split(' ')));
    const resourceScopes = new Map<string, Set<string>>();
    for (const grant of clientGrants) {
      for (const [identifier, scope] of Object.entries(grant.resources)) {
        resourceScopes.set(identifier, new Set([...(resourceScopes.get(identifier) ?? []), ...scope.split(' ')]));
      }
    }
    const firstAllowed = Math.min(...clientGrants.map((grant) => grant.issuedAt ?? Infinity));
    return {
      client: clients.get(clientId) ?? { clientId, name: clientId, logoUri: undefined, uri: undefined, policyUri: undefined, tosUri: undefined, firstParty: false },
      scopes: describeOidcScopes(oidcScopes, locale.t),
      resources: [...resourceScopes].flatMap(([identifier, scopes]) => {
        const resource = resourceByIdentifier.get(identifier);
        return resource ? [{ name: resource.name ?? identifier, scopes: describeResourceScopes(resource, scopes) }] : [];
      }),
      allowed: shown(Number.isFinite(firstAllowed) ? new Date(firstAllowed * 1000) : undefined),
    };
  }).sort((a, b) => a.client.name.localeCompare(b.client.name, locale.lang));
}
