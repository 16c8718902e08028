import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClientRegistry } from '../../../src/config/client-registry.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { linesOf, makeConfigDir } from './fixtures/config-dir.ts';

const SECRET = 'x'.repeat(43);

/** Writes clients.yaml and returns a loader for it (cwd = the temp dir, so messages say config/clients.yaml). */
function registryFrom(text: string, env: NodeJS.ProcessEnv = {}) {
  const { cwd, configDir } = makeConfigDir({ 'clients.yaml': text });
  return () => loadClientRegistry(path.join(configDir, 'clients.yaml'), env, { cwd });
}

const FILE = 'config/clients.yaml';

describe('loadClientRegistry', () => {
  it('fills the defaults of a minimal confidential client', () => {
    const load = registryFrom(`clients:\n  - client_id: app\n    client_secret: ${SECRET}\n    redirect_uris: [https://app.example.com/cb]\n`);
    expect(load()).toEqual({
      clients: [
        {
          client_id: 'app',
          client_secret: SECRET,
          application_type: 'web',
          redirect_uris: ['https://app.example.com/cb'],
          post_logout_redirect_uris: [],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
          scope: 'openid',
        },
      ],
      resources: [],
    });
  });

  it('refuses the client_id of Latchkey\'s own account page', () => {
    const load = registryFrom(`clients:\n  - client_id: latchkey-account\n    client_secret: ${SECRET}\n    redirect_uris: [https://app.example.com/cb]\n`);
    expect(load).toThrow(`config/clients.yaml: clients[0] (client_id "latchkey-account").client_id: is reserved for Latchkey's own account page`);
  });

  it('reads resources, their scopes and ttl, and lets clients use them', () => {
    const load = registryFrom(`
clients:
  - client_id: worker
    client_secret: \${WORKER_SECRET}
    grant_types: [client_credentials]
    scope: reports:read
    default_resource: https://api.example.com
resources:
  - identifier: https://api.example.com
    scopes: [reports:read]
    access_token_ttl: 2m
  - identifier: urn:example:other
`, { WORKER_SECRET: SECRET });
    const registry = load();
    expect(registry.clients[0]).toMatchObject({ client_secret: SECRET, response_types: [], default_resource: 'https://api.example.com' });
    expect(registry.resources).toEqual([
      { identifier: 'https://api.example.com', scopes: ['reports:read'], access_token_ttl: 120 },
      { identifier: 'urn:example:other', scopes: [], access_token_ttl: 600 },
    ]);
    expect(Object.isFrozen(registry.resources[0]?.scopes)).toBe(true);
  });

  it('takes the default resource ttl and signing algorithms from the options', () => {
    const { cwd, configDir } = makeConfigDir({
      'clients.yaml': `clients:\n  - client_id: a\n    token_endpoint_auth_method: none\n    redirect_uris: [https://a.example/cb]\n    id_token_signed_response_alg: EdDSA\nresources:\n  - identifier: https://api.example.com\n`,
    });
    const file = path.join(configDir, 'clients.yaml');
    expect(loadClientRegistry(file, {}, { cwd, accessTokenTtl: 42 }).resources[0]?.access_token_ttl).toBe(42);
    expect(linesOf(() => loadClientRegistry(file, {}, { cwd, signingAlgorithms: ['RS256'] }))).toEqual([
      `${FILE}: clients[0] (client_id "a").id_token_signed_response_alg: EdDSA is not in signing.algorithms of latchkey.yaml`,
    ]);
  });

  it('treats a missing or empty file as no clients', () => {
    expect(loadClientRegistry('/nonexistent/clients.yaml', {})).toEqual({ clients: [], resources: [] });
    expect(registryFrom('# nothing yet\n')()).toEqual({ clients: [], resources: [] });
    expect(registryFrom('clients:\nresources:\n')()).toEqual({ clients: [], resources: [] });
  });
});

describe('clients.yaml problems', () => {
  const publicClient = (extra: string) =>
    `clients:\n  - client_id: spa\n    token_endpoint_auth_method: none\n    redirect_uris: [https://spa.example.com/cb]\n${extra}`;

  it.each([
    ['an unknown key', publicClient('    redirect_uri: https://x/cb\n'), 'clients[0] (client_id "spa").redirect_uri: unknown key; remove it or fix its spelling'],
    ['a camelCase key', publicClient('    clientName: SPA\n'), 'clients[0] (client_id "spa").clientName: unknown key; keys are snake_case (did you mean "client_name"?)'],
    ['an unknown top-level key', 'client:\n  - client_id: a\n', 'client: unknown key; remove it or fix its spelling'],
    ['a wrong type', publicClient('    scope: [openid]\n'), 'clients[0] (client_id "spa").scope: must be a string'],
    ['a string for a list', 'clients:\n  client_id: a\n', 'clients: must be a list of clients'],
    ['a public client with a secret', publicClient(`    client_secret: ${SECRET}\n`), 'clients[0] (client_id "spa").client_secret: must not be set for a public client (token_endpoint_auth_method none); remove it, or use client_secret_basic'],
    ['a public client with client_credentials', publicClient('    grant_types: [authorization_code, client_credentials]\n'), 'clients[0] (client_id "spa").grant_types: client_credentials needs a confidential client; a public client (token_endpoint_auth_method none) has no secret'],
    ['refresh_token without authorization_code', publicClient('    grant_types: [refresh_token]\n'), 'clients[0] (client_id "spa").grant_types: refresh_token requires authorization_code (refresh tokens are issued from the code flow)'],
    ['response_types without the code grant', 'clients:\n  - client_id: w\n    client_secret: ' + SECRET + '\n    grant_types: [client_credentials]\n    response_types: [code]\n', 'clients[0] (client_id "w").response_types: code requires grant type authorization_code; remove response_types or add the grant'],
    ['an unknown scope', publicClient('    scope: openid billing:read\n'), 'clients[0] (client_id "spa").scope: unknown scope "billing:read"; known scopes are openid, profile, email, offline_access (declare API scopes under resources)'],
    ['an undeclared default_resource', publicClient('    default_resource: https://api.example.com\n'), 'clients[0] (client_id "spa").default_resource: no resource has identifier "https://api.example.com"; declare it under resources'],
    ['a CORS origin with a path', publicClient('    allowed_cors_origins: [https://spa.example.com/app]\n'), 'clients[0] (client_id "spa").allowed_cors_origins[0]: must be an origin (scheme://host[:port], no path or trailing slash); did you mean https://spa.example.com?'],
    ['an http logo', publicClient('    logo_uri: http://spa.example.com/logo.png\n'), 'clients[0] (client_id "spa").logo_uri: must use https (http is allowed only for localhost)'],
    ['a bad client_id', 'clients:\n  - client_id: "my app"\n    token_endpoint_auth_method: none\n    redirect_uris: [https://a.example/cb]\n', 'clients[0] (client_id "my app").client_id: must be 1 to 100 characters of A-Z a-z 0-9 . _ ~ : -'],
    ['a missing client_id', 'clients:\n  - client_name: Nameless\n    token_endpoint_auth_method: none\n    redirect_uris: [https://a.example/cb]\n', 'clients[0].client_id: required'],
    ['a list item that is not a mapping', 'clients:\n  - spa\n', 'clients[0]: must be a mapping of client metadata (client_id: ..., redirect_uris: ...)'],
  ])('reports %s', (_, text, expected) => {
    expect(linesOf(registryFrom(text))).toEqual([`${FILE}: ${expected}`]);
  });

  it.each([
    ['relative', 'callback', 'must be an absolute URI like https://app.example.com/callback'],
    ['with a fragment', 'https://spa.example.com/cb#top', 'must not contain a fragment (#...) (RFC 6749 §3.1.2)'],
    ['with an app scheme on a web client', 'com.example.app:/cb', 'web clients may use only http or https; set application_type: native for an app URI scheme'],
  ])('reports a redirect URI %s', (_, uri, message) => {
    const text = `clients:\n  - client_id: spa\n    token_endpoint_auth_method: none\n    redirect_uris: ["${uri}"]\n`;
    expect(linesOf(registryFrom(text))).toEqual([`${FILE}: clients[0] (client_id "spa").redirect_uris[0]: ${message}`]);
  });

  it('reports a duplicate redirect URI', () => {
    const text = publicClient('    post_logout_redirect_uris: [https://spa.example.com/, https://spa.example.com/]\n');
    expect(linesOf(registryFrom(text))).toEqual([
      `${FILE}: clients[0] (client_id "spa").post_logout_redirect_uris[1]: duplicate URI "https://spa.example.com/"`,
    ]);
  });

  it('applies RFC 8252 to native clients', () => {
    const text = `clients:
  - client_id: desktop
    application_type: native
    token_endpoint_auth_method: none
    redirect_uris:
      - com.example.desktop:/cb
      - http://127.0.0.1/cb
      - "http://[::1]:8123/cb"
      - https://desktop.example.com/cb
      - http://localhost:8123/cb
      - myapp:/cb
      - http://desktop.example.com/cb
`;
    expect(linesOf(registryFrom(text))).toEqual([
      `${FILE}: clients[0] (client_id "desktop").redirect_uris[4]: native clients must use the loopback IP, http://127.0.0.1:<port>/ or http://[::1]:<port>/, not localhost (RFC 8252 §8.3)`,
      `${FILE}: clients[0] (client_id "desktop").redirect_uris[5]: private-use scheme "myapp" must be a reverse domain name you control, like com.example.app:/callback (RFC 8252 §7.1)`,
      `${FILE}: clients[0] (client_id "desktop").redirect_uris[6]: native clients may use http only with the loopback IP 127.0.0.1 or [::1] (RFC 8252 §7.3)`,
    ]);
  });

  it('requires a secret of at least 32 characters for confidential clients', () => {
    const text = `clients:
  - client_id: billing-web
    redirect_uris: [https://billing.example.com/cb]
  - client_id: reports
    client_secret: hunter2
    token_endpoint_auth_method: client_secret_post
    redirect_uris: [https://reports.example.com/cb]
`;
    expect(linesOf(registryFrom(text))).toEqual([
      `${FILE}: clients[0] (client_id "billing-web").client_secret: required for token_endpoint_auth_method client_secret_basic; generate one with \`openssl rand -base64 32\``,
      `${FILE}: clients[1] (client_id "reports").client_secret: must be at least 32 characters (has 7); generate one with \`openssl rand -base64 32\``,
    ]);
  });

  it('reads back-channel logout registrations and checks their URIs', () => {
    const confidential = (extra: string) =>
      `clients:\n  - client_id: web\n    client_secret: ${SECRET}\n    redirect_uris: [https://web.example.com/cb]\n${extra}`;
    const load = registryFrom(confidential('    backchannel_logout_uri: http://web.internal:8080/logout\n    backchannel_logout_session_required: true\n'));
    expect(load().clients[0]).toMatchObject({
      backchannel_logout_uri: 'http://web.internal:8080/logout',
      backchannel_logout_session_required: true,
    });
    expect(linesOf(registryFrom(confidential('    backchannel_logout_uri: "https://web.example.com/logout#x"\n')))).toEqual([
      `${FILE}: clients[0] (client_id "web").backchannel_logout_uri: must not contain a fragment (#...) (Back-Channel Logout §2.2)`,
    ]);
    expect(linesOf(registryFrom(confidential('    backchannel_logout_uri: /logout\n')))).toEqual([
      `${FILE}: clients[0] (client_id "web").backchannel_logout_uri: must be an absolute URL like https://app.example.com/backchannel-logout`,
    ]);
    expect(linesOf(registryFrom(confidential('    backchannel_logout_session_required: true\n')))).toEqual([
      `${FILE}: clients[0] (client_id "web").backchannel_logout_session_required: has no effect without backchannel_logout_uri; add the URI or remove this line`,
    ]);
    expect(linesOf(registryFrom(publicClient('    backchannel_logout_uri: http://spa.example.com/logout\n')))).toEqual([
      `${FILE}: clients[0] (client_id "spa").backchannel_logout_uri: must use https; http is allowed only for confidential clients (Back-Channel Logout §2.2) and localhost`,
    ]);
  });

  it('reports a duplicate client_id', () => {
    const text = publicClient('') + '  - client_id: spa\n    token_endpoint_auth_method: none\n    redirect_uris: [https://other.example.com/cb]\n';
    expect(linesOf(registryFrom(text))).toEqual([`${FILE}: clients[1] (client_id "spa").client_id: duplicate client_id; clients[0] already uses it`]);
  });

  it('reports a missing secret variable once, naming the variable', () => {
    const text = `clients:\n  - client_id: billing-web\n    client_secret: \${BILLING_WEB_SECRET}\n    redirect_uris: [https://billing.example.com/cb]\n`;
    expect(linesOf(registryFrom(text))).toEqual([
      `${FILE}: clients[0] (client_id "billing-web").client_secret: environment variable BILLING_WEB_SECRET is not set (or write \${BILLING_WEB_SECRET:-default} to give a default)`,
    ]);
  });

  it('checks resources', () => {
    const text = `resources:
  - identifier: https://api.example.com
    scopes: [read, openid, "two words"]
  - identifier: https://api.example.com
  - identifier: https://other.example.com
    scopes: [read]
  - identifier: /relative
    access_token_ttl: soon
`;
    expect(linesOf(registryFrom(text))).toEqual([
      `${FILE}: resources[0] (identifier "https://api.example.com").scopes[1]: is an OpenID Connect scope; give the API its own scope names`,
      `${FILE}: resources[0] (identifier "https://api.example.com").scopes[2]: must be a non-empty scope name without spaces or quotes (RFC 6749 §3.3)`,
      `${FILE}: resources[1] (identifier "https://api.example.com").identifier: duplicate identifier; resources[0] already declares it`,
      `${FILE}: resources[2] (identifier "https://other.example.com").scopes[0]: scope "read" already belongs to resource "https://api.example.com"; a scope may belong to only one resource`,
      `${FILE}: resources[3] (identifier "/relative").identifier: must be an absolute URI like https://api.example.com`,
      `${FILE}: resources[3] (identifier "/relative").access_token_ttl: invalid duration "soon": write a whole number followed by s, m, h or d (30s, 10m, 24h, 14d), or a plain number of seconds`,
    ]);
  });

  it('names the file and line of a YAML syntax error', () => {
    const text = 'clients:\n  - client_id: spa\n    redirect_uris: [https://spa.example.com/cb\n  - client_id: other\n';
    const [line, ...rest] = linesOf(registryFrom(text));
    expect(line).toMatch(/^config\/clients\.yaml: line \d+, column \d+: /);
    expect(rest.every((other) => other.startsWith(`${FILE}: line `))).toBe(true);
    expect(linesOf(registryFrom('clients:\n  - client_id: a\n  - client_id: b\n   bad: indent\n'))[0]).toMatch(/^config\/clients\.yaml: line 4, column \d+: /);
  });

  it('reports every problem of every client together, in file order', () => {
    const text = `clients:
  - client_id: billing-web
    client_secret: short
    redirect_uris: [callback, https://billing.example.com/cb#x]
    scope: openid billing:read
    color: blue
  - client_id: spa
    token_endpoint_auth_method: none
    client_secret: ${SECRET}
    redirect_uris: [https://spa.example.com/cb]
`;
    expect(linesOf(registryFrom(text))).toEqual([
      `${FILE}: clients[0] (client_id "billing-web").color: unknown key; remove it or fix its spelling`,
      `${FILE}: clients[0] (client_id "billing-web").client_secret: must be at least 32 characters (has 5); generate one with \`openssl rand -base64 32\``,
      `${FILE}: clients[0] (client_id "billing-web").redirect_uris[0]: must be an absolute URI like https://app.example.com/callback`,
      `${FILE}: clients[0] (client_id "billing-web").redirect_uris[1]: must not contain a fragment (#...) (RFC 6749 §3.1.2)`,
      `${FILE}: clients[0] (client_id "billing-web").scope: unknown scope "billing:read"; known scopes are openid, profile, email, offline_access (declare API scopes under resources)`,
      `${FILE}: clients[1] (client_id "spa").client_secret: must not be set for a public client (token_endpoint_auth_method none); remove it, or use client_secret_basic`,
    ]);
  });

  it('formats ConfigError.message with the file relative to cwd and the client id', () => {
    const { cwd } = makeConfigDir({
      'clients.yaml': `clients:\n  - client_id: spa\n    token_endpoint_auth_method: none\n    redirect_uris: [https://a.example/cb]\n  - client_id: billing-web\n    redirect_uris: [https://b.example/cb]\n`,
    });
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      'Invalid configuration (1 problem):\n  - config/clients.yaml: clients[1] (client_id "billing-web").client_secret: required for token_endpoint_auth_method client_secret_basic; generate one with `openssl rand -base64 32`',
    );
  });
});
