/**
 * Member accounts against moto: the hub's credentials chain into another account's role (moto
 * answers assumed-role keys for the role ARN's account, whether or not the role exists), and
 * Organizations ListAccounts on an organization made in moto. Refusals come from a fault proxy in
 * front of moto, as real STS and Organizations word them. No endpoint is given to the code under
 * test: AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE> lead the SDK to moto and the proxies.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { assumeMemberRole, memberRoleArn, organizationAccounts } from '../../src/aws/accounts.js';
import type { AwsCredentials } from '../../src/aws/credentials.js';
import { createOrganizationsClient } from '../../src/aws/clients.js';
import { DataError } from '../../src/errors.js';
import { awsJsonError, type FaultProxy, startFaultProxy, stsError } from '../servers/fault-proxy.js';
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, type MotoServer, startMoto } from '../servers/moto.js';

const region = 'eu-west-1';
const MEMBER = '210987654321';
const HUB_ROLE = `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/lattice-cost-report`;
const FAST = { attempts: 3, baseMs: 5, maxMs: 20 };

let moto: MotoServer;
let sts: FaultProxy;
let organizations: FaultProxy;
let hub: AwsCredentials;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  [sts, organizations] = await Promise.all([startFaultProxy(moto.url), startFaultProxy(moto.url)]);
  process.env.AWS_ENDPOINT_URL = moto.url;
  process.env.AWS_ENDPOINT_URL_STS = sts.url;
  process.env.AWS_ENDPOINT_URL_ORGANIZATIONS = organizations.url;
  // The hub: the report role's session, as OIDC would give it.
  const client = new STSClient({ region, credentials: DUMMY_CREDENTIALS });
  const { Credentials: c } = await client.send(
    new AssumeRoleCommand({ RoleArn: HUB_ROLE, RoleSessionName: 'GitHubActions' }),
  );
  client.destroy();
  hub = {
    accessKeyId: c!.AccessKeyId!,
    secretAccessKey: c!.SecretAccessKey!,
    sessionToken: c!.SessionToken!,
  };
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all([sts?.close(), organizations?.close(), moto?.stop()]);
});

async function callerOf(credentials: AwsCredentials): Promise<{ account?: string; arn?: string }> {
  const client = new STSClient({ region, credentials });
  try {
    const identity = await client.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account, arn: identity.Arn };
  } finally {
    client.destroy();
  }
}

const member = {
  roleArn: memberRoleArn(MEMBER, 'lattice-cost-report-member', 'aws'),
  sessionName: 'lattice-cost-report',
  region,
};

describe('assumeMemberRole', () => {
  it('chains from the hub into the member role: the credentials act in the member account, masked', async () => {
    expect(await callerOf(hub)).toEqual({
      account: MOTO_DEFAULT_ACCOUNT_ID,
      arn: `arn:aws:sts::${MOTO_DEFAULT_ACCOUNT_ID}:assumed-role/lattice-cost-report/GitHubActions`,
    });
    const masked: string[] = [];
    const before = sts.requests;
    const credentials = await assumeMemberRole(
      { ...member, hubCredentials: hub },
      { mask: (v) => masked.push(v) },
    );
    expect(sts.requests - before).toBe(1); // through AWS_ENDPOINT_URL_STS
    expect(await callerOf(credentials)).toEqual({
      account: MEMBER,
      arn: `arn:aws:sts::${MEMBER}:assumed-role/lattice-cost-report-member/lattice-cost-report`,
    });
    expect(masked).toEqual([credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]);
    // DurationSeconds 3600, the most role chaining allows (moto sets Expiration from it).
    const seconds = (credentials.expiration!.getTime() - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(3500);
    expect(seconds).toBeLessThanOrEqual(3600);
  });

  it('retries throttling, and says so', async () => {
    sts.inject(stsError('Throttling', 'Rate exceeded'), stsError('Throttling', 'Rate exceeded'));
    const before = sts.requests;
    const log: string[] = [];
    const credentials = await assumeMemberRole(
      { ...member, hubCredentials: hub },
      { mask: () => {}, retry: FAST, log: (m) => log.push(m) },
    );
    expect(sts.requests - before).toBe(3);
    expect((await callerOf(credentials)).account).toBe(MEMBER);
    expect(log).toEqual([
      expect.stringMatching(
        /^Assuming arn:aws:iam::210987654321:role\/lattice-cost-report-member: Throttling; retry 1 in \d+ ms$/,
      ),
      expect.stringMatching(/: Throttling; retry 2 in \d+ ms$/),
    ]);
  });

  it('throttled past the retries: a DataError with the role and the SDK error', async () => {
    sts.inject(...Array.from({ length: 3 }, () => stsError('Throttling', 'Rate exceeded')));
    const attempt = assumeMemberRole({ ...member, hubCredentials: hub }, { mask: () => {}, retry: FAST });
    await expect(attempt).rejects.toThrow(DataError);
    await expect(attempt).rejects.toThrow(
      'Could not assume the member role arn:aws:iam::210987654321:role/lattice-cost-report-member (Throttling: Rate exceeded).',
    );
  });

  it('a role that is missing or does not trust the hub (AccessDenied): what to check, no retry', async () => {
    const denial =
      `User: ${HUB_ROLE.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/GitHubActions ` +
      `is not authorized to perform: sts:AssumeRole on resource: ${member.roleArn}`;
    sts.inject(stsError('AccessDenied', denial));
    const before = sts.requests;
    const attempt = assumeMemberRole({ ...member, hubCredentials: hub }, { mask: () => {}, retry: FAST });
    const error = (await attempt.catch((e: unknown) => e)) as DataError;
    expect(error).toBeInstanceOf(DataError);
    expect(sts.requests - before).toBe(1);
    expect(error.message).toBe(
      `Could not assume the member role ${member.roleArn} (AccessDenied: ${denial}). ` +
        'Check that the role exists in 210987654321 (provision/member-account-role.yaml creates it), ' +
        'that its trust policy names the hub role (role-to-assume) as HubRoleArn, and that the hub role ' +
        'may call sts:AssumeRole on it (provision/github-oidc-role.yaml with MemberRoleName set).',
    );
    expect((error.cause as Error).name).toBe('AccessDenied');
  });
});

describe('organizationAccounts', () => {
  it('lists the active accounts of the organization made in moto, sorted by id', async () => {
    const admin = new OrganizationsClient({ region, credentials: DUMMY_CREDENTIALS });
    try {
      await admin.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
      const created: string[] = [];
      for (const name of ['payments', 'search', 'retired']) {
        const { CreateAccountStatus: s } = await admin.send(
          new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
        );
        created.push(s!.AccountId!);
      }
      await admin.send(new CloseAccountCommand({ AccountId: created[2] }));

      const before = organizations.requests;
      const client = createOrganizationsClient(region, DUMMY_CREDENTIALS);
      const accounts = await organizationAccounts(client);
      client.destroy();
      expect(organizations.requests - before).toBe(1); // through AWS_ENDPOINT_URL_ORGANIZATIONS
      const names = new Map(accounts.map((a) => [a.id, a.name]));
      expect(names.get(created[0]!)).toBe('payments');
      expect(names.get(created[1]!)).toBe('search');
      expect(names.has(created[2]!)).toBe(false); // closed: SUSPENDED
      expect(names.has(MOTO_DEFAULT_ACCOUNT_ID)).toBe(true); // the management account
      expect(accounts.map((a) => a.id)).toEqual([...names.keys()].sort());
    } finally {
      admin.destroy();
    }
  });

  it('reads every page, and State before the retiring Status', async () => {
    const page = (accounts: object[], next?: string): ReturnType<typeof awsJsonError> => ({
      status: 200,
      body: JSON.stringify({ Accounts: accounts, ...(next ? { NextToken: next } : {}) }),
      contentType: 'application/x-amz-json-1.1',
    });
    organizations.inject(
      page(
        [
          { Id: '333333333333', Name: 'old-shape', Status: 'ACTIVE' },
          { Id: '222222222222', Name: 'closing', Status: 'ACTIVE', State: 'PENDING_CLOSURE' },
        ],
        'page-2',
      ),
      page([
        { Id: '111111111111', Name: 'new-shape', State: 'ACTIVE' },
        { Id: '444444444444', Name: 'suspended', Status: 'SUSPENDED', State: 'SUSPENDED' },
      ]),
    );
    const client = createOrganizationsClient(region, DUMMY_CREDENTIALS);
    try {
      expect(await organizationAccounts(client)).toEqual([
        { id: '111111111111', name: 'new-shape' },
        { id: '333333333333', name: 'old-shape' },
      ]);
    } finally {
      client.destroy();
    }
  });

  it.each([
    ['AccessDeniedException', "You don't have permissions to access this resource."],
    ['AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'],
  ])('%s: says where the hub role must be', async (code, text) => {
    organizations.inject(awsJsonError(code, text));
    const client = createOrganizationsClient(region, DUMMY_CREDENTIALS);
    try {
      const error = (await organizationAccounts(client).catch((e: unknown) => e)) as DataError;
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toBe(
        'accounts: organization needs the hub role in the management account or a delegated administrator, ' +
          'with organizations:ListAccounts (provision/github-oidc-role.yaml with AllowListAccounts=true) ' +
          `(${code}: ${text}).`,
      );
    } finally {
      client.destroy();
    }
  });
});
