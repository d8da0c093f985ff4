/**
 * AWS failures turned into messages a user can act on: what was attempted, the IAM action a
 * denial means, and where the least-privilege policy is documented.
 */
import { DataError, errorMessage } from '../errors.js';

/** Where a denial's message sends the reader. */
export const POLICY_DOC = 'see "IAM policy" in the README (provision/github-oidc-role.yaml deploys it)';

const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);

export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { name?: string }).name : undefined;
}

export function isAccessDenied(error: unknown): boolean {
  const name = errorName(error);
  return name !== undefined && DENIED.has(name);
}

/** Wraps an error from `action` (an IAM action such as logs:StartQuery) with what it means. */
export function describeAwsError(action: string, what: string, error: unknown): DataError {
  const name = errorName(error) ?? 'Error';
  if (isAccessDenied(error)) {
    const credentials = /Expired|Unrecognized|InvalidClientTokenId/.test(name)
      ? ' The credentials are invalid or expired.'
      : '';
    return new DataError(
      `${what} was denied (${name}).${credentials} The role needs ${action}; ${POLICY_DOC}.`,
      { cause: error },
    );
  }
  return new DataError(`${what} failed: ${name}: ${errorMessage(error)}`, { cause: error });
}

/**
 * Runs one AWS call; a failure becomes a DataError that names the IAM action (`describe`, for a
 * service that says more about its own resources).
 */
export async function awsCall<T>(
  action: string,
  what: string,
  call: () => Promise<T>,
  describe: (action: string, what: string, error: unknown) => DataError = describeAwsError,
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw describe(action, what, error);
  }
}

/** The error and the causes it wraps, outermost first. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; typeof e === 'object' && e !== null && chain.length < 8; e = (e as Error).cause) {
    chain.push(e);
  }
  return chain;
}

const isNoCredentials = (e: unknown): boolean => errorName(e) === 'CredentialsProviderError';

/** The SDK's default chain found no credentials at all: the job has no AWS access. */
export function lacksCredentials(error: unknown): boolean {
  return causeChain(error).some(isNoCredentials);
}

/** Who runs the pipeline decides which settings a message names. */
interface SetupContext {
  runner: 'action' | 'cli';
  region: string;
  env?: NodeJS.ProcessEnv;
}

const NO_CREDENTIALS_FIX = {
  action:
    'Set `role-to-assume` to the ARN of the report role (provision/github-oidc-role.yaml creates it) and give ' +
    'the job `permissions: id-token: write`, or run aws-actions/configure-aws-credentials before this step.',
  cli:
    'Set AWS_PROFILE to a profile in ~/.aws/config (`aws configure sso`, then `aws sso login`), or set ' +
    'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials).',
};

const REGION_SETTING = { action: 'the `aws-region` input', cli: '--region (or AWS_REGION)' };

/** The AWS_ENDPOINT_URL variable whose URL names `host`, the most specific first. */
function endpointVariable(host: string, env: NodeJS.ProcessEnv): string | undefined {
  return Object.keys(env)
    .filter((name) => /^AWS_ENDPOINT_URL(_[A-Z0-9_]+)?$/.test(name))
    .sort((a, b) => b.length - a.length)
    .find((name) => {
      try {
        return new URL(env[name] ?? '').hostname === host;
      } catch {
        return false;
      }
    });
}

/**
 * First-run problems that a setting fixes, worded for who runs, or undefined for any other error:
 * no credentials at all (the SDK's default chain ends in a CredentialsProviderError), and an
 * endpoint host that does not resolve, from a region that does not exist (or lacks the service) or
 * from an AWS_ENDPOINT_URL* override. Endpoints are the SDK's; only the failed host is read here.
 */
export function setupProblem(error: unknown, context: SetupContext): DataError | undefined {
  const chain = causeChain(error);
  const noCredentials = chain.find(isNoCredentials);
  if (noCredentials) {
    const given = context.runner === 'action' ? 'role-to-assume is empty, and ' : '';
    return new DataError(
      `No AWS credentials: ${given}the AWS SDK's default chain found none ` +
        `(${errorName(noCredentials)}: ${errorMessage(noCredentials)}). ${NO_CREDENTIALS_FIX[context.runner]}`,
      { cause: error },
    );
  }
  const dns = chain.find((e) => ['ENOTFOUND', 'EAI_AGAIN'].includes(String((e as { code?: unknown }).code)));
  const host = (dns as { hostname?: unknown } | undefined)?.hostname;
  if (typeof host !== 'string') return undefined;
  const code = String((dns as { code: string }).code);
  const unresolved =
    code === 'ENOTFOUND'
      ? `${host} does not resolve (ENOTFOUND)`
      : `DNS gave no answer for ${host} (EAI_AGAIN)`;
  const variable = endpointVariable(host, context.env ?? process.env);
  if (variable) {
    return new DataError(
      `The endpoint in ${variable} cannot be reached: ${unresolved}. Correct ${variable}, or unset it to use AWS's own endpoint.`,
      { cause: error },
    );
  }
  if (!host.split('.').includes(context.region)) return undefined;
  return new DataError(
    `No AWS endpoint for region ${context.region}: ${unresolved}. Check ${REGION_SETTING[context.runner]}: ` +
      'it must be a region where VPC Lattice runs and the service network is, such as us-east-1. ' +
      "If the region is right, check this machine's DNS.",
    { cause: error },
  );
}
