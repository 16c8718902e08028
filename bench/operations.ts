// The operations the bench drives. Each prepares what its virtual users need (untimed, outside the measured window)
// and returns one runner per user; a runner does exactly one operation per call and throws when it failed.
import type { BenchClients } from './bench-clients.ts';
import { basicAuth, postForm, requestTokens, expectJson, type Endpoints } from './endpoints.ts';
import { signIn, type SignInStep } from './sign-in-flow.ts';

export const OPERATION_NAMES = [
  'discovery',
  'jwks',
  'client_credentials',
  'sign_in',
  'refresh',
  'userinfo',
  'introspection',
  'revocation',
] as const;
export type OperationName = (typeof OPERATION_NAMES)[number];

/** A server under test, with the token chains its virtual users keep across operations. */
export interface Target {
  endpoints: Endpoints;
  clients: BenchClients;
  /** One refresh-token chain per virtual user (rotation: each refresh replaces it). */
  chains: { refreshToken: string; accessToken: string }[];
}

/** Thrown by a runner that has nothing left to do (a used-up token pool): that user stops, it is no error. */
export class RunnerDone extends Error {}

export type Runner = (afterStep?: (step: SignInStep) => void) => Promise<void>;

/** Runners for `users` virtual users; `expectedOps` sizes pools of single-use tokens. */
export async function prepareOperation(name: OperationName, target: Target, users: number, expectedOps: number): Promise<Runner[]> {
  const { endpoints, clients } = target;
  const each = (runner: (user: number) => Runner) => Array.from({ length: users }, (_, user) => runner(user));
  switch (name) {
    case 'discovery':
      return each(() => async () => void (await getJson(endpoints.discovery)));
    case 'jwks':
      return each(() => async () => {
        const { keys } = (await getJson(endpoints.jwks)) as { keys?: unknown[] };
        if (!keys?.length) throw new Error('the JWKS has no keys');
      });
    case 'client_credentials':
      return each(() => async () => {
        const tokens = await requestTokens(
          endpoints,
          { grant_type: 'client_credentials', scope: clients.api.scope },
          basicAuth(clients.service.clientId, clients.service.secret),
        );
        if (tokens.access_token.split('.').length !== 3) throw new Error('the client_credentials token is not a JWT');
      });
    case 'sign_in':
      // Consent was given once when the chains were made, so it is remembered here; no offline_access, no refresh token.
      return each(() => async (afterStep) => void (await signIn(endpoints, clients, { scope: 'openid profile email', afterStep })));
    case 'refresh':
      await ensureChains(target, users);
      return each((user) => async () => void (await refreshChain(target, user)));
    case 'userinfo':
      await freshAccessTokens(target, users);
      return each((user) => async () => {
        const response = await fetch(endpoints.userinfo, { headers: { authorization: `Bearer ${chainOf(target, user).accessToken}` } });
        const claims = (await expectJson(response, endpoints.userinfo)) as { sub?: unknown; email?: unknown };
        if (typeof claims.sub !== 'string' || claims.email !== clients.user.email) throw new Error('userinfo without sub or email');
      });
    case 'introspection':
      await freshAccessTokens(target, users);
      return each((user) => async () => {
        const body = (await postForm(endpoints.introspection, {
          token: chainOf(target, user).accessToken,
          token_type_hint: 'access_token',
          client_id: clients.spa.clientId,
        })) as { active?: unknown };
        if (body.active !== true) throw new Error('introspection says the access token is not active');
      });
    case 'revocation': {
      const pool = await mintDaemonTokens(target, expectedOps, users);
      return each(() => async () => {
        const token = pool.pop();
        if (token === undefined) throw new RunnerDone();
        const response = await fetch(endpoints.revocation, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...basicAuth(clients.daemon.clientId, clients.daemon.secret) },
          body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        });
        await response.body?.cancel();
        if (response.status !== 200) throw new Error(`${response.status} from ${endpoints.revocation.pathname}`);
      });
    }
  }
}

/** Makes sure every virtual user has a refresh-token chain: a sign-in with consent to offline_access each. */
export async function ensureChains(target: Target, users: number): Promise<void> {
  while (target.chains.length < users) {
    const tokens = await signIn(target.endpoints, target.clients, { scope: 'openid profile email offline_access', prompt: 'consent' });
    if (!tokens.refresh_token) throw new Error('no refresh token for offline_access');
    target.chains.push({ refreshToken: tokens.refresh_token, accessToken: tokens.access_token });
  }
}

/** One refresh of the user's chain, following rotation. */
async function refreshChain(target: Target, user: number): Promise<void> {
  const chain = chainOf(target, user);
  const tokens = await requestTokens(target.endpoints, {
    grant_type: 'refresh_token',
    refresh_token: chain.refreshToken,
    client_id: target.clients.spa.clientId,
  });
  if (!tokens.refresh_token) throw new Error('the refresh token was not rotated');
  chain.refreshToken = tokens.refresh_token;
  chain.accessToken = tokens.access_token;
}

/** Access tokens that will not expire during the next window: each chain refreshed once. */
async function freshAccessTokens(target: Target, users: number): Promise<void> {
  await ensureChains(target, users);
  await Promise.all(Array.from({ length: users }, (_, user) => refreshChain(target, user)));
}

/** Opaque client_credentials tokens of the daemon client, minted with `users` requests at a time. */
async function mintDaemonTokens(target: Target, count: number, users: number): Promise<string[]> {
  const pool: string[] = [];
  const auth = basicAuth(target.clients.daemon.clientId, target.clients.daemon.secret);
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (pool.length < count) {
        pool.push((await requestTokens(target.endpoints, { grant_type: 'client_credentials' }, auth)).access_token);
      }
    }),
  );
  return pool;
}

function chainOf(target: Target, user: number) {
  const chain = target.chains[user];
  if (!chain) throw new Error(`no token chain for virtual user ${user}`);
  return chain;
}

async function getJson(url: URL): Promise<unknown> {
  return expectJson(await fetch(url), url);
}
