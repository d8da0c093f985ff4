/**
 * The demo mesh: the service network `analytics-mesh` with services that each show one thing the
 * report should find (a slow one, a failing one, an idle one…). Names, ids and addresses are
 * fixed, whatever the traffic seed, so a demo report reads the same from run to run.
 */
import { hashSeed, Random } from './random.js';

const DEMO_ACCOUNT = '111122223333';
export const DEMO_REGION = 'us-east-1';
const DEMO_NETWORK_NAME = 'analytics-mesh';
/** 14 complete UTC days: a previous week and the analysis week. End is exclusive. */
export const DEMO_START = '2026-11-09';
export const DEMO_END = '2026-11-23';
export const DEMO_ANALYSIS_START = '2026-11-16';
/** A Friday in the analysis week: media-export ships 3× the bytes, checkout-api takes 2.5× the requests. */
const DEMO_SPIKE_DAY = '2026-11-20';

/** A lognormal size in bytes. */
interface ByteSize {
  median: number;
  sigma: number;
}

/** One mode of a latency mixture, in milliseconds of target time. */
interface LatencyMode {
  weight: number;
  medianMs: number;
  sigma: number;
}

export interface Route {
  weight: number;
  method: string;
  /** `{id}` becomes a number, `{term}` a search term. */
  path: string;
  successCode: number;
  requestBytes: ByteSize;
  responseBytes: ByteSize;
}

/** A change on one day: the spike the anomaly detector should flag. */
interface DayEffect {
  day: string;
  requestFactor?: number;
  bytesSentFactor?: number;
}

interface DemoVpc {
  id: string;
  arn: string;
  /** First two octets of the VPC's CIDR, for believable client and target addresses. */
  cidrPrefix: string;
}

export interface DemoCaller {
  weight: number;
  principal: string;
  orgId: string;
  vpc: DemoVpc;
  userAgents: readonly string[];
}

export interface DemoService {
  name: string;
  id: string;
  arn: string;
  /** The default DNS name: `<name>-<id hex>.<7 hex>.vpc-lattice-svcs.<region>.on.aws`. */
  dnsName: string;
  targetGroupArn: string;
  destinationVpcId: string;
  targets: readonly string[];
  /** AWS_IAM services see the signed caller; NONE services see "-". */
  auth: 'AWS_IAM' | 'NONE';
  protocol: 'HTTP/1.1' | 'HTTP/2.0';
  /** Mean requests on a Monday-Friday; below 30 the day's count is drawn from a Poisson law. */
  weekdayRequests: number;
  weekendFactor: number;
  /** UTC hour of the daily peak; amplitude 0 is flat, 0.9 nearly silent at night. */
  peakHourUtc: number;
  diurnalAmplitude: number;
  latency: readonly LatencyMode[];
  redirectRate: number;
  clientErrorRate: number;
  serverErrorRate: number;
  serverErrorCodes: readonly number[];
  /** Share of requests the auth policy denies (403, no target). */
  authDeniedRate: number;
  routes: readonly Route[];
  callers: readonly DemoCaller[];
  /** Callers the auth policy rejects. */
  deniedCallers: readonly DemoCaller[];
  effects: readonly DayEffect[];
}

export interface DemoMesh {
  account: string;
  region: string;
  networkName: string;
  networkArn: string;
  services: readonly DemoService[];
}

/** Lattice ids look like `svc-0cfe1f49ff3266204`: 17 lowercase hex characters, leading 0. */
function latticeHex(label: string): string {
  return `0${new Random(hashSeed(DEMO_NETWORK_NAME, label)).hex(16)}`;
}

function vpc(account: string, label: string, cidrPrefix: string): DemoVpc {
  const id = `vpc-${latticeHex(`vpc:${label}`)}`;
  return { id, arn: `arn:aws:ec2:${DEMO_REGION}:${account}:vpc/${id}`, cidrPrefix };
}

function roleSession(account: string, role: string): string {
  const session = new Random(hashSeed('session', account, role)).hex(32);
  return `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
}

const VPCS = {
  frontend: vpc(DEMO_ACCOUNT, 'frontend', '10.0'),
  backend: vpc(DEMO_ACCOUNT, 'backend', '10.1'),
  batch: vpc(DEMO_ACCOUNT, 'batch', '10.2'),
  partnerEdge: vpc('444455556666', 'partner-edge', '172.20'),
  services: vpc(DEMO_ACCOUNT, 'services', '10.20'),
  data: vpc(DEMO_ACCOUNT, 'data', '10.30'),
} as const;

const ORG_ID = 'o-a1b2c3d4e5';

const CALLERS = {
  web: {
    weight: 6,
    principal: roleSession(DEMO_ACCOUNT, 'web-frontend-task'),
    orgId: ORG_ID,
    vpc: VPCS.frontend,
    userAgents: ['okhttp/4.12.0', 'aws-sdk-java/2.25.60 Linux/6.1 OpenJDK_64-Bit_Server_VM/21.0.3'],
  },
  worker: {
    weight: 3,
    principal: roleSession(DEMO_ACCOUNT, 'order-worker-task'),
    orgId: ORG_ID,
    vpc: VPCS.backend,
    userAgents: ['Go-http-client/2.0', 'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5'],
  },
  batch: {
    weight: 1,
    principal: roleSession(DEMO_ACCOUNT, 'batch-scheduler'),
    orgId: ORG_ID,
    vpc: VPCS.batch,
    userAgents: [
      'python-requests/2.32.3',
      'Boto3/1.34.144 md/Botocore#1.34.144 ua/2.0 os/linux Python/3.12.4',
    ],
  },
  partner: {
    weight: 1,
    principal: roleSession('444455556666', 'partner-sync'),
    orgId: 'o-7k2m9x4q1z',
    vpc: VPCS.partnerEdge,
    userAgents: ['partner-sync/3.4.1 (+https://partner.example.com)', 'curl/8.5.0'],
  },
  stranger: {
    weight: 1,
    principal: roleSession('555566667777', 'legacy-integration'),
    orgId: '-',
    vpc: VPCS.partnerEdge,
    userAgents: ['python-requests/2.25.1'],
  },
} as const satisfies Record<string, DemoCaller>;

const small = (median: number, sigma = 0.3): ByteSize => ({ median, sigma });

/** Everything about a service except its derived names and addresses. */
type ServiceProfile = Omit<
  DemoService,
  'id' | 'arn' | 'dnsName' | 'targetGroupArn' | 'destinationVpcId' | 'targets'
> & {
  targetVpc: DemoVpc;
};

const DEFAULTS = {
  auth: 'AWS_IAM',
  protocol: 'HTTP/1.1',
  weekendFactor: 0.7,
  peakHourUtc: 17,
  diurnalAmplitude: 0.7,
  redirectRate: 0,
  clientErrorRate: 0.015,
  serverErrorRate: 0.002,
  serverErrorCodes: [500, 502, 503],
  authDeniedRate: 0,
  callers: [CALLERS.web, CALLERS.worker],
  deniedCallers: [],
  effects: [],
  targetVpc: VPCS.services,
} as const satisfies Partial<ServiceProfile>;

/** p50/p99 notes are for `duration`; sigma 1 widens p99 to about 10× the median. */
const PROFILES: readonly ServiceProfile[] = [
  {
    ...DEFAULTS,
    name: 'checkout-api',
    // Busy and healthy: p50 about 28 ms, p99 about 110 ms.
    weekdayRequests: 5200,
    weekendFactor: 0.8,
    peakHourUtc: 18,
    latency: [{ weight: 1, medianMs: 26, sigma: 0.55 }],
    routes: [
      {
        weight: 5,
        method: 'GET',
        path: '/v1/carts/{id}',
        successCode: 200,
        requestBytes: small(420),
        responseBytes: small(2400, 0.4),
      },
      {
        weight: 2,
        method: 'PUT',
        path: '/v1/carts/{id}/items',
        successCode: 200,
        requestBytes: small(650),
        responseBytes: small(2400, 0.4),
      },
      {
        weight: 3,
        method: 'POST',
        path: '/v1/checkout',
        successCode: 201,
        requestBytes: small(1300),
        responseBytes: small(900),
      },
    ],
    effects: [{ day: DEMO_SPIKE_DAY, requestFactor: 2.5 }],
  },
  {
    ...DEFAULTS,
    name: 'orders-api',
    weekdayRequests: 3600,
    latency: [{ weight: 1, medianMs: 42, sigma: 0.5 }],
    clientErrorRate: 0.025,
    serverErrorRate: 0.003,
    routes: [
      {
        weight: 6,
        method: 'GET',
        path: '/v1/orders/{id}',
        successCode: 200,
        requestBytes: small(400),
        responseBytes: small(3200, 0.5),
      },
      {
        weight: 2,
        method: 'GET',
        path: '/v1/orders?customer={id}',
        successCode: 200,
        requestBytes: small(420),
        responseBytes: small(18000, 0.6),
      },
      {
        weight: 2,
        method: 'POST',
        path: '/v1/orders',
        successCode: 201,
        requestBytes: small(2100),
        responseBytes: small(1100),
      },
    ],
  },
  {
    ...DEFAULTS,
    name: 'search-api',
    auth: 'NONE',
    protocol: 'HTTP/2.0',
    // Slow: p50 about 200 ms, p99 about 1.2 s.
    weekdayRequests: 2400,
    weekendFactor: 0.6,
    peakHourUtc: 16,
    latency: [{ weight: 1, medianMs: 195, sigma: 0.78 }],
    redirectRate: 0.01,
    routes: [
      {
        weight: 8,
        method: 'GET',
        path: '/v2/search?q={term}',
        successCode: 200,
        requestBytes: small(480),
        responseBytes: small(24000, 0.7),
      },
      {
        weight: 2,
        method: 'GET',
        path: '/v2/suggest?q={term}',
        successCode: 200,
        requestBytes: small(450),
        responseBytes: small(1500),
      },
    ],
    callers: [CALLERS.web],
  },
  {
    ...DEFAULTS,
    name: 'inventory-svc',
    // Bimodal: cache hits in a few ms, misses go to the database. 5xx about 4 %.
    weekdayRequests: 2000,
    weekendFactor: 0.65,
    latency: [
      { weight: 0.72, medianMs: 6, sigma: 0.35 },
      { weight: 0.28, medianMs: 80, sigma: 0.45 },
    ],
    serverErrorRate: 0.04,
    serverErrorCodes: [500, 500, 500, 503, 503, 502],
    routes: [
      {
        weight: 8,
        method: 'GET',
        path: '/inventory/items/{id}',
        successCode: 200,
        requestBytes: small(380),
        responseBytes: small(1200),
      },
      {
        weight: 2,
        method: 'POST',
        path: '/inventory/reservations',
        successCode: 201,
        requestBytes: small(900),
        responseBytes: small(600),
      },
    ],
    callers: [CALLERS.worker],
    targetVpc: VPCS.data,
  },
  {
    ...DEFAULTS,
    name: 'media-export',
    // Large payloads: downloads of several MB, so GB processed dominates its bill. Runs nightly.
    weekdayRequests: 2600,
    weekendFactor: 0.45,
    peakHourUtc: 3,
    diurnalAmplitude: 0.6,
    latency: [{ weight: 1, medianMs: 80, sigma: 0.4 }],
    routes: [
      {
        weight: 17,
        method: 'GET',
        path: '/v1/exports/{id}/download',
        successCode: 200,
        requestBytes: small(460),
        responseBytes: { median: 20 * 1024 * 1024, sigma: 0.5 },
      },
      {
        weight: 3,
        method: 'POST',
        path: '/v1/exports',
        successCode: 202,
        requestBytes: small(800),
        responseBytes: small(350),
      },
    ],
    callers: [CALLERS.batch, CALLERS.worker],
    effects: [{ day: DEMO_SPIKE_DAY, bytesSentFactor: 3 }],
    targetVpc: VPCS.data,
  },
  {
    ...DEFAULTS,
    name: 'partner-gateway',
    // A few % of calls come from a principal the auth policy does not allow.
    weekdayRequests: 1500,
    weekendFactor: 0.35,
    peakHourUtc: 15,
    latency: [{ weight: 1, medianMs: 58, sigma: 0.45 }],
    clientErrorRate: 0.03,
    serverErrorRate: 0.003,
    authDeniedRate: 0.035,
    routes: [
      {
        weight: 6,
        method: 'GET',
        path: '/partner/v1/catalog/{id}',
        successCode: 200,
        requestBytes: small(520),
        responseBytes: small(6000, 0.5),
      },
      {
        weight: 4,
        method: 'POST',
        path: '/partner/v1/orders',
        successCode: 201,
        requestBytes: small(2600),
        responseBytes: small(900),
      },
    ],
    callers: [CALLERS.partner],
    deniedCallers: [CALLERS.stranger],
  },
  {
    ...DEFAULTS,
    name: 'notifications',
    protocol: 'HTTP/2.0',
    weekdayRequests: 1300,
    weekendFactor: 0.9,
    peakHourUtc: 19,
    diurnalAmplitude: 0.5,
    latency: [{ weight: 1, medianMs: 17, sigma: 0.4 }],
    serverErrorRate: 0.001,
    routes: [
      {
        weight: 9,
        method: 'POST',
        path: '/v1/notifications',
        successCode: 202,
        requestBytes: small(1400),
        responseBytes: small(180),
      },
      {
        weight: 1,
        method: 'GET',
        path: '/v1/notifications/{id}/status',
        successCode: 200,
        requestBytes: small(380),
        responseBytes: small(320),
      },
    ],
    callers: [CALLERS.worker],
  },
  {
    ...DEFAULTS,
    name: 'profile-api',
    weekdayRequests: 1100,
    weekendFactor: 0.75,
    latency: [{ weight: 1, medianMs: 21, sigma: 0.45 }],
    routes: [
      {
        weight: 9,
        method: 'GET',
        path: '/v1/profiles/{id}',
        successCode: 200,
        requestBytes: small(400),
        responseBytes: small(1700),
      },
      {
        weight: 1,
        method: 'PATCH',
        path: '/v1/profiles/{id}',
        successCode: 200,
        requestBytes: small(800),
        responseBytes: small(1700),
      },
    ],
    callers: [CALLERS.web],
  },
  {
    ...DEFAULTS,
    name: 'legacy-reports',
    // Idle: billed every hour, a handful of requests a day.
    auth: 'NONE',
    weekdayRequests: 7,
    weekendFactor: 0.3,
    peakHourUtc: 9,
    diurnalAmplitude: 0.3,
    latency: [{ weight: 1, medianMs: 140, sigma: 0.4 }],
    clientErrorRate: 0,
    serverErrorRate: 0,
    routes: [
      {
        weight: 1,
        method: 'GET',
        path: '/reports/monthly/{id}.pdf',
        successCode: 200,
        requestBytes: small(390),
        responseBytes: small(260000, 0.4),
      },
    ],
    callers: [CALLERS.batch],
  },
];

/** Idle services must stay idle: the spec promises fewer than 15 requests a day. */
export const IDLE_MAX_PER_DAY = 14;

/** The 7-hex label Lattice puts in every default DNS name of one account's services. */
const NETWORK_DNS_HEX = latticeHex('dns').slice(1, 8);

function materialise(profile: ServiceProfile, name: string, account: string, region: string): DemoService {
  const { targetVpc, ...rest } = profile;
  const hex = latticeHex(`svc:${name}`);
  const id = `svc-${hex}`;
  const tg = `tg-${latticeHex(`tg:${name}`)}`;
  const addresses = new Random(hashSeed('targets', name));
  const third = addresses.int(1, 250);
  const targets = [0, 1, 2].map(
    (k) => `${targetVpc.cidrPrefix}.${third}.${10 + 17 * k + addresses.int(0, 16)}:8080`,
  );
  return {
    ...rest,
    name,
    id,
    arn: `arn:aws:vpc-lattice:${region}:${account}:service/${id}`,
    dnsName: `${name}-${hex}.${NETWORK_DNS_HEX}.vpc-lattice-svcs.${region}.on.aws`,
    targetGroupArn: `arn:aws:vpc-lattice:${region}:${account}:targetgroup/${tg}`,
    destinationVpcId: targetVpc.id,
    targets,
  };
}

/** The demo mesh. `count` beyond the profiles repeats them as `<name>-2`, `<name>-3`… for benchmarks. */
export function demoMesh(count = PROFILES.length): DemoMesh {
  const services: DemoService[] = [];
  for (let i = 0; i < count; i++) {
    const profile = PROFILES[i % PROFILES.length]!;
    const round = Math.floor(i / PROFILES.length);
    const name = round === 0 ? profile.name : `${profile.name}-${round + 1}`;
    services.push(materialise(profile, name, DEMO_ACCOUNT, DEMO_REGION));
  }
  const networkId = `sn-${latticeHex('service-network')}`;
  return {
    account: DEMO_ACCOUNT,
    region: DEMO_REGION,
    networkName: DEMO_NETWORK_NAME,
    networkArn: `arn:aws:vpc-lattice:${DEMO_REGION}:${DEMO_ACCOUNT}:servicenetwork/${networkId}`,
    services,
  };
}

/** Number of services in the standard demo. @testseam */
export const DEMO_SERVICE_COUNT = PROFILES.length;
