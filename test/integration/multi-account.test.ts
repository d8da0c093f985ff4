/**
 * The test servers across accounts and regions, and the two-by-two world built on them, through the
 * real SDK clients: credentials minted by moto's STS (behind the trust-policy gate) decide the
 * account, the signing region the region. Each account and region sees only its own log groups,
 * queries and costs; PLATFORM, the organization's management account, also sees TEAM's costs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
  GetDimensionValuesCommand,
} from '@aws-sdk/client-cost-explorer';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  ListServicesCommand,
  ListServiceNetworksCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import type { AwsCredentialIdentity } from '@smithy/types';
import { Cleanup } from '../helpers/cleanup.js';
import {
  CREDIT,
  memberRoleArn,
  type MultiAccountWorld,
  NETWORK_LOG_GROUP,
  PLATFORM,
  REGIONS,
  SERVICES,
  SHARED_NETWORK,
  startMultiAccountWorld,
  TEAM,
  TEAM_LOG_GROUP,
  WINDOW,
} from '../helpers/multi-account-world.js';

const cleanup = new Cleanup();
let world: MultiAccountWorld;
let startSeconds: number;
const keys: Record<string, AwsCredentialIdentity> = {};

/** The hub's session, and TEAM's through its member role: what the product will do. */
async function memberKeys(account: string, from: AwsCredentialIdentity): Promise<AwsCredentialIdentity> {
  const sts = new STSClient({
    endpoint: world.sts.url,
    region: 'us-east-1',
    credentials: from,
    maxAttempts: 1,
  });
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleCommand({ RoleArn: memberRoleArn(account), RoleSessionName: 'test' }),
    );
    return {
      accessKeyId: c!.AccessKeyId!,
      secretAccessKey: c!.SecretAccessKey!,
      sessionToken: c!.SessionToken!,
    };
  } finally {
    sts.destroy();
  }
}

beforeAll(async () => {
  const started = performance.now();
  world = await cleanup.track(startMultiAccountWorld(), (w) => w.close());
  startSeconds = (performance.now() - started) / 1000;
  console.log(`Two-by-two world started in ${startSeconds.toFixed(1)} s`);
  keys[PLATFORM] = world.hubCredentials;
  keys[TEAM] = await memberKeys(TEAM, world.hubCredentials);
}, 60_000);

afterAll(() => cleanup.close());

function logs(account: string, region: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: world.insights.url, region, credentials: keys[account]! });
}

function ce(account: string): CostExplorerClient {
  return new CostExplorerClient({
    endpoint: world.costExplorer.url,
    region: 'us-east-1',
    credentials: keys[account]!,
  });
}

/** `stats count(*) by serviceArn` (or of 5xx only) over the window, as name → count. */
async function countByService(
  account: string,
  region: string,
  group: string,
  only5xx = false,
): Promise<Record<string, number>> {
  const client = logs(account, region);
  const { queryId } = await client.send(
    new StartQueryCommand({
      logGroupName: group,
      startTime: Date.parse(`${WINDOW.start}T00:00:00Z`) / 1000,
      endTime: Date.parse(`${WINDOW.end}T00:00:00Z`) / 1000 - 1,
      queryString: `${only5xx ? 'filter responseCode >= 500 | ' : ''}stats count(*) as n by serviceArn`,
    }),
  );
  for (;;) {
    const out = await client.send(new GetQueryResultsCommand({ queryId }));
    if (out.status !== 'Complete') continue;
    const rows = (out.results ?? []).map((r) => Object.fromEntries(r.map((c) => [c.field!, c.value!])));
    const names = new Map(world.expected.services.map((s) => [s.arn, s.name]));
    return Object.fromEntries(rows.map((r) => [names.get(r.serviceArn!) ?? r.serviceArn!, Number(r.n)]));
  }
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Amounts of every group (or Total) of every period. */
function amounts(out: GetCostAndUsageCommandOutput): number[] {
  return (out.ResultsByTime ?? []).flatMap((r) =>
    r.Groups?.length
      ? r.Groups.map((g) => Number(g.Metrics!.UnblendedCost!.Amount))
      : [Number(r.Total?.UnblendedCost?.Amount ?? 0)],
  );
}

const usageOnly = { Dimensions: { Key: 'RECORD_TYPE' as const, Values: ['Usage'] } };
const costInput = (more: Partial<GetCostAndUsageCommandInput> = {}): GetCostAndUsageCommandInput => ({
  TimePeriod: { Start: WINDOW.start, End: WINDOW.end },
  Granularity: 'DAILY',
  Metrics: ['UnblendedCost'],
  ...more,
});

describe('STS: the member role, behind the trust-policy gate', () => {
  it("moto's keys act in the role's account: the hub in PLATFORM, the member session in TEAM", async () => {
    for (const account of [PLATFORM, TEAM]) {
      const sts = new STSClient({
        endpoint: world.sts.url,
        region: 'us-east-1',
        credentials: keys[account]!,
      });
      const identity = await sts.send(new GetCallerIdentityCommand({}));
      sts.destroy();
      expect(identity.Account).toBe(account);
    }
  });

  it('refuses AssumeRole with AccessDenied once the member role no longer trusts the hub, and lets it in again', async () => {
    await world.makeUnreachable(TEAM);
    try {
      await expect(memberKeys(TEAM, world.hubCredentials)).rejects.toMatchObject({
        name: 'AccessDenied',
        message: expect.stringMatching(
          /is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role\/lattice-cost-report-member/,
        ),
      });
      expect(world.sts.denied.at(-1)).toMatchObject({ roleArn: memberRoleArn(TEAM) });
    } finally {
      await world.makeReachable(TEAM);
    }
    await expect(memberKeys(TEAM, world.hubCredentials)).resolves.toMatchObject({
      sessionToken: expect.any(String),
    });
  });

  it('refuses a role that does not exist, and a caller the trust policy does not name', async () => {
    await expect(memberKeys('333333333333', world.hubCredentials)).rejects.toMatchObject({
      name: 'AccessDenied',
    });
    await expect(memberKeys(PLATFORM, keys[TEAM]!)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});

describe('VPC Lattice inventory per account and region', () => {
  it.each(REGIONS.flatMap((region) => [PLATFORM, TEAM].map((account) => [account, region])))(
    '%s in %s lists its own services and its shared-mesh, with its account and region in the ARNs',
    async (account, region) => {
      const lattice = new VPCLatticeClient({
        endpoint: world.latticeClock.url,
        region,
        credentials: keys[account]!,
      });
      const services = await lattice.send(new ListServicesCommand({}));
      const networks = await lattice.send(new ListServiceNetworksCommand({}));
      lattice.destroy();
      expect((services.items ?? []).map((s) => s.name).sort()).toEqual([...SERVICES[account]!].sort());
      for (const s of services.items ?? []) expect(s.arn).toContain(`:${region}:${account}:service/`);
      expect((networks.items ?? []).map((n) => n.name)).toEqual([SHARED_NETWORK]);
    },
  );
});

describe('Logs Insights partitioned by account and region', () => {
  it.each(
    REGIONS.flatMap((region) => [
      [PLATFORM, region, NETWORK_LOG_GROUP],
      [TEAM, region, TEAM_LOG_GROUP],
    ]),
  )('%s in %s sees only %s', async (account, region, group) => {
    const out = await logs(account, region).send(new DescribeLogGroupsCommand({}));
    expect(out.logGroups?.map((g) => [g.logGroupName, g.logGroupArn])).toEqual([
      [group, `arn:aws:logs:${region}:${account}:log-group:${group}`],
    ]);
  });

  it("counts each account's requests in each region exactly as the world expects", async () => {
    for (const region of REGIONS) {
      const network = await countByService(PLATFORM, region, NETWORK_LOG_GROUP);
      const errors = await countByService(PLATFORM, region, NETWORK_LOG_GROUP, true);
      const team = await countByService(TEAM, region, TEAM_LOG_GROUP);
      for (const s of world.expected.services.filter((e) => e.region === region)) {
        expect([s.name, network[s.name]]).toEqual([s.name, s.requests]);
        expect([s.name, errors[s.name] ?? 0]).toEqual([s.name, s.errors5xx]);
      }
      // TEAM's own log group holds team-orders' requests again: the same requests, counted once.
      expect(team).toEqual({ 'team-orders': network['team-orders'] });
      expect(
        world.expected.services.find((s) => s.region === region && s.name === 'team-orders')!.requests,
      ).toBe(team['team-orders']);
    }
  });

  it("finds neither another account's log group nor another account's query", async () => {
    await expect(
      logs(TEAM, 'us-east-1').send(
        new StartQueryCommand({
          logGroupName: NETWORK_LOG_GROUP,
          startTime: 0,
          endTime: 1,
          queryString: 'stats count(*)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    // By ARN as well: reading another account's group needs cross-account observability.
    await expect(
      logs(TEAM, 'us-east-1').send(
        new StartQueryCommand({
          logGroupIdentifiers: [`arn:aws:logs:us-east-1:${PLATFORM}:log-group:${NETWORK_LOG_GROUP}`],
          startTime: 0,
          endTime: 1,
          queryString: 'stats count(*)',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const { queryId } = await logs(PLATFORM, 'eu-west-1').send(
      new StartQueryCommand({
        logGroupName: NETWORK_LOG_GROUP,
        startTime: 0,
        endTime: 1,
        queryString: 'stats count(*)',
      }),
    );
    await expect(logs(TEAM, 'eu-west-1').send(new GetQueryResultsCommand({ queryId }))).rejects.toMatchObject(
      {
        name: 'ResourceNotFoundException',
      },
    );
    await expect(
      logs(PLATFORM, 'us-east-1').send(new GetQueryResultsCommand({ queryId })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const last = world.insights.stats.queries.at(-1)!;
    expect([last.account, last.region]).toEqual([PLATFORM, 'eu-west-1']);
  });
});

describe('Cost Explorer per account, and the payer view', () => {
  it("a member sees its own bill only: TEAM's usage equals its expected total, the credit apart", async () => {
    const usage = await ce(TEAM).send(
      new GetCostAndUsageCommand(
        costInput({ Filter: usageOnly, GroupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }] }),
      ),
    );
    expect(sum(amounts(usage))).toBeCloseTo(world.expected.bills[TEAM]!.total, 8);
    const all = await ce(TEAM).send(new GetCostAndUsageCommand(costInput({ Granularity: 'MONTHLY' })));
    expect(all.ResultsByTime).toHaveLength(1);
    expect(sum(amounts(all))).toBeCloseTo(world.expected.bills[TEAM]!.total + CREDIT.amount, 8);
    expect(world.expected.bills[TEAM]!.credits).toBe(CREDIT.amount);
  });

  it('the management account sees both accounts, grouped by LINKED_ACCOUNT and USAGE_TYPE in that key order', async () => {
    const out = await ce(PLATFORM).send(
      new GetCostAndUsageCommand(
        costInput({
          Filter: usageOnly,
          GroupBy: [
            { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
            { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
          ],
        }),
      ),
    );
    expect(out.GroupDefinitions).toEqual([
      { Type: 'DIMENSION', Key: 'LINKED_ACCOUNT' },
      { Type: 'DIMENSION', Key: 'USAGE_TYPE' },
    ]);
    expect(out.ResultsByTime).toHaveLength(WINDOW.days);
    const byAccount = new Map<string, number>();
    for (const r of out.ResultsByTime!) {
      for (const g of r.Groups!) {
        expect(g.Keys![1]).toMatch(/^(USE1|EU)-VPCLattice-/);
        byAccount.set(
          g.Keys![0]!,
          (byAccount.get(g.Keys![0]!) ?? 0) + Number(g.Metrics!.UnblendedCost!.Amount),
        );
      }
    }
    expect([...byAccount.keys()].sort()).toEqual([PLATFORM, TEAM]);
    for (const account of [PLATFORM, TEAM])
      expect(byAccount.get(account)).toBeCloseTo(world.expected.bills[account]!.total, 8);
    expect(out.DimensionValueAttributes).toEqual([
      { Value: PLATFORM, Attributes: { description: 'platform' } },
      { Value: TEAM, Attributes: { description: 'team' } },
    ]);
  });

  it("filtering the management account's view on LINKED_ACCOUNT gives that member's own answer", async () => {
    const input = costInput({ GroupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }] });
    const own = await ce(TEAM).send(new GetCostAndUsageCommand(input));
    const filtered = await ce(PLATFORM).send(
      new GetCostAndUsageCommand({
        ...input,
        Filter: { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [TEAM] } },
      }),
    );
    expect(filtered.ResultsByTime).toEqual(own.ResultsByTime);
    const regions = await ce(PLATFORM).send(
      new GetCostAndUsageCommand(
        costInput({
          Filter: { And: [usageOnly, { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [PLATFORM] } }] },
          GroupBy: [{ Type: 'DIMENSION', Key: 'REGION' }],
        }),
      ),
    );
    const byRegion: Record<string, number> = {};
    for (const g of regions.ResultsByTime!.flatMap((r) => r.Groups!))
      byRegion[g.Keys![0]!] = (byRegion[g.Keys![0]!] ?? 0) + Number(g.Metrics!.UnblendedCost!.Amount);
    for (const region of REGIONS)
      expect(byRegion[region]).toBeCloseTo(world.expected.bills[PLATFORM]!.byRegion[region]!, 8);
  });

  it('lists an account its own usage types, and refuses a third GroupBy', async () => {
    const values = await ce(TEAM).send(
      new GetDimensionValuesCommand({
        TimePeriod: { Start: WINDOW.start, End: WINDOW.end },
        Dimension: 'USAGE_TYPE',
        SearchString: 'lattice',
      }),
    );
    expect(values.DimensionValues?.map((v) => v.Value)).toEqual([
      'EU-VPCLattice-DataProcessing-Bytes',
      'EU-VPCLattice-RequestCount-Free',
      'EU-VPCLattice-Service-Hourly',
      'USE1-VPCLattice-DataProcessing-Bytes',
      'USE1-VPCLattice-RequestCount-Free',
      'USE1-VPCLattice-Service-Hourly',
    ]);
    const three = ['LINKED_ACCOUNT', 'USAGE_TYPE', 'REGION'].map((Key) => ({
      Type: 'DIMENSION' as const,
      Key,
    }));
    await expect(
      ce(PLATFORM).send(new GetCostAndUsageCommand(costInput({ GroupBy: three }))),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('the world', () => {
  it('starts in a few seconds', () => {
    expect(startSeconds).toBeLessThan(20);
  });

  it('expects requests for every service in both regions, and a bill for both accounts', () => {
    expect(world.expected.services).toHaveLength(8);
    for (const s of world.expected.services) {
      expect(s.arn).toContain(`:${s.region}:${s.account}:service/`);
      expect(s.requests).toBeGreaterThan(100);
      expect(s.errors5xx).toBeGreaterThan(0);
    }
    for (const account of [PLATFORM, TEAM]) {
      const bill = world.expected.bills[account]!;
      expect(sum(Object.values(bill.byRegion))).toBeCloseTo(bill.total, 10);
    }
  });

  it('gives a child process the endpoints and the hub session', () => {
    expect(world.env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_STS: world.sts.url,
      AWS_ENDPOINT_URL_VPC_LATTICE: world.latticeClock.url,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: world.insights.url,
      AWS_ENDPOINT_URL_COST_EXPLORER: world.costExplorer.url,
      AWS_ENDPOINT_URL_PRICING: world.pricing.url,
      AWS_SESSION_TOKEN: world.hubCredentials.sessionToken,
    });
  });
});
