/**
 * Everything the AWS pipeline talks to, on loopback: moto (STS, VPC Lattice, CloudWatch and
 * Cost Explorer GetCostAndUsage), the Cost Explorer server for what moto lacks, and the Logs
 * Insights server. It is loaded with the demo's two weeks of access logs, re-addressed to the
 * services created in moto, and the demo's Cost Explorer response. VPC Lattice is reached through
 * a proxy that gives the services creation times of the test's choosing (moto gives them none).
 * With `s3: true` the same lines are also delivered to a bucket in moto's S3 (s3-delivery.ts) and
 * Athena is reached through athena-duck.ts, which runs the queries on DuckDB: so the CloudWatch
 * path and the S3 path can be run on the same events.
 */
import { AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import type { Anomaly } from '@aws-sdk/client-cost-explorer';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { nameFromHostHeader, identityFromArn } from '../../src/model/aggregate.js';
import { type DemoResult, generateDemo } from '../../src/demo/generate.js';
import { accessLogTableInput } from '../../src/aws/athena-table.js';
import { POLL_ENV } from '../../src/aws/insights.js';
import { type AthenaDuck, startAthenaDuck } from '../servers/athena-duck.js';
import {
  type CostExplorerOptions,
  type CostExplorerServer,
  startCostExplorer,
} from '../servers/cost-explorer.js';
import { type InsightsServer, startInsightsServer } from '../servers/insights/server.js';
import { type PricingServer, startPricingServer } from '../servers/pricing.js';
import { builtInListPrices, latticePriceListItems, type PriceListItem } from '../../src/demo/price-list.js';
import { type LatticeClock, startLatticeClock } from '../servers/lattice-clock.js';
import {
  DUMMY_CREDENTIALS,
  type LatticeMesh,
  type MotoServer,
  createLatticeMesh,
  seedCostAndUsage,
  startMoto,
} from '../servers/moto.js';
import { type Cleanup, allSettledOrThrow, startOrClean } from './cleanup.js';
import { type DeliveredObject, deliverToS3, s3ClientFor } from './s3-delivery.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const LOG_GROUP = '/aws/vendedlogs/lattice/analytics-mesh';
export const NETWORK = 'analytics-mesh';
/** Associated with the network, never called: billed hours, no log line. */
export const SILENT_SERVICE = 'dormant-svc';
/** Created mid-window, at half past an hour: billed 14 service-hours that day. */
export const SILENT_CREATED_AT = '2026-11-19T10:30:00Z';
/** Every other service of the world: created well before the logs start. */
export const CREATED_AT = '2026-10-01T00:00:00Z';
export const DEMO_END = '2026-11-23';
/** The S3 path's names: the log bucket and prefix, and the action's default Athena names. */
export const LOG_BUCKET = 'lattice-access-logs';
export const LOG_PREFIX = 'lattice/';
export const RESULTS_BUCKET = 'lattice-athena-results';
export const WORKGROUP = 'lattice-cost-report';
export const ATHENA_DATABASE = 'lattice_cost_report';
export const ATHENA_TABLE = 'access_logs';

/** moto and the test servers in front of it or beside it. */
export interface Emulators {
  moto: MotoServer;
  /** VPC Lattice's endpoint: moto, with the creation times set here. */
  latticeClock: LatticeClock;
  costExplorer: CostExplorerServer;
  /** The Price List Query API. */
  pricing: PricingServer;
  insights: InsightsServer;
}

export interface AwsWorld extends Emulators {
  mesh: LatticeMesh;
  /** The same events as the log group holds, as a JSONL file for the local engine. */
  logFile: string;
  costsFile: string;
  /** UTF-8 bytes of every event in the log group. */
  eventBytes: number;
  /** The same, per UTC day of the event timestamp. */
  eventBytesByDay: Map<string, number>;
  events: number;
  /** Environment for a child process: endpoints, region, dummy credentials (and Athena's with `s3`). */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** With `s3: true`: the same events delivered to S3, and Athena on DuckDB. */
  s3?: S3Path;
  close(): Promise<void>;
}

export interface S3Path {
  /** The `log-source` input: s3://LOG_BUCKET/LOG_PREFIX. */
  logSource: string;
  bucket: string;
  prefix: string;
  /** The one log root (account and region) the day folders are under. */
  root: string;
  objects: DeliveredObject[];
  /** Every delivery day, ascending. */
  days: string[];
  /** Athena's endpoint (also AWS_ENDPOINT_URL_ATHENA in `env`), and the queries it ran. */
  athena: AthenaDuck;
  /** WORKGROUP exists, with its results in RESULTS_BUCKET; the Glue table does not. */
  workGroup: string;
  /** Creates ATHENA_DATABASE.ATHENA_TABLE over the bucket, as the provisioning template would. */
  createTable(): Promise<void>;
}

const CAD_ANOMALY: Anomaly = {
  AnomalyId: 'lattice-spike',
  AnomalyStartDate: '2026-11-20',
  AnomalyEndDate: '2026-11-20',
  DimensionValue: 'Amazon Virtual Private Cloud',
  MonitorArn: `arn:aws:ce::${ACCOUNT}:anomalymonitor/lattice`,
  RootCauses: [
    {
      Service: 'Amazon Virtual Private Cloud',
      Region: REGION,
      UsageType: 'USE1-VpcLattice-DataProcessing-Bytes',
    },
  ],
  AnomalyScore: { MaxScore: 0.93, CurrentScore: 0.5 },
  Impact: {
    MaxImpact: 2.1,
    TotalImpact: 2.4,
    TotalActualSpend: 4.2,
    TotalExpectedSpend: 1.8,
    TotalImpactPercentage: 133,
  },
};
const EC2_ANOMALY: Anomaly = {
  ...CAD_ANOMALY,
  AnomalyId: 'ec2',
  RootCauses: [{ Service: 'Amazon Elastic Compute Cloud - Compute', UsageType: 'USE1-BoxUsage:m5.large' }],
};

/** Amazon VPC, but not Lattice: a VPC endpoint's hours. */
const VPC_ENDPOINT_ANOMALY: Anomaly = {
  ...CAD_ANOMALY,
  AnomalyId: 'vpc-endpoint',
  RootCauses: [
    { Service: 'Amazon Virtual Private Cloud', Region: REGION, UsageType: 'USE1-VpcEndpoint-Hours' },
  ],
};

/** us-east-1 at the built-in prices, so a run reading them gives the built-in totals to the cent. */
export const PRICE_LIST = [
  ...latticePriceListItems(REGION, builtInListPrices(REGION)),
  // Tokyo, from a third-party transcription of the pricing page: another region, other prices.
  ...latticePriceListItems(
    'ap-northeast-1',
    {
      serviceHour: 0.0325,
      perGB: 0.0325,
      perMillionRequests: 0.13,
      resourceHour: 0.13,
      resourcePerGB: 0.013,
    },
    '2026-11-15',
  ),
];

/**
 * Starts the world. Everything it starts is closed again if a later step fails, and by close().
 * `logFile: false` skips writing the events as a JSONL file (384 MB) for callers that never read it.
 * `s3: true` also delivers them to S3 and starts Athena (`world.s3`); off by default.
 */
export function startAwsWorld(options: { logFile?: boolean; s3?: boolean } = {}): Promise<AwsWorld> {
  return startOrClean((cleanup) => buildWorld(cleanup, options.logFile ?? true, options.s3 ?? false));
}

async function buildWorld(cleanup: Cleanup, withLogFile: boolean, withS3: boolean): Promise<AwsWorld> {
  const dir = cleanup.add(await mkdtemp(join(tmpdir(), 'lattice-aws-')), (path) =>
    rm(path, { recursive: true, force: true }),
  );
  // moto takes seconds to import its backends in its own process: start it while the demo is made.
  const [demo, moto] = await allSettledOrThrow([
    demoFiles(dir),
    cleanup.track(startMoto({ accountId: ACCOUNT }), (m) => m.stop()),
  ]);
  const bill = JSON.parse(await readFile(demo.costsFile, 'utf8')) as {
    ResultsByTime: Array<{ Groups: Array<{ Keys: string[] }> }>;
  };
  const usageTypes = [...new Set(bill.ResultsByTime.flatMap((d) => d.Groups.map((g) => g.Keys[0]!)))];
  const emulators = await startEmulators(cleanup, moto, {
    defaults: { account: ACCOUNT, region: REGION },
    accountsFromMoto: false,
    costExplorer: {
      dimensionValues: { USAGE_TYPE: [...usageTypes, 'USE1-NatGateway-Bytes', 'USE1-BoxUsage:m5.large'] },
      anomalies: [CAD_ANOMALY, EC2_ANOMALY, VPC_ENDPOINT_ANOMALY],
      forecast: { Total: { Amount: '51.37', Unit: 'USD' }, ForecastResultsByTime: [] },
    },
    prices: PRICE_LIST,
  });
  const { insights, latticeClock } = emulators;
  await seedCostAndUsage(moto.url, [bill as never], ACCOUNT);

  // The events are ~384 MB: each line's service and time are read without parsing it, and a
  // line is parsed only for the name of a service not seen before.
  const lines: string[] = [];
  const serviceArns: string[] = [];
  const startTimes: string[] = [];
  const demoArns = new Map<string, string>();
  for (const file of demo.files) {
    const text = gunzipSync(await readFile(file)).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      const serviceArn = stringField(line, 'serviceArn');
      const startTime = stringField(line, 'startTime');
      if (!serviceArn || !startTime) throw new Error(`A demo line without serviceArn or startTime: ${line}`);
      lines.push(line);
      serviceArns.push(serviceArn);
      startTimes.push(startTime);
      if (demoArns.has(serviceArn)) continue;
      const { hostHeader } = JSON.parse(line) as { hostHeader: string };
      const name = nameFromHostHeader(hostHeader, identityFromArn(serviceArn).id);
      if (name) demoArns.set(serviceArn, name);
    }
  }
  // The demo's services, by name, re-created in moto; their log lines follow them.
  const mesh = await createLatticeMesh(moto.url, {
    networkName: NETWORK,
    services: [...demoArns.values(), SILENT_SERVICE],
    logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:*`,
    region: REGION,
  });
  const motoArn = new Map(mesh.services.map((s) => [s.name, s.arn]));
  for (const s of mesh.services)
    latticeClock.createdAt.set(s.arn, s.name === SILENT_SERVICE ? SILENT_CREATED_AT : CREATED_AT);
  const events: Array<{ timestamp: number; message: string }> = [];
  const eventBytesByDay = new Map<string, number>();
  let eventBytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const arn = serviceArns[i]!;
    const message = lines[i]!.replace(
      `"serviceArn":"${arn}"`,
      `"serviceArn":"${motoArn.get(demoArns.get(arn)!)!}"`,
    );
    const bytes = Buffer.byteLength(message);
    const day = startTimes[i]!.slice(0, 10);
    eventBytes += bytes;
    eventBytesByDay.set(day, (eventBytesByDay.get(day) ?? 0) + bytes);
    events.push({ timestamp: Date.parse(startTimes[i]!), message });
  }
  lines.length = 0;
  insights.putEvents(LOG_GROUP, events);
  const logFile = join(dir, 'access.jsonl');
  if (withLogFile) await writeLines(logFile, events);
  const s3 = withS3 ? await startS3Path(cleanup, moto, events) : undefined;

  return {
    ...emulators,
    mesh,
    logFile,
    costsFile: demo.costsFile,
    eventBytes,
    eventBytesByDay,
    events: events.length,
    env: emulatorEnv(emulators, dir, REGION, s3 ? { AWS_ENDPOINT_URL_ATHENA: s3.athena.url } : {}),
    dir,
    ...(s3 ? { s3 } : {}),
    close: () => cleanup.close(),
  };
}

/** The events delivered to S3, Athena on DuckDB in front of moto, and the workgroup the action uses. */
async function startS3Path(
  cleanup: Cleanup,
  moto: MotoServer,
  events: ReadonlyArray<{ message: string }>,
): Promise<S3Path> {
  const athena = await cleanup.track(startAthenaDuck({ motoUrl: moto.url }), (a) => a.close());
  const delivery = await deliverToS3(moto.url, {
    bucket: LOG_BUCKET,
    prefix: LOG_PREFIX,
    account: ACCOUNT,
    region: REGION,
    lines: events.map((e) => e.message),
  });
  const client = { region: REGION, endpoint: moto.url, credentials: DUMMY_CREDENTIALS };
  const s3 = s3ClientFor(moto.url, REGION);
  const workgroups = new AthenaClient(client);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: RESULTS_BUCKET }));
    await workgroups.send(
      new CreateWorkGroupCommand({
        Name: WORKGROUP,
        Configuration: { ResultConfiguration: { OutputLocation: `s3://${RESULTS_BUCKET}/` } },
      }),
    );
  } finally {
    s3.destroy();
    workgroups.destroy();
  }
  return {
    logSource: delivery.uri,
    bucket: LOG_BUCKET,
    prefix: LOG_PREFIX,
    root: delivery.root,
    objects: delivery.objects,
    days: delivery.days,
    athena,
    workGroup: WORKGROUP,
    createTable: async () => {
      const glue = new GlueClient(client);
      try {
        await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: ATHENA_DATABASE } }));
        await glue.send(
          new CreateTableCommand({
            DatabaseName: ATHENA_DATABASE,
            TableInput: accessLogTableInput(
              ATHENA_TABLE,
              { bucket: LOG_BUCKET, prefix: LOG_PREFIX },
              [delivery.root],
              false,
            ),
          }),
        );
      } finally {
        glue.destroy();
      }
    },
  };
}

/**
 * The servers around a started moto, side by side. `accountsFromMoto`: the Logs Insights and Cost
 * Explorer servers take a request's account from its access key in moto (several accounts);
 * otherwise every request is `defaults.account`'s (moto then answers for one account anyway).
 */
export async function startEmulators(
  cleanup: Cleanup,
  moto: MotoServer,
  options: {
    defaults: { account: string; region: string };
    accountsFromMoto: boolean;
    costExplorer: Omit<CostExplorerOptions, 'motoUrl' | 'accountId'>;
    prices: PriceListItem[];
  },
): Promise<Emulators> {
  const motoUrl = options.accountsFromMoto ? moto.url : undefined;
  const [insights, costExplorer, pricing, latticeClock] = await allSettledOrThrow([
    cleanup.track(
      startInsightsServer({
        accountId: options.defaults.account,
        region: options.defaults.region,
        ...(motoUrl ? { motoUrl } : {}),
      }),
      (s) => s.close(),
    ),
    cleanup.track(
      startCostExplorer({ ...options.costExplorer, motoUrl: moto.url, accountId: options.defaults.account }),
      (s) => s.close(),
    ),
    cleanup.track(startPricingServer({ products: options.prices }), (p) => p.close()),
    cleanup.track(startLatticeClock(moto.url), (c) => c.close()),
  ]);
  return { moto, insights, costExplorer, pricing, latticeClock };
}

/** Environment for a child process: the emulators' endpoints, `region`, dummy or given credentials. */
export function emulatorEnv(
  emulators: Emulators,
  dir: string,
  region: string,
  more: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: emulators.moto.url,
    AWS_ENDPOINT_URL_VPC_LATTICE: emulators.latticeClock.url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: emulators.insights.url,
    AWS_ENDPOINT_URL_COST_EXPLORER: emulators.costExplorer.url,
    AWS_ENDPOINT_URL_PRICING: emulators.pricing.url,
    // Nothing from the developer's machine may leak in.
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // The emulated queries are done at once: poll them every few ms, not every 1-5 s.
    [POLL_ENV]: '5,20',
    ...more,
  };
}

/** The demo test/global-setup.mjs made for this run, read-only; or a fresh one in `dir`. */
async function demoFiles(dir: string): Promise<DemoResult> {
  const shared = process.env.LATTICE_TEST_DEMO_JSON;
  if (shared) return JSON.parse(await readFile(shared, 'utf8')) as DemoResult;
  return generateDemo({ outDir: join(dir, 'demo') });
}

/** A string field as JSON.stringify writes it: ARNs and timestamps hold nothing it escapes. */
function stringField(line: string, name: string): string | undefined {
  const key = `"${name}":"`;
  const at = line.indexOf(key);
  const end = at < 0 ? -1 : line.indexOf('"', at + key.length);
  return end < 0 ? undefined : line.slice(at + key.length, end);
}

/** Writes the events' messages as JSONL in chunks: one 384 MB string would cost seconds and memory. */
async function writeLines(path: string, events: Array<{ message: string }>): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (let i = 0; i < events.length; i += 4096) {
      const chunk = events.slice(i, i + 4096).map((e) => `${e.message}\n`);
      await file.write(chunk.join(''));
    }
  } finally {
    await file.close();
  }
}

/** Names a hostile log or API could carry; the report must render all of them inert. */
export const HOSTILE_NAMES = [
  '@octocat',
  '<img src=x onerror=alert(1)>',
  '| pipe |',
  'back`tick',
  '](javascript:alert(1))',
  '<!-- lattice-cost-report:analytics-mesh.us-east-1.0000000000 -->',
];

/**
 * A second network with `count` services of the longest names Lattice allows (40 characters), the
 * first ones named with HOSTILE_NAMES, and a log
 * group holding a day of traffic for those, so a large report with hostile text gets built.
 */
export async function addLargeHostileMesh(
  world: AwsWorld,
  count: number,
  day: string,
): Promise<{ network: string; logGroup: string }> {
  const network = 'big-mesh';
  const logGroup = '/aws/vendedlogs/lattice/big-mesh';
  const names = Array.from(
    { length: count },
    (_, i) => HOSTILE_NAMES[i] ?? `fulfilment-reconciliation-worker-${String(i).padStart(3, '0')}`,
  );
  const mesh = await createLatticeMesh(world.moto.url, {
    networkName: network,
    services: names,
    logGroupArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:*`,
    region: REGION,
  });
  for (const s of mesh.services) world.latticeClock.createdAt.set(s.arn, CREATED_AT);
  const events = mesh.services.slice(0, HOSTILE_NAMES.length + 4).flatMap((service, i) =>
    Array.from({ length: 40 }, (_, k) => {
      const startTime = new Date(Date.parse(`${day}T00:00:00Z`) + (k * 3600 * 1000) / 2)
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      const message = JSON.stringify({
        serviceArn: service.arn,
        startTime,
        requestPath: '/<script>alert(1)</script>',
        userAgent: '@octocat | `x` ](javascript:alert(1))',
        responseCode: k % 10 === 0 ? 503 : 200,
        bytesReceived: 200,
        bytesSent: 2000 * (i + 1),
        duration: 30 + k * 20,
        authDeniedReason: '-',
      });
      return { timestamp: Date.parse(startTime), message };
    }),
  );
  world.insights.putEvents(logGroup, events);
  return { network, logGroup };
}
