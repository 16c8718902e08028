// A relying party's back-channel logout endpoint (OpenID Connect Back-Channel Logout 1.0 §2.5) on 127.0.0.1: it records
// every logout token it is sent, can be told to fail the next requests, and validates tokens as §2.6 asks an RP to.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** One POST the receiver got. */
export interface ReceivedLogout {
  path: string;
  contentType: string | undefined;
  logoutToken: string | undefined;
  /** The status the receiver answered with. */
  answered: number;
}

export interface LogoutReceiver {
  /** http://127.0.0.1:<port><path> */
  url(path?: string): string;
  /** Every request so far, failed ones included. */
  readonly received: ReceivedLogout[];
  /** The logout tokens of the requests answered 200. */
  accepted(): string[];
  /** Answers the next `count` requests with `status` instead of 200. */
  failNext(count: number, status?: number): void;
  /** Waits until `count` tokens were accepted, or throws after `timeoutMs` naming what arrived. */
  waitForAccepted(count: number, timeoutMs?: number): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts a receiver on a free 127.0.0.1 port. */
export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const received: ReceivedLogout[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 503 };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const failing = failures.count > 0;
      if (failing) failures = { ...failures, count: failures.count - 1 };
      const answered = req.method !== 'POST' ? 405 : failing ? failures.status : 200;
      received.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        logoutToken: new URLSearchParams(body).get('logout_token') ?? undefined,
        answered,
      });
      // §2.8: an RP answers 200 and tells caches not to keep the response.
      res.writeHead(answered, { 'cache-control': 'no-store' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const accepted = () => received.filter((request) => request.answered === 200).flatMap((request) => request.logoutToken ?? []);

  return {
    url: (path = '/backchannel-logout') => `http://127.0.0.1:${port}${path}`,
    received,
    accepted,
    failNext(count, status = 503) {
      failures = { count, status };
    },
    async waitForAccepted(count, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (accepted().length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} accepted logout token(s), got ${accepted().length} (requests: ${JSON.stringify(received.map((r) => r.answered))})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return accepted();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Validates a logout token as an RP must (§2.6): signature by a key of the issuer's JWKS, iss, aud, iat and exp,
 * `typ: logout+jwt`, the back-channel logout event, sub or sid, and no nonce. Returns its claims and header.
 */
export async function verifyLogoutToken(
  token: string,
  expected: { issuer: string; clientId: string },
): Promise<{ payload: JWTPayload & { sid?: string; events?: Record<string, unknown> }; header: ReturnType<typeof decodeProtectedHeader> }> {
  const jwks = createRemoteJWKSet(new URL(`${expected.issuer}/jwks`));
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: expected.issuer,
    audience: expected.clientId,
    typ: 'logout+jwt',
    requiredClaims: ['iat', 'exp', 'jti', 'events'],
  });
  const events = payload['events'] as Record<string, unknown> | undefined;
  if (!events || typeof events[BACKCHANNEL_LOGOUT_EVENT] !== 'object') throw new Error('the events claim lacks the back-channel logout event');
  if (payload.sub === undefined && payload['sid'] === undefined) throw new Error('a logout token needs sub or sid');
  if ('nonce' in payload) throw new Error('a logout token must not contain a nonce (§2.4)');
  return { payload, header: protectedHeader };
}
