/**
 * Credentials: GitHub OIDC -> STS AssumeRoleWithWebIdentity when a role is given; otherwise the
 * SDK's default chain (environment, profile, container, instance), so the action also works
 * after aws-actions/configure-aws-credentials and the CLI works with a local profile.
 */
import {
  AssumeRoleWithWebIdentityCommand,
  type Credentials,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { DataError, NoAwsAccess, UsageError } from '../errors.js';
import { awsCall, describeAwsError } from './errors.js';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from './retry.js';
import { webIdentityRefusal } from './web-identity.js';

/** Credentials for the SDK clients, as STS returns them. */
export type AwsCredentials = AwsCredentialIdentity;

export interface RoleRequest {
  roleArn: string;
  audience: string;
  sessionName: string;
  durationSeconds: number;
  region: string;
}

export interface OidcDeps {
  /** `core.getIDToken`: fetches the job's OIDC token for an audience. */
  getIdToken: (audience: string) => Promise<string>;
  /** `core.setSecret`: masks a value in the job log. */
  mask: (value: string) => void;
  env?: NodeJS.ProcessEnv;
  retry?: RetryOptions;
  log?: (message: string) => void;
}

export async function assumeRoleWithOidc(
  request: RoleRequest,
  deps: OidcDeps,
): Promise<AwsCredentialIdentity> {
  const env = deps.env ?? process.env;
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
    throw new NoAwsAccess(
      'role-to-assume is set, but this job cannot request a GitHub OIDC token. Add `permissions: id-token: write` ' +
        'to the job (or workflow). Pull requests from forks get no token: run the report on `schedule`, ' +
        '`workflow_dispatch` or `pull_request_target` instead, or use credentials from ' +
        'aws-actions/configure-aws-credentials and leave role-to-assume empty.',
    );
  }
  const retry: RetryOptions = {
    ...(deps.retry ?? DEFAULT_RETRY),
    onRetry: (error, attempt, delay) =>
      deps.log?.(
        `Assuming ${request.roleArn}: ${(error as Error).name ?? 'error'}; retry ${attempt} in ${delay} ms`,
      ),
  };
  // One client, no SDK retries: withRetry owns the schedule, including IDPCommunicationError.
  const sts = new STSClient({ region: request.region, maxAttempts: 1 });
  // The last token sent: its claims explain a refusal.
  let token: string | undefined;
  try {
    const response = await withRetry(async () => {
      token = await deps.getIdToken(request.audience);
      return sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: request.roleArn,
          RoleSessionName: request.sessionName,
          DurationSeconds: request.durationSeconds,
          WebIdentityToken: token,
        }),
      );
    }, retry);
    return maskedCredentials(response.Credentials, deps.mask);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const refused = webIdentityRefusal(request, error, token);
    if (refused) throw new DataError(refused, { cause: error });
    const wrapped = describeAwsError(
      'sts:AssumeRoleWithWebIdentity (in the role trust policy)',
      `Could not assume ${request.roleArn} with GitHub OIDC`,
      error,
    );
    wrapped.message += ` Check that the role trusts token.actions.githubusercontent.com with aud=${request.audience} and this repository's sub.`;
    throw wrapped;
  } finally {
    sts.destroy();
  }
}

/**
 * STS's temporary credentials for the SDK clients, each secret masked in the job log first.
 */
export function maskedCredentials(c: Credentials | undefined, mask: (value: string) => void): AwsCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new Error('STS returned no credentials');
  }
  mask(c.AccessKeyId);
  mask(c.SecretAccessKey);
  mask(c.SessionToken);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    ...(c.Expiration ? { expiration: c.Expiration } : {}),
  };
}

/** The account the credentials act in. GetCallerIdentity needs no IAM permission. */
export async function callerAccount(sts: STSClient): Promise<string> {
  const identity = await awsCall('sts:GetCallerIdentity', 'Finding the AWS account', () =>
    sts.send(new GetCallerIdentityCommand({})),
  );
  if (!identity.Account) throw new Error('STS GetCallerIdentity returned no account');
  return identity.Account;
}
