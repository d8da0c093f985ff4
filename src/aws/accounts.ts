/**
 * Member accounts: the hub role (from OIDC) chains into a read-only role in each member account
 * (provision/member-account-role.yaml), and `accounts: organization` lists the organization's
 * accounts. Access only; which accounts to read and what a failure means is the pipeline's.
 */
import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DataError, UsageError, errorMessage } from '../errors.js';
import { type AwsCredentials, maskedCredentials } from './credentials.js';
import { describeAwsError, errorName, isAccessDenied } from './errors.js';
import { DEFAULT_RETRY, type RetryOptions, withRetry } from './retry.js';

/**
 * "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour", and a
 * longer DurationSeconds makes the call fail (STS API reference, AssumeRole, DurationSeconds; IAM
 * User Guide, "Methods to assume a role").
 */
const CHAINED_SESSION_SECONDS = 3600;

export interface MemberRoleRequest {
  roleArn: string;
  sessionName: string;
  region: string;
  /** The hub role's credentials; without them the SDK's default chain (the CLI's profile). */
  hubCredentials?: AwsCredentials;
}

export interface MemberRoleDeps {
  /** `core.setSecret`: masks a value in the job log. */
  mask: (value: string) => void;
  retry?: RetryOptions;
  log?: (message: string) => void;
}

/** sts:AssumeRole from the hub into a member account's role; the credentials act in that account. */
export async function assumeMemberRole(
  request: MemberRoleRequest,
  deps: MemberRoleDeps,
): Promise<AwsCredentials> {
  const retry: RetryOptions = {
    ...(deps.retry ?? DEFAULT_RETRY),
    onRetry: (error, attempt, delay) =>
      deps.log?.(
        `Assuming ${request.roleArn}: ${errorName(error) ?? 'error'}; retry ${attempt} in ${delay} ms`,
      ),
  };
  // No SDK retries: withRetry owns the schedule (throttling included) and logs each attempt.
  const sts = new STSClient({
    region: request.region,
    maxAttempts: 1,
    ...(request.hubCredentials ? { credentials: request.hubCredentials } : {}),
  });
  try {
    const response = await withRetry(
      () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: request.roleArn,
            RoleSessionName: request.sessionName,
            DurationSeconds: CHAINED_SESSION_SECONDS,
          }),
        ),
      retry,
    );
    return maskedCredentials(response.Credentials, deps.mask);
  } catch (error) {
    throw memberRoleError(request.roleArn, error);
  } finally {
    sts.destroy();
  }
}

/**
 * STS answers AccessDenied alike for a role that does not exist, one whose trust policy leaves
 * the hub out, and a hub role without sts:AssumeRole on it, so the message lists all three.
 */
function memberRoleError(roleArn: string, error: unknown): DataError {
  const name = errorName(error) ?? 'Error';
  const detail = `${name}: ${errorMessage(error)}`;
  if (!isAccessDenied(error)) {
    return new DataError(`Could not assume the member role ${roleArn} (${detail}).`, { cause: error });
  }
  const account = /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? 'the member account';
  return new DataError(
    `Could not assume the member role ${roleArn} (${detail}). Check that the role exists in ${account} ` +
      '(provision/member-account-role.yaml creates it), that its trust policy names the hub role ' +
      '(role-to-assume) as HubRoleArn, and that the hub role may call sts:AssumeRole on it ' +
      '(provision/github-oidc-role.yaml with MemberRoleName set).',
    { cause: error },
  );
}

/** `aws`, `aws-cn` or `aws-us-gov`, from an ARN's partition field or a region's prefix. */
export function partitionOf(regionOrArn: string): string {
  if (regionOrArn.startsWith('arn:')) return regionOrArn.split(':')[1] ?? 'aws';
  if (regionOrArn.startsWith('cn-')) return 'aws-cn';
  if (regionOrArn.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The member role of an account: `arn:PARTITION:iam::ACCOUNT:role/ROLE_NAME` (a path may lead the name). */
export function memberRoleArn(account: string, roleName: string, partition: string): string {
  if (!/^\d{12}$/.test(account)) throw new UsageError(`"${account}" is not an AWS account ID (12 digits).`);
  if (!/^[\w+=,.@/-]{1,512}$/.test(roleName) || roleName.startsWith('/') || roleName.endsWith('/')) {
    throw new UsageError(`"${roleName}" is not an IAM role name.`);
  }
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

const ORGANIZATION_ACCESS =
  'accounts: organization needs the hub role in the management account or a delegated administrator, ' +
  'with organizations:ListAccounts (provision/github-oidc-role.yaml with AllowListAccounts=true)';

/**
 * The organization's active accounts, by id. `Status` is to be retired on 2026-09-09 in favour of
 * `State` (Organizations API reference, Account); `State` wins when both are present.
 */
export async function organizationAccounts(
  client: OrganizationsClient,
): Promise<Array<{ id: string; name: string }>> {
  const accounts: Array<{ id: string; name: string }> = [];
  try {
    for await (const page of paginateListAccounts({ client }, {})) {
      for (const account of page.Accounts ?? []) {
        const state: string | undefined = account.State ?? account.Status;
        if (state === 'ACTIVE' && account.Id) accounts.push({ id: account.Id, name: account.Name ?? '' });
      }
    }
  } catch (error) {
    if (isAccessDenied(error) || errorName(error) === 'AWSOrganizationsNotInUseException') {
      throw new DataError(`${ORGANIZATION_ACCESS} (${errorName(error)}: ${errorMessage(error)}).`, {
        cause: error,
      });
    }
    throw describeAwsError('organizations:ListAccounts', 'Listing the accounts of the organization', error);
  }
  return accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
