/** The words of a failed first run: no credentials, a refused OIDC token, an unresolvable endpoint. */
import { describe, expect, it } from '@jest/globals';
import { setupProblem } from '../../src/aws/errors.js';
import { tokenClaims, webIdentityRefusal } from '../../src/aws/web-identity.js';
import { DataError } from '../../src/errors.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (payload: unknown): string =>
  `${encode({ alg: 'RS256', kid: 'k' })}.${encode(payload)}.c2lnbmF0dXJl`;

const GITHUB_PAYLOAD = {
  iss: 'https://token.actions.githubusercontent.com',
  aud: 'sts.amazonaws.com',
  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
  repository: 'octo-org/octo-repo',
  ref: 'refs/heads/main',
  actor: 'octocat',
  exp: 1,
};

function named(name: string, message = name, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('tokenClaims', () => {
  it('reads the claims a trust policy conditions on, and only those', () => {
    expect(tokenClaims(jwt(GITHUB_PAYLOAD))).toEqual({
      iss: 'https://token.actions.githubusercontent.com',
      aud: 'sts.amazonaws.com',
      sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
      repository: 'octo-org/octo-repo',
      ref: 'refs/heads/main',
    });
  });

  it('joins a list audience and skips claims that are not text', () => {
    expect(tokenClaims(jwt({ aud: ['a', 'b'], sub: 42, ref: ['x', 1], environment: null }))).toEqual({
      aud: 'a, b',
    });
  });

  it.each([
    ['empty', ''],
    ['one part', 'abc'],
    ['two parts', `${encode({})}.${encode(GITHUB_PAYLOAD)}`],
    ['four parts', `a.${encode(GITHUB_PAYLOAD)}.c.d`],
    ['an empty payload', 'a..c'],
    ['a payload that is not base64 JSON', 'a.%%%.c'],
    ['a JSON list', `a.${encode(['sub'])}.c`],
    ['JSON null', `a.${encode(null)}.c`],
  ])('gives nothing for %s', (_, token) => {
    expect(tokenClaims(token)).toEqual({});
  });

  it('caps a long claim', () => {
    const sub = tokenClaims(jwt({ sub: 'x'.repeat(10_000) })).sub!;
    expect(Array.from(sub)).toHaveLength(256);
    expect(sub.endsWith('…')).toBe(true);
  });
});

describe('webIdentityRefusal', () => {
  const request = { roleArn: 'arn:aws:iam::123456789012:role/report', audience: 'sts.amazonaws.com' };
  const token = jwt(GITHUB_PAYLOAD);

  it('AccessDenied: the sub and aud the trust policy must allow, never the token', () => {
    const message = webIdentityRefusal(
      request,
      named('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'),
      token,
    )!;
    expect(message).toContain('Could not assume arn:aws:iam::123456789012:role/report with GitHub OIDC');
    expect(message).toContain('(AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity)');
    expect(message).toContain(
      'token.actions.githubusercontent.com:sub = `repo:octo-org/octo-repo:ref:refs/heads/main`',
    );
    expect(message).toContain('token.actions.githubusercontent.com:aud = `sts.amazonaws.com`');
    expect(message).toContain('repository = `octo-org/octo-repo`');
    expect(message).not.toContain('octocat');
    for (const part of token.split('.')) expect(message).not.toContain(part);
  });

  it.each([
    ['InvalidIdentityTokenException', 'identity provider for https://token.actions.githubusercontent.com'],
    ['IDPRejectedClaimException', 'The identity provider rejected the token.'],
    ['ExpiredTokenException', 'run the job again'],
  ])('%s says what it means', (name, meaning) => {
    const message = webIdentityRefusal(request, named(name), token)!;
    expect(message).toContain(meaning);
    expect(message).toContain(':sub = `repo:octo-org/octo-repo:ref:refs/heads/main`');
  });

  it('takes the condition keys from the issuer', () => {
    const enterprise = jwt({ ...GITHUB_PAYLOAD, iss: 'https://token.actions.githubusercontent.com/acme' });
    expect(webIdentityRefusal(request, named('AccessDenied'), enterprise)).toContain(
      'token.actions.githubusercontent.com/acme:sub = ',
    );
  });

  it('without readable claims, names the audience asked for', () => {
    const message = webIdentityRefusal(request, named('AccessDenied'), 'not-a-jwt')!;
    expect(message).toContain("token.actions.githubusercontent.com:sub = this job's subject");
    expect(message).toContain('token.actions.githubusercontent.com:aud = `sts.amazonaws.com`');
  });

  it.each(['IDPCommunicationErrorException', 'ThrottlingException', 'Error'])('leaves %s alone', (name) => {
    expect(webIdentityRefusal(request, named(name), token)).toBeUndefined();
  });
});

describe('setupProblem', () => {
  const noCredentials = named('CredentialsProviderError', 'Could not load credentials from any providers');
  const wrapped = (cause: unknown): DataError =>
    new DataError('Listing service networks failed: …', { cause });
  const notFound = (hostname: string, code = 'ENOTFOUND'): Error =>
    Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code, hostname, syscall: 'getaddrinfo' });

  it('no credentials, in the action: role-to-assume and id-token: write', () => {
    const problem = setupProblem(wrapped(noCredentials), { runner: 'action', region: 'us-east-1' })!;
    expect(problem).toBeInstanceOf(DataError);
    expect(problem.message).toMatch(/^No AWS credentials: role-to-assume is empty/);
    expect(problem.message).toContain(
      'CredentialsProviderError: Could not load credentials from any providers',
    );
    expect(problem.message).toContain('`role-to-assume`');
    expect(problem.message).toContain('`permissions: id-token: write`');
  });

  it('no credentials, in the CLI: a profile or keys', () => {
    const message = setupProblem(noCredentials, { runner: 'cli', region: 'us-east-1' })!.message;
    expect(message).toContain('AWS_PROFILE');
    expect(message).toContain('AWS_ACCESS_KEY_ID');
    expect(message).not.toContain('role-to-assume');
  });

  it("a host of the region that does not resolve names the runner's region setting", () => {
    const error = wrapped(notFound('vpc-lattice.us-east-7.amazonaws.com'));
    const env = { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:5000' };
    expect(setupProblem(error, { runner: 'action', region: 'us-east-7', env })!.message).toBe(
      'No AWS endpoint for region us-east-7: vpc-lattice.us-east-7.amazonaws.com does not resolve (ENOTFOUND). ' +
        'Check the `aws-region` input: it must be a region where VPC Lattice runs and the service network is, ' +
        "such as us-east-1. If the region is right, check this machine's DNS.",
    );
    expect(setupProblem(error, { runner: 'cli', region: 'us-east-7', env })!.message).toContain(
      'Check --region (or AWS_REGION)',
    );
  });

  it('says when DNS gave no answer at all', () => {
    const error = notFound('sts.us-east-7.amazonaws.com', 'EAI_AGAIN');
    expect(setupProblem(error, { runner: 'action', region: 'us-east-7', env: {} })!.message).toContain(
      'DNS gave no answer for sts.us-east-7.amazonaws.com (EAI_AGAIN)',
    );
  });

  it('names the most specific AWS_ENDPOINT_URL variable whose host failed', () => {
    const env = {
      AWS_ENDPOINT_URL: 'http://lattice.invalid',
      AWS_ENDPOINT_URL_VPC_LATTICE: 'https://lattice.invalid:8443/path',
      AWS_ENDPOINT_URL_STS: 'not a url',
    };
    const message = setupProblem(notFound('lattice.invalid'), {
      runner: 'action',
      region: 'us-east-1',
      env,
    })!.message;
    expect(message).toContain('The endpoint in AWS_ENDPOINT_URL_VPC_LATTICE cannot be reached');
    expect(message).not.toContain('aws-region');
  });

  it('leaves other errors alone, and hosts that are not the region', () => {
    const context = { runner: 'action', region: 'eu-west-1', env: {} } as const;
    expect(setupProblem(wrapped(named('AccessDeniedException')), context)).toBeUndefined();
    expect(setupProblem(notFound('ce.us-east-1.amazonaws.com'), context)).toBeUndefined();
    expect(setupProblem(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), context)).toBeUndefined();
    expect(setupProblem('a string', context)).toBeUndefined();
  });
});
