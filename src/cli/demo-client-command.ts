import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import * as oidc from 'openid-client';
import { loadConfig } from '../config/load-config.ts';
import { UsageError } from './read-password.ts';

export const DEMO_CLIENT_HELP = `Usage: latchkey demo-client [--client CLIENT_ID] [--issuer URL]

Runs a small relying party on this machine so you can try signing in end to end: it uses the
authorization code flow with PKCE as a public client, shows the ID token claims and userinfo,
and signs you out again. The client must be registered in clients.yaml with token_endpoint_auth_method
none and a redirect URI on http://localhost:<port>/... (the shipped example-spa is).

Options:
  --client CLIENT_ID   the client to act as (default: example-spa)
  --issuer URL         the Latchkey to use (default: the issuer of ./config)
`;

interface PendingSignIn {
  codeVerifier: string;
  nonce: string;
}

/** `latchkey demo-client` */
export async function runDemoClientCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { client: { type: 'string' }, issuer: { type: 'string' } } });
  const config = loadConfig({});
  const clientId = values.client ?? 'example-spa';
  const registered = config.clients.find((client) => client.client_id === clientId);
  if (!registered) throw new UsageError(`There is no client "${clientId}" in ${config.sources.clientsFile}.`);
  if (registered.token_endpoint_auth_method !== 'none') throw new UsageError(`${clientId} is not a public client.`);
  const redirectUri = registered.redirect_uris.map((uri) => new URL(uri)).find((url) => url.protocol === 'http:' && url.port);
  if (!redirectUri) throw new UsageError(`${clientId} has no http://localhost:<port>/... redirect URI.`);

  const issuer = new URL(values.issuer ?? config.issuer);
  const server = await oidc.discovery(issuer, clientId, undefined, oidc.None(), {
    execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
  });
  const pending = new Map<string, PendingSignIn>();
  const scope = registered.scope;
  const postLogoutRedirectUri = registered.post_logout_redirect_uris[0];

  const app = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', redirectUri.origin);
      if (url.pathname === redirectUri.pathname) {
        const state = url.searchParams.get('state') ?? '';
        const signIn = pending.get(state);
        pending.delete(state);
        if (!signIn) return send(res, 400, page('Unknown or used sign-in', '<p><a href="/">Start again</a></p>'));
        const tokens = await oidc.authorizationCodeGrant(server, url, {
          pkceCodeVerifier: signIn.codeVerifier,
          expectedNonce: signIn.nonce,
          expectedState: state,
        });
        const claims = tokens.claims();
        const userinfo = claims ? await oidc.fetchUserInfo(server, tokens.access_token, claims.sub) : undefined;
        const logout = postLogoutRedirectUri && tokens.id_token
          ? oidc.buildEndSessionUrl(server, { id_token_hint: tokens.id_token, post_logout_redirect_uri: postLogoutRedirectUri }).href
          : undefined;
        return send(res, 200, page('Signed in', [
          '<h2>ID token claims</h2>', `<pre>${escapeHtml(JSON.stringify(claims, null, 2))}</pre>`,
          '<h2>Userinfo</h2>', `<pre>${escapeHtml(JSON.stringify(userinfo, null, 2))}</pre>`,
          `<p>Refresh token: ${tokens.refresh_token ? 'received' : 'none (ask for offline_access)'}</p>`,
          logout ? `<p><a href="${escapeHtml(logout)}">Sign out</a></p>` : '',
        ].join('\n')));
      }
      if (url.pathname === '/login') {
        const codeVerifier = oidc.randomPKCECodeVerifier();
        const state = oidc.randomState();
        const nonce = oidc.randomNonce();
        pending.set(state, { codeVerifier, nonce });
        const authorizationUrl = oidc.buildAuthorizationUrl(server, {
          redirect_uri: redirectUri.href,
          scope,
          state,
          nonce,
          code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
          code_challenge_method: 'S256',
        });
        res.writeHead(302, { Location: authorizationUrl.href }).end();
        return;
      }
      send(res, 200, page(`Demo client "${clientId}"`, `<p><a href="/login">Sign in with ${escapeHtml(issuer.href)}</a></p>`));
    })().catch((error: unknown) => {
      send(res, 500, page('Sign-in failed', `<pre>${escapeHtml(error instanceof Error ? error.message : String(error))}</pre><p><a href="/">Start again</a></p>`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    app.once('error', reject);
    app.listen(Number(redirectUri.port), redirectUri.hostname === 'localhost' ? '127.0.0.1' : redirectUri.hostname, resolve);
  });
  console.log(`Demo client "${clientId}" is running: open ${redirectUri.origin}/ in a browser (Ctrl+C stops it).`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  app.close();
}

function send(res: import('node:http').ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>${body}</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
