/** A stand-in for the Actions OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An unsigned JWT with GitHub's claims; moto's STS accepts it. */
export function githubJwt(audience: string): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
    iss: 'https://token.actions.githubusercontent.com',
    aud: audience,
    sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    iat: now,
    exp: now + 300,
  })}.`;
}

export interface OidcServer {
  url: string;
  token: string;
  /** Audiences asked for, in order. */
  audiences: string[];
  /** Fail the next N requests with HTTP 500. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export async function startOidcServer(): Promise<OidcServer> {
  let failures = 0;
  const state: OidcServer = {
    url: '',
    token: 'oidc-request-token',
    audiences: [],
    failNext: (n) => {
      failures = n;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.headers.authorization !== `Bearer ${state.token}`) {
      response.writeHead(401).end();
      return;
    }
    if (failures > 0) {
      failures -= 1;
      response.writeHead(500).end('{"message":"try again"}');
      return;
    }
    const audience = url.searchParams.get('audience') ?? '';
    state.audiences.push(audience);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ value: githubJwt(audience) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
  return state;
}
