/**
 * The servers the end-to-end tests run against, driven through the real SDK clients: moto
 * (STS, VPC Lattice, CloudWatch, Cost Explorer GetCostAndUsage) and our Cost Explorer server
 * for the operations moto lacks. These tests also pin down moto's quirks that the product's
 * end-to-end tests depend on, so a moto upgrade that changes them fails here first.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { CloudWatchClient, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CostExplorerClient,
  DescribeCostCategoryDefinitionCommand,
  GetAnomaliesCommand,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageResponse,
  GetCostForecastCommand,
  GetDimensionValuesCommand,
  type GetDimensionValuesCommandInput,
  ListTagsForResourceCommand,
  paginateGetAnomalies,
  type Anomaly,
  type DimensionValuesWithAttributes,
} from '@aws-sdk/client-cost-explorer';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import {
  CreateAccessLogSubscriptionCommand,
  GetServiceCommand,
  ListAccessLogSubscriptionsCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServicesCommand,
  paginateListServiceNetworkServiceAssociations,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { startCostExplorer, type CostExplorerServer } from '../servers/cost-explorer.js';
import { freePort } from '../servers/free-port.js';
import { startLatticeClock } from '../servers/lattice-clock.js';
import {
  createLatticeMesh,
  DUMMY_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT_ID,
  seedCostAndUsage,
  spawnMotoProcess,
  startMoto,
  type LatticeMesh,
  type MotoServer,
} from '../servers/moto.js';

const region = 'us-east-1';
const credentials = DUMMY_CREDENTIALS;

/** An unsigned JWT shaped like GitHub's OIDC token: moto only needs it to be present. */
function unsignedJwt(sub: string): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'sts.amazonaws.com',
    sub,
    iat: now,
    exp: now + 300,
  })}.`;
}

function costAndUsage(day: string, amount: string, nextPageToken?: string): GetCostAndUsageResponse {
  const end = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
  return {
    GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
    ResultsByTime: [
      {
        TimePeriod: { Start: day, End: end },
        Total: {},
        Groups: [
          { Keys: ['USE1-VpcLattice-Requests'], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } },
        ],
        Estimated: false,
      },
    ],
    DimensionValueAttributes: [],
    ...(nextPageToken ? { NextPageToken: nextPageToken } : {}),
  };
}

const costQuery: GetCostAndUsageCommandInput = {
  TimePeriod: { Start: '2026-11-01', End: '2026-11-03' },
  Granularity: 'DAILY',
  Metrics: ['UnblendedCost'],
  Filter: { Dimensions: { Key: 'SERVICE', Values: ['Amazon VPC Lattice'] } },
  GroupBy: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
};

const SERVICE_VALUES = [
  'Amazon VPC Lattice',
  'Amazon Virtual Private Cloud',
  'AmazonCloudWatch',
  'Amazon Elastic Compute Cloud - Compute',
  'AWS Lambda',
];
const USAGE_TYPES = [
  'USE1-VpcLattice-ServiceHours',
  'USE1-VpcLattice-DataProcessing-Bytes',
  'USE1-VpcLattice-Requests',
  'USE1-DataTransfer-Out-Bytes',
];
const ACCOUNTS: DimensionValuesWithAttributes[] = [
  { Value: '111122223333', Attributes: { description: 'Payments' } },
  { Value: '444455556666', Attributes: { description: 'Search' } },
];

const MONITOR = 'arn:aws:ce::123456789012:anomalymonitor/0a1b2c3d-lattice';
const OTHER_MONITOR = 'arn:aws:ce::123456789012:anomalymonitor/9f8e7d6c-other';
function anomaly(
  id: string,
  start: string,
  end: string | undefined,
  impact: number,
  extra: Partial<Anomaly> = {},
): Anomaly {
  return {
    AnomalyId: id,
    AnomalyStartDate: start,
    ...(end ? { AnomalyEndDate: end } : {}),
    DimensionValue: 'Amazon VPC Lattice',
    RootCauses: [
      {
        Service: 'Amazon VPC Lattice',
        Region: region,
        LinkedAccount: '111122223333',
        LinkedAccountName: 'Payments',
        UsageType: 'USE1-VpcLattice-Requests',
        Impact: { Contribution: impact },
      },
    ],
    AnomalyScore: { MaxScore: 0.9, CurrentScore: 0.7 },
    Impact: {
      MaxImpact: impact / 2,
      TotalImpact: impact,
      TotalActualSpend: impact * 2,
      TotalExpectedSpend: impact,
      TotalImpactPercentage: 100,
    },
    MonitorArn: MONITOR,
    ...extra,
  };
}
const ANOMALIES: Anomaly[] = [
  anomaly('a-oct', '2026-09-28', '2026-10-01', 300),
  anomaly('a-1', '2026-11-08', '2026-11-10', 120),
  anomaly('a-2', '2026-11-14', '2026-11-15', 8, { Feedback: 'YES' }),
  anomaly('a-3', '2026-11-19', '2026-11-20', 40, { MonitorArn: OTHER_MONITOR }),
  anomaly('a-open', '2026-11-25', undefined, 5),
];

const FORECAST = {
  Total: { Amount: '412.50', Unit: 'USD' },
  ForecastResultsByTime: [
    {
      TimePeriod: { Start: '2026-12-01', End: '2027-01-01' },
      MeanValue: '412.50',
      PredictionIntervalLowerBound: '380.00',
      PredictionIntervalUpperBound: '445.00',
    },
  ],
};

/** Live processes (not zombies) whose command line mentions moto_server and `port`. */
function motoProcessesOn(port: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (
        args.some((a) => a.includes('moto_server')) &&
        args.some((a) => a === String(port) || a.endsWith(` ${port}`))
      ) {
        found.push(Number(entry));
      }
    } catch {
      // exited while we looked
    }
  }
  return found;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

let moto: MotoServer;
let costExplorer: CostExplorerServer;
let ce: CostExplorerClient;
let lattice: VPCLatticeClient;

beforeAll(async () => {
  moto = await startMoto();
  costExplorer = await startCostExplorer({
    motoUrl: moto.url,
    dimensionValues: { SERVICE: SERVICE_VALUES, USAGE_TYPE: USAGE_TYPES, LINKED_ACCOUNT: ACCOUNTS },
    anomalies: ANOMALIES,
    forecast: FORECAST,
    pageSize: 2,
  });
  ce = new CostExplorerClient({ endpoint: costExplorer.url, region, credentials });
  lattice = new VPCLatticeClient({ endpoint: moto.url, region, credentials });
});

afterAll(async () => {
  ce?.destroy();
  lattice?.destroy();
  await costExplorer?.close();
  await moto?.stop();
});

describe('moto process', () => {
  it('says how to install moto when no moto_server was found', async () => {
    const saved = { PATH: process.env.PATH, chosen: process.env.LATTICE_TEST_MOTO_SERVER };
    process.env.PATH = '/nonexistent';
    delete process.env.LATTICE_TEST_MOTO_SERVER;
    try {
      await expect(startMoto()).rejects.toThrow("pip install 'moto[server]~=5.2.1'");
    } finally {
      process.env.PATH = saved.PATH;
      if (saved.chosen !== undefined) process.env.LATTICE_TEST_MOTO_SERVER = saved.chosen;
    }
  });

  it('answers for a fixed account when started with one, and leaves nothing running after stop()', async () => {
    const other = await startMoto({ accountId: '111122223333' });
    try {
      const sts = new STSClient({ endpoint: other.url, region, credentials });
      expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe('111122223333');
      sts.destroy();
      // The seed must name the account the requests are answered for.
      await seedCostAndUsage(other.url, [costAndUsage('2026-11-01', '7.00')], '111122223333');
      const direct = new CostExplorerClient({ endpoint: other.url, region, credentials });
      const result = await direct.send(new GetCostAndUsageCommand(costQuery));
      direct.destroy();
      expect(result.ResultsByTime?.[0]?.Groups?.[0]?.Metrics?.UnblendedCost?.Amount).toBe('7.00');
    } finally {
      await other.stop();
      await other.stop(); // twice is harmless
    }
    expect(await portAccepts(other.port)).toBe(false);
    expect(motoProcessesOn(other.port)).toEqual([]);
  });

  it('dies with its parent: closing the stdin pipe, as the kernel does then, ends the group', async () => {
    const port = await freePort();
    const child = spawnMotoProcess(port);
    child.stdout?.resume();
    child.stderr?.resume();
    const exited = new Promise((resolve) => child.once('exit', resolve));
    expect(await waitFor(() => portAccepts(port), 30_000)).toBe(true);
    expect(motoProcessesOn(port).length).toBeGreaterThan(0);

    child.stdin?.end();
    await exited;
    expect(
      await waitFor(async () => !(await portAccepts(port)) && motoProcessesOn(port).length === 0, 10_000),
    ).toBe(true);
  });

  it('ends the group at once when moto exits by itself (here: its port is taken)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const child = spawnMotoProcess(port);
      let output = '';
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.stdout?.resume();
      await new Promise((resolve) => child.once('exit', resolve));
      expect(output).toContain('Address already in use');
      expect(await waitFor(() => motoProcessesOn(port).length === 0, 5000)).toBe(true);
      child.stdin?.destroy();
    } finally {
      blocker.close();
    }
  });

  it('reset() forgets resources and seeded results', async () => {
    const scratch = await startMoto();
    try {
      const client = new VPCLatticeClient({ endpoint: scratch.url, region, credentials });
      await createLatticeMesh(scratch.url, { networkName: 'scratch', services: ['one'], region });
      await seedCostAndUsage(scratch.url, [costAndUsage('2026-11-01', '1.00')]);
      await scratch.reset();
      expect((await client.send(new ListServicesCommand({}))).items).toEqual([]);
      const direct = new CostExplorerClient({ endpoint: scratch.url, region, credentials });
      expect((await direct.send(new GetCostAndUsageCommand(costQuery))).ResultsByTime).toEqual([]);
      client.destroy();
      direct.destroy();
    } finally {
      await scratch.stop();
    }
  });
});

describe('STS on moto', () => {
  it('accepts an unsigned JWT in AssumeRoleWithWebIdentity and returns working credentials', async () => {
    const sts = new STSClient({ endpoint: moto.url, region });
    const assumed = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `arn:aws:iam::${MOTO_DEFAULT_ACCOUNT_ID}:role/lattice-cost-report`,
        RoleSessionName: 'github-actions',
        WebIdentityToken: unsignedJwt('repo:octo/shop:ref:refs/heads/main'),
      }),
    );
    sts.destroy();
    const c = assumed.Credentials;
    expect(c?.AccessKeyId).toMatch(/^ASIA/);
    expect(c?.SecretAccessKey).toBeTruthy();
    expect(c?.SessionToken).toBeTruthy();
    expect(c?.Expiration).toBeInstanceOf(Date);

    const asRole = new STSClient({
      endpoint: moto.url,
      region,
      credentials: {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      },
    });
    const identity = await asRole.send(new GetCallerIdentityCommand({}));
    asRole.destroy();
    expect(identity.Arn).toBe(
      `arn:aws:sts::${MOTO_DEFAULT_ACCOUNT_ID}:assumed-role/lattice-cost-report/github-actions`,
    );
  });

  it("switches to the role's account: resources made with the dummy keys are not visible there", async () => {
    await createLatticeMesh(moto.url, { networkName: 'visible', services: ['only-in-default'], region });
    const sts = new STSClient({ endpoint: moto.url, region });
    const { Credentials: c } = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: 'arn:aws:iam::444455556666:role/elsewhere',
        RoleSessionName: 's',
        WebIdentityToken: unsignedJwt('repo:octo/shop:ref:refs/heads/main'),
      }),
    );
    sts.destroy();
    const elsewhere = new VPCLatticeClient({
      endpoint: moto.url,
      region,
      credentials: {
        accessKeyId: c!.AccessKeyId!,
        secretAccessKey: c!.SecretAccessKey!,
        sessionToken: c!.SessionToken!,
      },
    });
    expect((await elsewhere.send(new ListServicesCommand({}))).items).toEqual([]);
    elsewhere.destroy();
  });
});

describe('VPC Lattice on moto', () => {
  let mesh: LatticeMesh;
  const logGroupArn = `arn:aws:logs:${region}:${MOTO_DEFAULT_ACCOUNT_ID}:log-group:/vpc-lattice/shop`;
  const names = Array.from({ length: 55 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

  beforeAll(async () => {
    mesh = await createLatticeMesh(moto.url, { networkName: 'shop', services: names, logGroupArn, region });
  });

  it('creates the network, services, associations and access log subscription', () => {
    expect(mesh.network.id).toMatch(/^sn-/);
    expect(mesh.network.arn).toBe(
      `arn:aws:vpc-lattice:${region}:${MOTO_DEFAULT_ACCOUNT_ID}:servicenetwork/${mesh.network.id}`,
    );
    expect(mesh.services.map((s) => s.name)).toEqual(names);
    expect(mesh.services.every((s) => s.id.startsWith('svc-') && s.associationId.startsWith('snsa-'))).toBe(
      true,
    );
    expect(mesh.accessLogSubscription?.id).toMatch(/^als-/);
    expect(mesh.accessLogSubscription?.destinationArn).toBe(logGroupArn);
  });

  it('pages ListServiceNetworkServiceAssociations by 50, and the SDK paginator gets them all', async () => {
    const first = await lattice.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: mesh.network.id }),
    );
    expect(first.items).toHaveLength(50);
    expect(first.nextToken).toBeTruthy();

    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateListServiceNetworkServiceAssociations(
      { client: lattice },
      { serviceNetworkIdentifier: mesh.network.id },
    )) {
      pages++;
      for (const item of page.items ?? []) seen.push(item.serviceId ?? '');
    }
    expect(pages).toBe(2);
    expect(seen.sort()).toEqual(mesh.services.map((s) => s.id).sort());
  });

  it('quirk: maxResults on that list makes moto fail with HTTP 500 (it reaches the paginator as a string)', async () => {
    const once = new VPCLatticeClient({ endpoint: moto.url, region, credentials, maxAttempts: 1 });
    try {
      await expect(
        once.send(
          new ListServiceNetworkServiceAssociationsCommand({
            serviceNetworkIdentifier: mesh.network.id,
            maxResults: 7,
          }),
        ),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
    } finally {
      once.destroy();
    }
  });

  it('quirk: filtering associations by network ARN silently finds nothing (AWS accepts ARNs)', async () => {
    const byArn = await lattice.send(
      new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: mesh.network.arn }),
    );
    expect(byArn.items).toEqual([]);
  });

  it('quirk: ListServices ignores nextToken, so its page 2 repeats page 1', async () => {
    const first = await lattice.send(new ListServicesCommand({}));
    expect(first.nextToken).toBeTruthy();
    const second = await lattice.send(new ListServicesCommand({ nextToken: first.nextToken }));
    expect(second.items?.map((s) => s.id)).toEqual(first.items?.map((s) => s.id));
    expect(second.nextToken).toBe(first.nextToken);
  });

  it('lists access log subscriptions by network id (and, in moto 5.2.1, by ARN), with an empty nextToken', async () => {
    const byId = await lattice.send(
      new ListAccessLogSubscriptionsCommand({ resourceIdentifier: mesh.network.id }),
    );
    expect(byId.items?.map((s) => [s.id, s.destinationArn, s.resourceId])).toEqual([
      [mesh.accessLogSubscription?.id, logGroupArn, mesh.network.id],
    ]);
    expect(byId.nextToken).toBe('');
    const byArn = await lattice.send(
      new ListAccessLogSubscriptionsCommand({ resourceIdentifier: mesh.network.arn }),
    );
    expect(byArn.items?.map((s) => s.id)).toEqual([mesh.accessLogSubscription?.id]);
  });

  it('quirk: CreateAccessLogSubscription rejects an ARN with ValidationException', async () => {
    await expect(
      lattice.send(
        new CreateAccessLogSubscriptionCommand({
          resourceIdentifier: mesh.network.arn,
          destinationArn: logGroupArn,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('VPC Lattice creation times through the lattice clock', () => {
  it('quirk: moto gives services no createdAt; the clock adds the time it is told for an ARN, and passes the rest', async () => {
    const mesh = await createLatticeMesh(moto.url, {
      networkName: 'dated',
      services: ['dated-a', 'dated-b'],
      region,
    });
    const [a, b] = mesh.services;
    const clock = await startLatticeClock(moto.url);
    const through = new VPCLatticeClient({ endpoint: clock.url, region, credentials });
    const get = (client: VPCLatticeClient, arn: string) =>
      client.send(new GetServiceCommand({ serviceIdentifier: arn }));
    try {
      expect((await get(lattice, a!.arn)).createdAt).toBeUndefined();
      clock.createdAt.set(a!.arn, '2026-11-19T10:30:00Z');
      const got = await get(through, a!.arn);
      expect(got).toMatchObject({ arn: a!.arn, name: 'dated-a' });
      expect(got.createdAt?.toISOString()).toBe('2026-11-19T10:30:00.000Z');
      expect((await get(through, b!.arn)).createdAt).toBeUndefined();

      // ListServices (its first page: moto lists 50) gets the same, item by item.
      const direct = await lattice.send(new ListServicesCommand({}));
      const first = direct.items![0]!.arn!;
      clock.createdAt.set(first, '2026-10-01T00:00:00Z');
      const listed = await through.send(new ListServicesCommand({}));
      const iso = (time?: string) => (time === undefined ? undefined : new Date(time).toISOString());
      expect(listed.items!.map((s) => [s.arn, s.createdAt?.toISOString()])).toEqual(
        direct.items!.map((s) => [s.arn, iso(clock.createdAt.get(s.arn!))]),
      );
      // Errors pass unchanged: the SDK still reads their type.
      await expect(get(through, 'svc-00000000000000000')).rejects.toMatchObject({
        name: 'ResourceNotFoundException',
      });
    } finally {
      through.destroy();
      await clock.close();
    }
  });
});

describe('CloudWatch on moto', () => {
  it('accepts PutMetricData and lists the metric afterwards', async () => {
    const cloudwatch = new CloudWatchClient({ endpoint: moto.url, region, credentials });
    await cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'LatticeCostReport',
        MetricData: [
          {
            MetricName: 'CostPerMillionRequests',
            Value: 0.42,
            Unit: 'None',
            Dimensions: [{ Name: 'Service', Value: 'svc-00' }],
          },
        ],
      }),
    );
    const listed = await cloudwatch.send(new ListMetricsCommand({ Namespace: 'LatticeCostReport' }));
    cloudwatch.destroy();
    expect(listed.Metrics).toEqual([
      {
        Namespace: 'LatticeCostReport',
        MetricName: 'CostPerMillionRequests',
        Dimensions: [{ Name: 'Service', Value: 'svc-00' }],
      },
    ]);
  });
});

describe('Cost Explorer: GetCostAndUsage through the test server to moto', () => {
  beforeAll(() => moto.reset());

  it('returns the seeded responses in order, one per distinct request, and pages with NextPageToken', async () => {
    await seedCostAndUsage(moto.url, [
      costAndUsage('2026-11-01', '1.25', 'page-2'),
      costAndUsage('2026-11-02', '2.50'),
    ]);
    costExplorer.resetStats();
    const amounts: string[] = [];
    let token: string | undefined;
    do {
      const page = await ce.send(new GetCostAndUsageCommand({ ...costQuery, NextPageToken: token }));
      amounts.push(page.ResultsByTime?.[0]?.Groups?.[0]?.Metrics?.UnblendedCost?.Amount ?? '');
      token = page.NextPageToken;
    } while (token);
    expect(amounts).toEqual(['1.25', '2.50']);
    expect(costExplorer.stats).toEqual({ total: 2, byOperation: { GetCostAndUsage: 2 } });
  });

  it('quirk: moto caches by request body, so the same request gets the same response again', async () => {
    const again = await ce.send(new GetCostAndUsageCommand(costQuery));
    expect(again.ResultsByTime?.[0]?.TimePeriod?.Start).toBe('2026-11-01');
    // A different request with nothing left in the queue gets moto's empty default.
    const other = await ce.send(new GetCostAndUsageCommand({ ...costQuery, Metrics: ['AmortizedCost'] }));
    expect(other.ResultsByTime).toEqual([]);
  });

  it('forwards operations it does not implement itself, with their errors', async () => {
    costExplorer.resetStats();
    const tags = await ce.send(
      new ListTagsForResourceCommand({ ResourceArn: 'arn:aws:ce::123456789012:anomalymonitor/none' }),
    );
    expect(tags.ResourceTags).toEqual([]);
    await expect(
      ce.send(
        new DescribeCostCategoryDefinitionCommand({
          CostCategoryArn: 'arn:aws:ce::123456789012:costcategory/none',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } });
    expect(costExplorer.stats.byOperation).toEqual({
      ListTagsForResource: 1,
      DescribeCostCategoryDefinition: 1,
    });
  });
});

describe('Cost Explorer: GetDimensionValues', () => {
  async function allValues(
    input: GetDimensionValuesCommandInput,
  ): Promise<{ values: string[]; pages: number }> {
    const values: string[] = [];
    let pages = 0;
    let token: string | undefined;
    do {
      const page = await ce.send(new GetDimensionValuesCommand({ ...input, NextPageToken: token }));
      pages++;
      expect(page.ReturnSize).toBe(page.DimensionValues?.length);
      values.push(...(page.DimensionValues ?? []).map((v) => v.Value ?? ''));
      token = page.NextPageToken;
    } while (token);
    return { values, pages };
  }
  const TimePeriod = { Start: '2026-11-01', End: '2026-11-30' };

  it('pages through the configured values', async () => {
    costExplorer.resetStats();
    const first = await ce.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE' }));
    expect(first).toMatchObject({ ReturnSize: 2, TotalSize: 5 });
    expect(first.DimensionValues).toEqual([
      { Value: 'Amazon VPC Lattice', Attributes: {} },
      { Value: 'Amazon Virtual Private Cloud', Attributes: {} },
    ]);
    expect(await allValues({ TimePeriod, Dimension: 'SERVICE' })).toEqual({
      values: SERVICE_VALUES,
      pages: 3,
    });
    expect(costExplorer.stats.byOperation.GetDimensionValues).toBe(4);
  });

  it('filters by SearchString as a case-insensitive substring', async () => {
    const { values } = await allValues({ TimePeriod, Dimension: 'USAGE_TYPE', SearchString: 'vpclattice' });
    expect(values).toEqual(USAGE_TYPES.slice(0, 3));
    const none = await ce.send(
      new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE', SearchString: 'zzz' }),
    );
    expect(none).toMatchObject({ DimensionValues: [], ReturnSize: 0, TotalSize: 0 });
    expect(none.NextPageToken).toBeUndefined();
  });

  it('returns configured attributes', async () => {
    const accounts = await ce.send(
      new GetDimensionValuesCommand({ TimePeriod, Dimension: 'LINKED_ACCOUNT' }),
    );
    expect(accounts.DimensionValues).toEqual(ACCOUNTS);
  });

  it('rejects a token from another request, or garbage, with InvalidNextTokenException', async () => {
    const first = await ce.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE' }));
    await expect(
      ce.send(
        new GetDimensionValuesCommand({
          TimePeriod,
          Dimension: 'USAGE_TYPE',
          NextPageToken: first.NextPageToken,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidNextTokenException', $metadata: { httpStatusCode: 400 } });
    await expect(
      ce.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE', NextPageToken: 'nonsense' })),
    ).rejects.toMatchObject({ name: 'InvalidNextTokenException' });
  });

  it('rejects a request without TimePeriod with ValidationException', async () => {
    await expect(
      ce.send(new GetDimensionValuesCommand({ Dimension: 'SERVICE' } as GetDimensionValuesCommandInput)),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('Cost Explorer: GetAnomalies', () => {
  it('filters by DateInterval against the end date and pages with the SDK paginator', async () => {
    costExplorer.resetStats();
    const ids: string[] = [];
    for await (const page of paginateGetAnomalies(
      { client: ce },
      { DateInterval: { StartDate: '2026-11-01', EndDate: '2026-11-30' } },
    )) {
      ids.push(...(page.Anomalies ?? []).map((a) => a.AnomalyId ?? ''));
    }
    expect(ids).toEqual(['a-1', 'a-2', 'a-3', 'a-open']);
    expect(costExplorer.stats.byOperation.GetAnomalies).toBe(2);
  });

  it('returns the anomaly unchanged, and filters by monitor, feedback and total impact', async () => {
    const DateInterval = { StartDate: '2026-11-01' };
    const one = await ce.send(new GetAnomaliesCommand({ DateInterval, MaxResults: 1 }));
    expect(one.Anomalies).toEqual([ANOMALIES[1]]);
    expect(one.NextPageToken).toBeTruthy();
    const ids = async (extra: object): Promise<string[]> =>
      (
        (await ce.send(new GetAnomaliesCommand({ DateInterval, MaxResults: 10, ...extra }))).Anomalies ?? []
      ).map((a) => a.AnomalyId ?? '');
    expect(await ids({ MonitorArn: OTHER_MONITOR })).toEqual(['a-3']);
    expect(await ids({ Feedback: 'YES' })).toEqual(['a-2']);
    expect(await ids({ TotalImpact: { NumericOperator: 'GREATER_THAN_OR_EQUAL', StartValue: 40 } })).toEqual([
      'a-1',
      'a-3',
    ]);
    expect(await ids({ TotalImpact: { NumericOperator: 'BETWEEN', StartValue: 5, EndValue: 10 } })).toEqual([
      'a-2',
      'a-open',
    ]);
  });

  it('answers the anomalies set later', async () => {
    costExplorer.setAnomalies([anomaly('late', '2026-11-02', '2026-11-03', 1)]);
    try {
      const result = await ce.send(new GetAnomaliesCommand({ DateInterval: { StartDate: '2026-11-01' } }));
      expect(result.Anomalies?.map((a) => a.AnomalyId)).toEqual(['late']);
    } finally {
      costExplorer.setAnomalies(ANOMALIES);
    }
  });
});

describe('Cost Explorer: GetCostForecast', () => {
  const request = {
    TimePeriod: { Start: '2026-12-01', End: '2027-01-01' },
    Metric: 'UNBLENDED_COST' as const,
    Granularity: 'MONTHLY' as const,
  };

  it('returns the configured forecast', async () => {
    const forecast = await ce.send(new GetCostForecastCommand(request));
    expect(forecast.Total).toEqual({ Amount: '412.50', Unit: 'USD' });
    expect(forecast.ForecastResultsByTime).toEqual(FORECAST.ForecastResultsByTime);
  });

  it('answers DataUnavailableException without a forecast, or the configured error', async () => {
    try {
      costExplorer.setForecast(undefined);
      await expect(ce.send(new GetCostForecastCommand(request))).rejects.toMatchObject({
        name: 'DataUnavailableException',
        $metadata: { httpStatusCode: 400 },
      });
      costExplorer.setForecast({ error: 'BillExpirationException', message: 'Bill expired' });
      await expect(ce.send(new GetCostForecastCommand(request))).rejects.toMatchObject({
        name: 'BillExpirationException',
        message: 'Bill expired',
      });
    } finally {
      costExplorer.setForecast(FORECAST);
    }
  });
});

describe('Cost Explorer: injected faults and the SDK retries', () => {
  const TimePeriod = { Start: '2026-11-01', End: '2026-11-30' };

  it('retries LimitExceededException with backoff and succeeds; every attempt is counted', async () => {
    costExplorer.resetStats();
    costExplorer.faults.throttle(2, 'GetDimensionValues');
    const result = await ce.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE' }));
    expect(result.$metadata.attempts).toBe(3);
    expect(costExplorer.stats.byOperation.GetDimensionValues).toBe(3);
    expect(costExplorer.faults.pending()).toBe(0);
  });

  it('only fails the operation it was told to', async () => {
    costExplorer.faults.throttle(1, 'GetCostForecast');
    const values = await ce.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE' }));
    expect(values.$metadata.attempts).toBe(1);
    expect(costExplorer.faults.pending()).toBe(1);
    costExplorer.faults.clear();
  });

  it('retries an HTTP 500, also on the operations forwarded to moto', async () => {
    await seedCostAndUsage(moto.url, [costAndUsage('2026-11-05', '3.00')]);
    costExplorer.faults.serverError(1);
    const result = await ce.send(
      new GetCostAndUsageCommand({ ...costQuery, TimePeriod: { Start: '2026-11-05', End: '2026-11-06' } }),
    );
    expect(result.$metadata.attempts).toBe(2);
    expect(result.ResultsByTime?.[0]?.TimePeriod?.Start).toBe('2026-11-05');
  });

  it('gives up after maxAttempts with LimitExceededException', async () => {
    costExplorer.resetStats();
    costExplorer.faults.throttle(5);
    const impatient = new CostExplorerClient({
      endpoint: costExplorer.url,
      region,
      credentials,
      maxAttempts: 2,
    });
    try {
      await expect(
        impatient.send(new GetDimensionValuesCommand({ TimePeriod, Dimension: 'SERVICE' })),
      ).rejects.toMatchObject({
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 400, attempts: 2 },
      });
    } finally {
      impatient.destroy();
      costExplorer.faults.clear();
    }
    expect(costExplorer.stats.total).toBe(2);
  });
});

describe("the SDK's standard AWS_ENDPOINT_URL_* variables", () => {
  it('route a separate process: Cost Explorer to the test server, everything else to moto', async () => {
    costExplorer.resetStats();
    const script = `
      import { CostExplorerClient, GetDimensionValuesCommand } from '@aws-sdk/client-cost-explorer';
      import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
      const ce = new CostExplorerClient({});
      const values = await ce.send(new GetDimensionValuesCommand({
        TimePeriod: { Start: '2026-11-01', End: '2026-11-30' }, Dimension: 'SERVICE', SearchString: 'lattice' }));
      const identity = await new STSClient({}).send(new GetCallerIdentityCommand({}));
      console.log(JSON.stringify({ values: values.DimensionValues.map((v) => v.Value), account: identity.Account }));
    `;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: moto.url,
      AWS_ENDPOINT_URL_COST_EXPLORER: costExplorer.url,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      // No profile or config file from the machine running the tests.
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        cwd: process.cwd(),
        env,
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(stdout)).toEqual({ values: ['Amazon VPC Lattice'], account: MOTO_DEFAULT_ACCOUNT_ID });
    expect(costExplorer.stats.byOperation).toEqual({ GetDimensionValues: 1 });
  });
});
