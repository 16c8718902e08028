// The protocol requests of the bench, over fetch; every answer is checked, and a failure throws with what came back.

/** Where a server's endpoints are, from its discovery document. */
export interface Endpoints {
  issuer: string;
  discovery: URL;
  authorization: URL;
  token: URL;
  userinfo: URL;
  introspection: URL;
  revocation: URL;
  jwks: URL;
}

/** The token endpoint's answer. */
export interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
}

/** A request refused because the server is busy (503 with Retry-After): load shedding, not a failure. */
export class ServerBusyError extends Error {
  /** What Retry-After asked for, in seconds. */
  readonly retryAfterSeconds: number;

  constructor(url: URL, retryAfter: string | null) {
    super(`busy: 503 from ${url.pathname}`);
    this.name = 'ServerBusyError';
    this.retryAfterSeconds = Number(retryAfter) || 1;
  }
}

/** Reads the discovery document of `issuer`. */
export async function discoverEndpoints(issuer: string): Promise<Endpoints> {
  const discovery = new URL(`${issuer}/.well-known/openid-configuration`);
  const document = (await expectJson(await fetch(discovery), discovery)) as Record<string, unknown>;
  const url = (name: string) => {
    const value = document[name];
    if (typeof value !== 'string') throw new Error(`the discovery document of ${issuer} has no ${name}`);
    return new URL(value);
  };
  return {
    issuer,
    discovery,
    authorization: url('authorization_endpoint'),
    token: url('token_endpoint'),
    userinfo: url('userinfo_endpoint'),
    introspection: url('introspection_endpoint'),
    revocation: url('revocation_endpoint'),
    jwks: url('jwks_uri'),
  };
}

/** HTTP Basic client authentication (RFC 6749 §2.3.1: id and secret form-urlencoded first). */
export function basicAuth(clientId: string, secret: string): Record<string, string> {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}` };
}

/** POSTs a form and returns the parsed JSON of a 200 answer. */
export async function postForm(url: URL, form: Record<string, string>, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return expectJson(response, url);
}

/** POSTs a form to the token endpoint and checks that an access token came back. */
export async function requestTokens(endpoints: Endpoints, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenResponse> {
  const body = (await postForm(endpoints.token, form, headers)) as Partial<TokenResponse>;
  if (typeof body.access_token !== 'string') throw new Error(`no access_token from ${endpoints.token.pathname}: ${JSON.stringify(body).slice(0, 200)}`);
  return body as TokenResponse;
}

/** The JSON body of a 200 answer; anything else throws with the status and the start of the body. */
export async function expectJson(response: Response, url: URL): Promise<unknown> {
  if (response.status === 503 && response.headers.has('retry-after')) {
    await response.body?.cancel();
    throw new ServerBusyError(url, response.headers.get('retry-after'));
  }
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${response.status} from ${url.pathname}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON from ${url.pathname}: ${text.slice(0, 200)}`);
  }
}
