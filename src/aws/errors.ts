/**
 * AWS failures turned into messages a user can act on: what was attempted, the IAM action a
 * denial means, and where the least-privilege policy is documented.
 */
import { DataError, errorMessage } from '../errors.js';

const POLICY_DOC = 'see "IAM policy" in the README (provision/github-oidc-role.yaml deploys it)';

const DENIED = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
]);

function errorName(error: unknown): string | undefined {
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

/** Runs one AWS call; a failure becomes a DataError that names the IAM action. */
export async function awsCall<T>(action: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw describeAwsError(action, what, error);
  }
}
