/**
 * Why STS refused the job's OIDC token, in words: the error, and the token's claims that the role's
 * trust policy must allow. The payload is decoded, never verified (STS did the verifying), and the
 * token itself is never quoted: anyone reading the log could replay it until it expires.
 */
import { errorMessage } from '../errors.js';
import { errorName } from './errors.js';

/** The claims a GitHub trust policy conditions on, in the order a message names them. */
const QUOTED = ['sub', 'aud', 'iss', 'repository', 'ref', 'environment'] as const;

type TokenClaims = Partial<Record<(typeof QUOTED)[number], string>>;

/** Claims are untrusted text from outside: long enough for any real value, short enough for a log line. */
const MAX_CLAIM_CHARS = 256;

function claimText(value: unknown): string | undefined {
  // `aud` may be a list (RFC 7519, 4.1.3); GitHub sends one string.
  const text = Array.isArray(value)
    ? value.every((v) => typeof v === 'string')
      ? value.join(', ')
      : undefined
    : typeof value === 'string'
      ? value
      : undefined;
  if (!text) return undefined;
  const chars = Array.from(text);
  return chars.length > MAX_CLAIM_CHARS ? `${chars.slice(0, MAX_CLAIM_CHARS - 1).join('')}…` : text;
}

/** The quoted claims of a JWT (header.payload.signature); none when it is not one. @testseam */
export function tokenClaims(token: string): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return {};
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return {};
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return {};
  const claims: TokenClaims = {};
  for (const name of QUOTED) {
    const text = claimText((payload as Record<string, unknown>)[name]);
    if (text !== undefined) claims[name] = text;
  }
  return claims;
}

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * AssumeRoleWithWebIdentity errors that mean "not this token", by code (the SDK's names add
 * "Exception"), with what each says about the setup. The operation's errors are those of the STS
 * API reference page AssumeRoleWithWebIdentity (not reachable from here; the codes are checked
 * against the awsQueryError codes in @aws-sdk/client-sts's model). AccessDenied is not one of them:
 * it is STS's common error, "Not authorized to perform sts:AssumeRoleWithWebIdentity", when the
 * trust policy's conditions do not match (AWS re:Post knowledge center, iam-idp-access-error).
 */
const REFUSALS = new Map<string, (claims: TokenClaims) => string>([
  ['AccessDenied', () => 'Either the role does not exist, or its trust policy does not match this token.'],
  [
    'InvalidIdentityToken',
    (claims) =>
      `AWS could not validate the token: the account needs an IAM OIDC identity provider for ` +
      `${claims.iss ?? GITHUB_ISSUER} whose audiences include ${claims.aud ?? "the token's aud"}.`,
  ],
  ['IDPRejectedClaim', () => 'The identity provider rejected the token.'],
  ['ExpiredToken', () => 'The token had expired when STS read it; run the job again.'],
]);

/**
 * What STS refused and which claims the trust policy must allow, quoted from the token (never the
 * token itself); undefined for other errors. The condition keys are the provider URL without
 * https:// (GitHub's "Configuring OpenID Connect in Amazon Web Services": token.actions.githubusercontent.com:sub);
 * that an enterprise or GHES issuer's keys follow the same rule is an assumption.
 */
export function webIdentityRefusal(
  request: { roleArn: string; audience: string },
  error: unknown,
  token: string | undefined,
): string | undefined {
  const name = errorName(error) ?? '';
  const explain = REFUSALS.get(name.replace(/Exception$/, ''));
  if (!explain) return undefined;
  const claims = token ? tokenClaims(token) : {};
  const key = (claims.iss ?? GITHUB_ISSUER).replace(/^https:\/\//, '');
  const sub = claims.sub ? `\`${claims.sub}\`` : "this job's subject (the token had no readable sub)";
  const aud = `\`${claims.aud ?? request.audience}\``;
  // iss is in the condition keys already.
  const also = (['repository', 'ref', 'environment'] as const)
    .filter((claim) => claims[claim] !== undefined)
    .map((claim) => `${claim} = \`${claims[claim]}\``);
  return [
    `Could not assume ${request.roleArn} with GitHub OIDC: STS refused the job's token ` +
      `(${name}: ${errorMessage(error)}). ${explain(claims)}`,
    `The trust policy must allow ${key}:sub = ${sub} and ${key}:aud = ${aud}` +
      (also.length > 0 ? `; the token also carried ${also.join(', ')}.` : '.'),
    'provision/github-oidc-role.yaml writes such a trust policy from GitHubOrg, GitHubRepo, ReportBranch, ' +
      'ReportEnvironment and SubjectPrefix.',
  ].join('\n');
}
