// The baseline: oidc-provider alone, in memory (bench/memory-adapter.ts), with the bench's clients, serving the same
// operations as Latchkey with the same token formats (opaque user tokens, RFC 9068 JWT access tokens for the API, RS256), the
// same argon2id check of the password, and consent remembered per account and client. Started by bench/run.ts as
// `node bench/baseline-server.ts` with BASELINE_CONFIG naming a JSON file (see BaselineConfig).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { createMemoryAdapter } from './memory-adapter.ts';

/** What bench/run.ts hands the baseline. */
export interface BaselineConfig {
  port: number;
  issuer: string;
  registry: { clients: Record<string, unknown>[]; resources: { identifier: string; scopes: string[] }[] };
  user: { sub: string; email: string; name: string; passwordHash: string };
}

const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];
const TTL = { AccessToken: 600, ClientCredentials: 600, AuthorizationCode: 60, IdToken: 3600, Interaction: 3600, Session: 14 * 86_400, Grant: 365 * 86_400 };

const config = JSON.parse(readFileSync(process.env['BASELINE_CONFIG'] ?? '', 'utf8')) as BaselineConfig;
const { user, registry } = config;
const rememberedGrants = new Map<string, string>();
const clientScopes = new Map(registry.clients.map((client) => [String(client['client_id']), String(client['scope']).split(' ')]));

const provider: Provider = new Provider(config.issuer, {
  adapter: createMemoryAdapter,
  clients: registry.clients.map((client) => ({
    ...(client as { client_id: string }),
    // As Latchkey's config loader: machine clients have no redirect URIs and no response types.
    redirect_uris: (client['redirect_uris'] as string[] | undefined) ?? [],
    response_types: (client['grant_types'] as string[]).includes('authorization_code') ? ['code'] : [],
    // As Latchkey: the provider's client scope holds only OpenID Connect scopes; API scopes go to resourceIndicators.
    scope: String(client['scope']).split(' ').filter((scope) => OIDC_SCOPES.includes(scope)).join(' ') || undefined,
  })),
  jwks: { keys: [await signingKey('RS256'), await signingKey('ES256')] },
  findAccount: async (_ctx, sub) =>
    sub === user.sub
      ? { accountId: sub, claims: () => ({ sub, email: user.email, email_verified: true, name: user.name, updated_at: 0 }) }
      : undefined,
  loadExistingGrant: async (ctx: KoaContextWithOIDC): Promise<InstanceType<Provider['Grant']> | undefined> => {
    const { session, client, result } = ctx.oidc;
    if (!client || !session) return undefined;
    const grantId = result?.['consent']?.grantId ?? session.grantIdFor(client.clientId) ?? rememberedGrants.get(`${session.accountId}|${client.clientId}`);
    return grantId ? provider.Grant.find(grantId) : undefined;
  },
  claims: { openid: ['sub'], profile: ['name', 'updated_at'], email: ['email', 'email_verified'] },
  scopes: OIDC_SCOPES,
  responseTypes: ['code'],
  clientDefaults: { grant_types: ['authorization_code'], response_types: ['code'], token_endpoint_auth_method: 'client_secret_basic', id_token_signed_response_alg: 'RS256' },
  clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
  enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256'], userinfoSigningAlgValues: ['RS256', 'ES256'] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  ttl: {
    ...TTL,
    RefreshToken: (ctx: KoaContextWithOIDC, token: { isSenderConstrained(): boolean }) => {
      const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
      return rotated && !token.isSenderConstrained() ? rotated.remainingTTL : 14 * 86_400;
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true, allowedPolicy: ownToken } as unknown as { enabled: false },
    revocation: { enabled: true, allowedPolicy: ownToken },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => {
        if (oneOf) return oneOf;
        if (ctx.oidc.params?.['grant_type'] !== 'client_credentials') return undefined;
        return apisOf(client.clientId)[0]?.identifier;
      },
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, indicator, client) => {
        const resource = apisOf(client.clientId).find((candidate) => candidate.identifier === indicator);
        if (!resource) throw new Error(`unknown resource ${indicator}`);
        const scopes = resource.scopes.filter((scope) => clientScopes.get(client.clientId)?.includes(scope));
        return { scope: scopes.join(' '), audience: indicator, accessTokenTTL: TTL.AccessToken, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
} satisfies Configuration);

provider.use(async function interactions(ctx: KoaContextWithOIDC, next: () => Promise<void>) {
  const match = /^\/interaction\/([^/]+)(?:\/(login|confirm))?$/.exec(ctx.path);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const uid = details.uid;
  ctx.set('cache-control', 'no-store');
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = details.prompt.name === 'login'
      ? `<form method="post" action="/interaction/${uid}/login"><input type="hidden" name="csrf" value="${uid}"><input name="email"><input name="password" type="password"><button>Sign in</button></form>`
      : `<form method="post" action="/interaction/${uid}/confirm"><input type="hidden" name="csrf" value="${uid}"><button>Allow</button></form>`;
    return;
  }
  const form = new URLSearchParams(await readBody(ctx.req));
  if (match[2] === 'login') {
    const valid = form.get('email') === user.email && (await argon2.verify(user.passwordHash, form.get('password') ?? ''));
    if (!valid) {
      ctx.type = 'html';
      ctx.body = '<p id="login-error">wrong email or password</p>';
      return;
    }
    return finish(ctx, { login: { accountId: user.sub, remember: true } });
  }
  const accountId = details.session?.accountId ?? user.sub;
  const clientId = String(details.params['client_id']);
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  const grantId = await grant.save();
  rememberedGrants.set(`${accountId}|${clientId}`, grantId);
  return finish(ctx, { consent: { grantId } });
});

provider.listen(config.port, '127.0.0.1');

async function finish(ctx: KoaContextWithOIDC, result: Parameters<Provider['interactionResult']>[2]) {
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
}

function apisOf(clientId: string) {
  return registry.resources.filter((resource) => resource.scopes.some((scope) => clientScopes.get(clientId)?.includes(scope)));
}

function ownToken(_ctx: KoaContextWithOIDC, client: { clientId: string }, token: { clientId?: string | undefined }) {
  return token.clientId === client.clientId;
}

async function signingKey(alg: 'RS256' | 'ES256') {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  return { ...(await exportJWK(privateKey)), kid: `${alg.toLowerCase()}-baseline`, alg, use: 'sig' };
}

async function readBody(request: NodeJS.ReadableStream): Promise<string> {
  let body = '';
  for await (const chunk of request) body += chunk.toString();
  return body;
}
