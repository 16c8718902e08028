/** The validated, frozen configuration that `loadConfig` returns; passed down as a parameter, never imported as a global. */
export interface LatchkeyConfig {
  /** Absolute http(s) URL, no trailing slash, no query or fragment. */
  issuer: string;
  port: number;
  /** Listen address. */
  host: string;
  /** Trust X-Forwarded-* headers. */
  proxy: boolean;
  logLevel: LogLevel;
  /** Reload clients.yaml when the file changes (SIGHUP reloads it either way). */
  watchClients: boolean;
  database: {
    url: string | undefined;
    poolMax: number;
    /** Absolute; used only when `url` is undefined (embedded database). */
    dataDir: string;
    /** Seconds to wait for a connection to a Postgres server (connect and pool acquire) before the request fails. */
    connectTimeout: number;
    /** Seconds a statement may run (Postgres statement_timeout). */
    statementTimeout: number;
    /** Whether the frequent statements are named, so a Postgres server plans them once per connection. */
    preparedStatements: boolean;
  };
  /** Worker processes on this machine (node:cluster); the embedded database always runs one. */
  cluster: { workers: number | 'auto' };
  /** OpenID Connect Back-Channel Logout delivery; durations in seconds. */
  backchannelLogout: {
    pollInterval: number;
    requestTimeout: number;
    retryDelay: number;
    maxAttempts: number;
    keepRecords: number;
  };
  /** Lifetimes in seconds. */
  ttl: {
    accessToken: number;
    idToken: number;
    refreshToken: number;
    authorizationCode: number;
    session: number;
    interaction: number;
    grant: number;
    clientCredentials: number;
  };
  /** `secrets` undefined = generated once and stored in the database. */
  cookies: { secrets: string[] | undefined };
  ui: {
    productName: string;
    logoUri: string | undefined;
    primaryColor: string;
    privacyPolicyUri: string | undefined;
    termsUri: string | undefined;
  };
  passwords: {
    minLength: number;
    argon2: { memoryCost: number; timeCost: number; parallelism: number };
    /** Bounds on argon2 work in each process; `auto` is decided at start (src/accounts/hashing-limits.ts). */
    hashing: {
      concurrency: number | 'auto';
      queue: number | 'auto';
      /** Seconds a hash may wait in the queue. */
      maxWait: number;
      /** libuv's threadpool size, where argon2 runs: UV_THREADPOOL_SIZE as libuv reads it (default 4), not a file setting. */
      threadpoolSize: number;
    };
  };
  signing: {
    /** RS256 is always present (OpenID Connect Core §15.1 makes it mandatory to implement). */
    algorithms: SigningAlgorithm[];
    /** Base64 of 32 bytes that encrypts the keys stored in the database; undefined = generated (embedded database only). */
    keyEncryptionKey: string | undefined;
    /** Keys that encrypted stored keys before `keyEncryptionKey`; what they encrypted is re-encrypted at start. */
    previousKeyEncryptionKeys: string[];
    /** Seconds each key signs before the next takes over (signing and cookie keys). */
    rotationInterval: number;
    /** Seconds a new key is published before it signs; at least `jwksMaxAge`. */
    publishLeadTime: number;
    /** Seconds relying parties may cache /jwks (its Cache-Control max-age). */
    jwksMaxAge: number;
  };
  /**
   * /metrics: on `port` alone when set (listening on `host`), otherwise on the main port and only with `token`.
   * A set token is required wherever they are served.
   */
  metrics: { port: number | undefined; host: string; token: string | undefined };
  /** Sign-in throttling; delays in seconds. */
  throttling: {
    perAccountAndIp: number;
    perAccount: number;
    perIp: number;
    baseDelay: number;
    maxDelay: number;
    resetAfter: number;
  };
  /** Seconds an audit event is kept. */
  audit: { retention: number };
  clients: readonly ClientMetadata[];
  resources: readonly ResourceServer[];
  /** Absolute paths of what was read (the files may not exist). */
  sources: { configDir: string; serverFile: string; clientsFile: string };
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type SigningAlgorithm = 'RS256' | 'ES256' | 'EdDSA';

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

/** Standard OAuth Dynamic Client Registration / OIDC Registration names, passed to oidc-provider as is. */
export interface ClientMetadata {
  client_id: string;
  client_secret?: string;
  client_name?: string;
  application_type: 'web' | 'native';
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  response_types: 'code'[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  /** Space separated. */
  scope: string;
  logo_uri?: string;
  client_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
  id_token_signed_response_alg?: SigningAlgorithm;
  /** Extra web origins allowed for CORS (not standard metadata: oidc-provider needs it declared as extra metadata). */
  allowed_cors_origins?: string[];
  /** Identifier of the API used when a token request names none (not standard metadata either). */
  default_resource?: string;
  /** OpenID Connect Back-Channel Logout 1.0 §2.2: where logout tokens are POSTed. */
  backchannel_logout_uri?: string;
  /** Whether logout tokens (and ID tokens) carry `sid`. */
  backchannel_logout_session_required?: boolean;
}

/** An API that access tokens can be issued for (RFC 8707 resource indicators). */
export interface ResourceServer {
  /** Absolute URI, becomes the token's `aud`. */
  identifier: string;
  name?: string;
  scopes: string[];
  /** Seconds. */
  access_token_ttl: number;
}

/** What clients.yaml declares; can be loaded and re-validated on its own. */
export interface ClientRegistry {
  clients: readonly ClientMetadata[];
  resources: readonly ResourceServer[];
}
