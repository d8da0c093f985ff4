/** A stand-in for the Actions OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The subject and context claims of a push to main, as GitHub writes them. */
const DEFAULT_CLAIMS = {
  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
  repository: 'octo-org/octo-repo',
  ref: 'refs/heads/main',
};

/** An unsigned JWT with GitHub's claims (`claims` replace or add to the defaults); moto's STS accepts it. */
function githubJwt(audience: string, claims: Record<string, unknown>): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode({
    iss: 'https://token.actions.githubusercontent.com',
    aud: audience,
    ...DEFAULT_CLAIMS,
    iat: now,
    exp: now + 300,
    ...claims,
  })}.`;
}

export interface OidcServer {
  url: string;
  token: string;
  /** Audiences asked for, in order. */
  audiences: string[];
  /** Every token handed out, in order. */
  tokens: string[];
  /** Claims the next tokens carry besides, or instead of, the defaults. */
  claims: Record<string, unknown>;
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
    tokens: [],
    claims: {},
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
    const token = githubJwt(audience, state.claims);
    state.tokens.push(token);
    response.end(JSON.stringify({ value: token }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token?api-version=2.0`;
  return state;
}
