/**
 * Two accounts × two regions on loopback, for one report across accounts (issue 15). PLATFORM owns
 * the service network "shared-mesh" in each region, two services and the hub role GitHub's OIDC
 * token is exchanged for; TEAM owns two services and the member role the hub assumes.
 *
 * What moto 5.2.1 cannot do, and what stands in for it:
 * - A service network shared through AWS RAM: moto finds networks and services in the caller's
 *   own account only, so TEAM cannot associate its services with PLATFORM's network. TEAM has a
 *   network of the same name in its own account, its services associated with that one.
 * - Trust policies: moto's AssumeRole works for any role ARN. STS is reached through
 *   ../servers/sts-gate.ts, which refuses what the role's trust policy in moto does not allow.
 *
 * Logs: PLATFORM's network-level log group in each region holds the requests to all four services
 * (service ARNs carry their owner's account and region); TEAM's service-level log group holds
 * those to team-orders again, line for line, as Lattice writes a request to both subscriptions.
 * Costs: each account's own Cost Explorer bill per day, region and usage type, a credit for TEAM,
 * and PLATFORM as the organization's management account seeing both (LINKED_ACCOUNT).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { accessLogLine } from '../../src/demo/records.js';
import { builtInListPrices, latticePriceListItems, latticeUsageType } from '../../src/demo/price-list.js';
import { Random, hashSeed } from '../../src/demo/random.js';
import { dayRange } from '../../src/model/dates.js';
import type { CostLine } from '../servers/cost-lines.js';
import { type LatticeMesh, createLatticeMesh, startMoto } from '../servers/moto.js';
import { type StsGate, createRole, startStsGate, trustPolicy, updateTrust } from '../servers/sts-gate.js';
import { type Emulators, emulatorEnv, PRICE_LIST, startEmulators } from './aws-world.js';
import { type Cleanup, startOrClean } from './cleanup.js';

export const PLATFORM = '111111111111';
export const TEAM = '222222222222';
export const ACCOUNTS = [PLATFORM, TEAM] as const;
export const ACCOUNT_NAMES: Record<string, string> = { [PLATFORM]: 'platform', [TEAM]: 'team' };
export const REGIONS = ['us-east-1', 'eu-west-1'] as const;
export const SHARED_NETWORK = 'shared-mesh';
export const HUB_ROLE_ARN = `arn:aws:iam::${PLATFORM}:role/lattice-cost-report-hub`;
export const MEMBER_ROLE = 'lattice-cost-report-member';
export const memberRoleArn = (account: string): string => `arn:aws:iam::${account}:role/${MEMBER_ROLE}`;
export const NETWORK_LOG_GROUP = '/aws/vendedlogs/lattice/shared-mesh';
export const TEAM_LOG_GROUP = '/aws/vendedlogs/lattice/team-services';
export const SERVICES: Record<string, string[]> = {
  [PLATFORM]: ['platform-gateway', 'platform-auth'],
  [TEAM]: ['team-orders', 'team-billing'],
};
/** TEAM's service with its own access log subscription too: its requests are logged twice. */
export const DOUBLE_LOGGED = 'team-orders';
/** The report window: seven UTC days, `end` exclusive. Logs and costs lie in it only. */
export const WINDOW = { start: '2026-11-16', end: '2026-11-23', days: 7 } as const;
export const CREATED_AT = '2026-10-01T00:00:00Z';
/** TEAM's credit: a Credit record, never a service's cost. */
export const CREDIT = { account: TEAM, day: '2026-11-20', region: 'us-east-1', amount: -0.75 } as const;

/** Billing codes of the usage types (AWS General Reference, "Region billing codes"). */
const BILLING_CODES: Record<string, string> = { 'us-east-1': 'USE1', 'eu-west-1': 'EU' };
const usageType = (region: string, charge: 'hours' | 'data' | 'freeRequests'): string =>
  latticeUsageType('us-east-1', charge).replace(/^USE1-/, `${BILLING_CODES[region]}-`);

/** us-east-1's list prices (https://aws.amazon.com/vpc/lattice/pricing/); Ireland's are assumed equal. */
const HOUR_USD = 0.025;
const GB_USD = 0.025;

/** Exact counts per service, from the generated lines, each request once. */
export interface ExpectedService {
  account: string;
  region: string;
  name: string;
  arn: string;
  requests: number;
  /** Responses 500-599. */
  errors5xx: number;
}

/** One account's Cost Explorer bill in the window. */
export interface ExpectedBill {
  /** Usage records (RECORD_TYPE Usage), both regions. */
  total: number;
  byRegion: Record<string, number>;
  /** Credit records, negative; not in `total`. */
  credits: number;
}

export interface MultiAccountWorld extends Emulators {
  /** STS (AWS_ENDPOINT_URL_STS): moto behind trust-policy checks. */
  sts: StsGate;
  /** Each account's network per region: PLATFORM's shared-mesh, TEAM's stand-in (see above). */
  meshes: Record<string, Record<string, LatticeMesh>>;
  expected: { services: ExpectedService[]; bills: Record<string, ExpectedBill> };
  /** Every cost line per account, as its own Cost Explorer holds it. */
  costLines: Record<string, CostLine[]>;
  /** Credentials of a hub role session, for a CLI run without OIDC. */
  hubCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** Environment for a child process: endpoints, AWS_REGION us-east-1, the hub session's keys. */
  env: NodeJS.ProcessEnv;
  dir: string;
  /** The member role of `account` stops trusting the hub: its AssumeRole answers AccessDenied. */
  makeUnreachable(account: string): Promise<void>;
  /** Trusts the hub again. */
  makeReachable(account: string): Promise<void>;
  close(): Promise<void>;
}

/** `analyze --aws` over this world's window and network: `accounts` as the flag takes them, the first region the home one. */
export function fleetCliArgs(accounts: string, regions: string[], out: string): string[] {
  return [
    'analyze',
    '--aws',
    '--region',
    regions[0]!,
    ...(regions.length > 1 ? ['--regions', regions.slice(1).join(',')] : []),
    '--accounts',
    accounts,
    '--service-network',
    SHARED_NETWORK,
    '--lookback-days',
    String(WINDOW.days),
    '--end-date',
    WINDOW.end,
    '--out',
    out,
  ];
}

export function startMultiAccountWorld(): Promise<MultiAccountWorld> {
  return startOrClean((cleanup) => buildWorld(cleanup));
}

/** us-east-1's built-in prices, and Ireland's (assumed the same), as a price list gives them. */
function priceList(): typeof PRICE_LIST {
  const ireland = JSON.stringify(latticePriceListItems('us-east-1', builtInListPrices('us-east-1')))
    .replaceAll('USE1', 'EU')
    .replaceAll('us-east-1', 'eu-west-1')
    .replaceAll('US East (N. Virginia)', 'EU (Ireland)');
  return [...PRICE_LIST, ...(JSON.parse(ireland) as typeof PRICE_LIST)];
}

async function buildWorld(cleanup: Cleanup): Promise<MultiAccountWorld> {
  const dir = cleanup.add(await mkdtemp(join(tmpdir(), 'lattice-multi-')), (path) =>
    rm(path, { recursive: true, force: true }),
  );
  // No fixed account: moto answers for the account of each request's key.
  const moto = await cleanup.track(startMoto(), (m) => m.stop());
  const [emulators, sts] = await Promise.all([
    startEmulators(cleanup, moto, {
      defaults: { account: PLATFORM, region: REGIONS[0] },
      accountsFromMoto: true,
      costExplorer: {},
      prices: priceList(),
    }),
    cleanup.track(startStsGate(moto.url), (g) => g.close()),
  ]);

  const hubTrust = trustPolicy([HUB_ROLE_ARN]);
  await createRole(moto.url, PLATFORM, 'lattice-cost-report-hub', GITHUB_TRUST);
  await Promise.all(ACCOUNTS.map((account) => createRole(moto.url, account, MEMBER_ROLE, hubTrust)));

  const meshes: MultiAccountWorld['meshes'] = { [PLATFORM]: {}, [TEAM]: {} };
  for (const region of REGIONS) {
    const logArn = (account: string, group: string): string =>
      `arn:aws:logs:${region}:${account}:log-group:${group}:*`;
    const [platform, team] = await Promise.all([
      createLatticeMesh(moto.url, {
        accountId: PLATFORM,
        region,
        networkName: SHARED_NETWORK,
        services: SERVICES[PLATFORM]!,
        logGroupArn: logArn(PLATFORM, NETWORK_LOG_GROUP),
      }),
      createLatticeMesh(moto.url, {
        accountId: TEAM,
        region,
        networkName: SHARED_NETWORK,
        services: SERVICES[TEAM]!,
        serviceLogGroupArns: { [DOUBLE_LOGGED]: logArn(TEAM, TEAM_LOG_GROUP) },
      }),
    ]);
    meshes[PLATFORM]![region] = platform;
    meshes[TEAM]![region] = team;
    for (const s of [...platform.services, ...team.services])
      emulators.latticeClock.createdAt.set(s.arn, CREATED_AT);
  }

  const traffic = generateTraffic(meshes);
  for (const region of REGIONS) {
    emulators.insights.putEvents(NETWORK_LOG_GROUP, traffic.network[region]!, { account: PLATFORM, region });
    emulators.insights.putEvents(TEAM_LOG_GROUP, traffic.team[region]!, { account: TEAM, region });
  }
  const expectedServices = countServices(meshes, [
    ...REGIONS.flatMap((r) => traffic.network[r]!),
    ...REGIONS.flatMap((r) => traffic.team[r]!),
  ]);

  const costLines = bills(meshes, traffic.bytes);
  for (const account of ACCOUNTS) emulators.costExplorer.setCostLines(costLines[account]!, { account });
  emulators.costExplorer.setOrganization({
    management: PLATFORM,
    members: [...ACCOUNTS],
    names: ACCOUNT_NAMES,
  });

  const hubCredentials = await hubSession(sts.url);
  const setTrust = (account: string, trust: string): Promise<void> =>
    updateTrust(moto.url, account, MEMBER_ROLE, trust);
  return {
    ...emulators,
    sts,
    meshes,
    expected: { services: expectedServices, bills: expectedBills(costLines) },
    costLines,
    hubCredentials,
    env: emulatorEnv(emulators, dir, REGIONS[0], {
      AWS_ACCESS_KEY_ID: hubCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: hubCredentials.secretAccessKey,
      AWS_SESSION_TOKEN: hubCredentials.sessionToken,
      AWS_ENDPOINT_URL_STS: sts.url,
      AWS_ENDPOINT_URL_ORGANIZATIONS: moto.url,
    }),
    dir,
    // Trusting only the account's own root leaves the hub out.
    makeUnreachable: (account) => setTrust(account, trustPolicy([`arn:aws:iam::${account}:root`])),
    makeReachable: (account) => setTrust(account, hubTrust),
    close: () => cleanup.close(),
  };
}

/** The hub role's trust policy: GitHub's OIDC provider (moto does not check web identities). */
const GITHUB_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${PLATFORM}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
    },
  ],
});

/** A session of the hub role, as the product's OIDC exchange gets one (moto mints the keys). */
async function hubSession(stsUrl: string): Promise<MultiAccountWorld['hubCredentials']> {
  const sts = new STSClient({
    endpoint: stsUrl,
    region: REGIONS[0],
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  // An unsigned token: moto only needs one to be there.
  const token = `${part({ alg: 'none' })}.${part({ iss: 'https://token.actions.githubusercontent.com', aud: 'sts.amazonaws.com', sub: 'repo:octo-org/platform:ref:refs/heads/main' })}.`;
  try {
    const { Credentials: c } = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: HUB_ROLE_ARN,
        RoleSessionName: 'world',
        WebIdentityToken: token,
      }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
      throw new Error('moto minted no hub session');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

type Events = Array<{ timestamp: number; message: string }>;

/** Deterministic requests: per region, day and service 20-59, about one in twelve a 5xx. */
function generateTraffic(meshes: MultiAccountWorld['meshes']): {
  network: Record<string, Events>;
  team: Record<string, Events>;
  /** Bytes (received + sent) per account, region and day, for the data-processing charge. */
  bytes: Map<string, number>;
} {
  const network: Record<string, Events> = {};
  const team: Record<string, Events> = {};
  const bytes = new Map<string, number>();
  for (const region of REGIONS) {
    network[region] = [];
    team[region] = [];
    const networkArn = meshes[PLATFORM]![region]!.network.arn;
    for (const account of ACCOUNTS) {
      for (const service of meshes[account]![region]!.services) {
        for (const day of dayRange(WINDOW.start, WINDOW.end)) {
          const rng = new Random(hashSeed(account, region, service.name, day));
          const count = rng.int(20, 60);
          for (let i = 0; i < count; i++) {
            const second = Math.floor(((i + rng.next()) * 86_400) / count);
            const startTime = new Date(Date.parse(`${day}T00:00:00Z`) + second * 1000)
              .toISOString()
              .replace(/\.\d+Z$/, 'Z');
            const code = rng.chance(1 / 12) ? rng.pick([500, 502, 503]) : rng.pick([200, 200, 200, 404]);
            const received = rng.int(200, 2000);
            const sent = rng.int(1000, 500_000);
            const message = accessLogLine({
              serviceNetworkArn: networkArn,
              serviceArn: service.arn,
              startTime,
              requestMethod: 'GET',
              // The index keeps every line distinct, so counting distinct lines counts requests.
              requestPath: `/${service.name}/${day}/${i}`,
              protocol: 'HTTP/1.1',
              responseCode: code,
              bytesReceived: received,
              bytesSent: sent,
              duration: rng.int(2, 400),
              hostHeader: `${service.name}-${service.id.slice(4)}.7d67968.vpc-lattice-svcs.${region}.on.aws`,
              sourceIpPort: `10.0.${rng.int(0, 255)}.${rng.int(1, 255)}:${rng.int(32768, 61000)}`,
              targetIpPort: `10.1.0.${rng.int(1, 255)}:8080`,
            });
            const event = { timestamp: Date.parse(startTime), message };
            network[region].push(event);
            if (account === TEAM && service.name === DOUBLE_LOGGED) team[region].push(event);
            const key = `${account}/${region}/${day}`;
            bytes.set(key, (bytes.get(key) ?? 0) + received + sent);
          }
        }
      }
    }
  }
  return { network, team, bytes };
}

/** Requests and 5xx per service ARN over distinct lines: a request logged twice counts once. */
function countServices(meshes: MultiAccountWorld['meshes'], events: Events): ExpectedService[] {
  const counts = new Map<string, { requests: number; errors5xx: number }>();
  for (const message of new Set(events.map((e) => e.message))) {
    const record = JSON.parse(message) as { serviceArn: string; responseCode: number };
    const count = counts.get(record.serviceArn) ?? { requests: 0, errors5xx: 0 };
    count.requests += 1;
    if (record.responseCode >= 500 && record.responseCode <= 599) count.errors5xx += 1;
    counts.set(record.serviceArn, count);
  }
  return ACCOUNTS.flatMap((account) =>
    REGIONS.flatMap((region) =>
      meshes[account]![region]!.services.map((s) => ({
        account,
        region,
        name: s.name,
        arn: s.arn,
        ...(counts.get(s.arn) ?? { requests: 0, errors5xx: 0 }),
      })),
    ),
  );
}

/** Each account's lines: service-hours, data processed, the free requests' zero line, a credit. */
function bills(meshes: MultiAccountWorld['meshes'], bytes: Map<string, number>): Record<string, CostLine[]> {
  const lines: Record<string, CostLine[]> = {};
  for (const account of ACCOUNTS) {
    lines[account] = REGIONS.flatMap((region) =>
      dayRange(WINDOW.start, WINDOW.end).flatMap((day): CostLine[] => [
        {
          day,
          region,
          usageType: usageType(region, 'hours'),
          amount: meshes[account]![region]!.services.length * 24 * HOUR_USD,
        },
        {
          day,
          region,
          usageType: usageType(region, 'data'),
          amount: ((bytes.get(`${account}/${region}/${day}`) ?? 0) / 1e9) * GB_USD,
        },
        { day, region, usageType: usageType(region, 'freeRequests'), amount: 0 },
      ]),
    );
  }
  lines[CREDIT.account]!.push({
    day: CREDIT.day,
    region: CREDIT.region,
    usageType: usageType(CREDIT.region, 'hours'),
    amount: CREDIT.amount,
    recordType: 'Credit',
  });
  return lines;
}

function expectedBills(lines: Record<string, CostLine[]>): Record<string, ExpectedBill> {
  const out: Record<string, ExpectedBill> = {};
  for (const account of ACCOUNTS) {
    const bill: ExpectedBill = { total: 0, byRegion: {}, credits: 0 };
    for (const line of lines[account]!) {
      if (line.recordType === 'Credit') {
        bill.credits += line.amount;
        continue;
      }
      bill.total += line.amount;
      bill.byRegion[line.region!] = (bill.byRegion[line.region!] ?? 0) + line.amount;
    }
    out[account] = bill;
  }
  return out;
}
