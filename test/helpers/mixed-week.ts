/**
 * A generated week of every record class Lattice writes (HTTP requests, gRPC calls, TLS-passthrough
 * connections, resource-configuration connections) plus the hostile values real files hold, with
 * the exact counts each class must come to. Deterministic (seeded), so failures reproduce.
 */
import { dayRange } from '../../src/model/dates.js';
import { ACCESS_LOG_FIELDS } from '../../src/model/record.js';

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
export const HTTP_SERVICE = `arn:aws:vpc-lattice:${REGION}:${ACCOUNT}:service/svc-0a1b2c3d4e5f60718`;
export const GRPC_SERVICE = `arn:aws:vpc-lattice:${REGION}:${ACCOUNT}:service/svc-0f1e2d3c4b5a69788`;
export const TCP_SERVICE = `arn:aws:vpc-lattice:${REGION}:${ACCOUNT}:service/svc-0c0ffee0c0ffee012`;
/** Both listener types: HTTPS requests and TLS-passthrough connections. */
export const MIXED_SERVICE = `arn:aws:vpc-lattice:${REGION}:${ACCOUNT}:service/svc-0d00d00d00d00d034`;
export const RESOURCE = `arn:aws:vpc-lattice:${REGION}:${ACCOUNT}:resourceconfiguration/rcfg-0abcabcabcabcab56`;

export const WEEK = dayRange('2026-11-16', '2026-11-23');

const vpcArn = (account: string, id: string): string => `arn:aws:ec2:${REGION}:${account}:vpc/${id}`;
const role = (account: string, name: string, session: string): string =>
  `arn:aws:sts::${account}:assumed-role/${name}/${session}`;

/**
 * Callers as Lattice logs them, [sourceVpcArn, callerPrincipal], with weights: VPCs of three
 * accounts, signed and unsigned requests, and hostile caller fields (which leave the caller
 * unknown, never the record out).
 */
const CALLERS: Array<[number, Record<string, unknown>]> = [
  [
    30,
    { sourceVpcArn: vpcArn(ACCOUNT, 'vpc-0aaaaaaaaaaaaaaa1'), callerPrincipal: role(ACCOUNT, 'web', 's1') },
  ],
  [
    10,
    { sourceVpcArn: vpcArn(ACCOUNT, 'vpc-0aaaaaaaaaaaaaaa1'), callerPrincipal: role(ACCOUNT, 'web', 's2') },
  ],
  [15, { sourceVpcArn: vpcArn(ACCOUNT, 'vpc-0bbbbbbbbbbbbbbb2'), callerPrincipal: '-' }],
  [
    10,
    {
      sourceVpcArn: vpcArn('444455556666', 'vpc-12345678'),
      callerPrincipal: `arn:aws:iam::444455556666:role/sync`,
    },
  ],
  [
    5,
    {
      sourceVpcArn: vpcArn('444455556666', 'vpc-12345678'),
      callerPrincipal: role('555566667777', 'legacy', 'x'),
    },
  ],
  [3, { sourceVpcArn: '-', callerPrincipal: 'null' }],
  [
    2,
    { sourceVpcArn: `${vpcArn(ACCOUNT, 'vpc-0ccc')}` + '"|<b>', callerPrincipal: 'arn:aws:iam::1234:root' },
  ],
  [2, { sourceVpcArn: vpcArn(ACCOUNT, 'vpc-0aaaaaaaaaaaaaaa1') + '\n', callerPrincipal: 'anonymous' }],
  [1, { sourceVpcArn: 42, callerPrincipal: { arn: 'arn:aws:iam::111122223333:root' } }],
  [1, { sourceVpcArn: ['x'], callerPrincipal: 'arn:aws:iam::111122223333' }],
];
/** A long tail of one-off VPCs, so that a busy service-day has more callers than the bound keeps. */
const TAIL = Array.from({ length: 30 }, (_, k) =>
  vpcArn('777788889999', `vpc-${(0x10000000 + k).toString(16)}`),
);

/** What the valid records of one arn add up to, over the week. */
export interface Expected {
  records: number;
  connections: number;
  grpcCalls: number;
  serverErrors: number;
  /** Durations of requests and calls that reached a target: the latency samples. */
  latencies: number[];
  connectionDurations: number[];
  noDuration: number;
}

export interface MixedWeek {
  lines: string[];
  expected: Map<string, Expected>;
  /** Lines every engine must leave out (malformed locally, uncounted rows in Logs Insights). */
  malformed: number;
}

/** A small, fast, seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blank(): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const f of ACCESS_LOG_FIELDS) record[f] = '-';
  return record;
}

export function mixedWeek(perDay = 400, seed = 7): MixedWeek {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const lines: string[] = [];
  const expected = new Map<string, Expected>();
  const count = (arn: string): Expected => {
    let e = expected.get(arn);
    if (!e) {
      e = {
        records: 0,
        connections: 0,
        grpcCalls: 0,
        serverErrors: 0,
        latencies: [],
        connectionDurations: [],
        noDuration: 0,
      };
      expected.set(arn, e);
    }
    return e;
  };
  const time = (day: string): string => {
    const s = Math.floor(rand() * 86_400);
    const hh = String(Math.floor(s / 3600)).padStart(2, '0');
    const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
    const ss = String(s % 60).padStart(2, '0');
    return `${day}T${hh}:${mm}:${ss}Z`;
  };
  const totalWeight = CALLERS.reduce((sum, [w]) => sum + w, 0);
  const caller = (): Record<string, unknown> => {
    if (rand() < 0.08) return { sourceVpcArn: pick(TAIL), callerPrincipal: '-' };
    let roll = rand() * totalWeight;
    for (const [w, fields] of CALLERS) if ((roll -= w) < 0) return fields;
    return CALLERS[0]![1];
  };
  const emit = (fields: Record<string, unknown>): void => {
    lines.push(JSON.stringify({ ...blank(), ...caller(), ...fields }));
  };

  for (const day of WEEK) {
    for (let i = 0; i < perDay; i++) {
      // HTTP: mostly 200, some 5xx, a few denied (403, no target), a few with no duration.
      const code = pick([200, 200, 200, 200, 201, 304, 404, 500, 503]);
      const denied = rand() < 0.03;
      const noDuration = !denied && rand() < 0.02;
      const ms = 2 + Math.floor(rand() ** 3 * 900);
      emit({
        serviceArn: HTTP_SERVICE,
        listenerType: pick(['-', 'HTTP', 'HTTPS']),
        startTime: time(day),
        requestMethod: 'GET',
        responseCode: denied ? 403 : code,
        authDeniedReason: denied ? 'Service' : pick(['-', 'null', '']),
        bytesReceived: 100 + Math.floor(rand() * 1000),
        bytesSent: 500 + Math.floor(rand() * 50_000),
        duration: noDuration ? '-' : ms,
        protocol: 'HTTP/1.1',
      });
      const e = count(HTTP_SERVICE);
      e.records++;
      if (!denied && code >= 500) e.serverErrors++;
      if (!denied) {
        if (noDuration) e.noDuration++;
        else e.latencies.push(ms);
      }
    }
    for (let i = 0; i < perDay / 2; i++) {
      // gRPC: HTTP 200 with a gRPC status; 14 UNAVAILABLE and 2 UNKNOWN are server failures, 5 and
      // 7 are the caller's; a 503 with 14 is one failure, not two.
      const grpc = pick([0, 0, 0, 0, 0, 14, 2, 5, 7, 13]);
      const http = grpc === 13 && rand() < 0.5 ? 503 : 200;
      const ms = 1 + Math.floor(rand() * 300);
      emit({
        serviceArn: GRPC_SERVICE,
        listenerType: 'HTTPS',
        startTime: time(day),
        requestMethod: 'POST',
        protocol: 'HTTP/2.0',
        responseCode: http,
        grpcStatus: String(grpc),
        bytesReceived: 50,
        bytesSent: 80,
        duration: ms,
      });
      const e = count(GRPC_SERVICE);
      e.records++;
      e.grpcCalls++;
      if ([2, 4, 12, 13, 14, 15].includes(grpc) || http >= 500) e.serverErrors++;
      e.latencies.push(ms);
    }
    for (let i = 0; i < perDay / 4; i++) {
      // TLS passthrough: connections of 60-260 s, no HTTP status.
      const ms = 60_000 + Math.floor(rand() * 200_000);
      const arn = rand() < 0.5 ? TCP_SERVICE : MIXED_SERVICE;
      emit({
        serviceArn: arn,
        listenerType: arn === TCP_SERVICE ? '-' : 'TLS_PASSTHROUGH',
        startTime: time(day),
        responseCode: '-',
        bytesReceived: 2000,
        bytesSent: 30_000,
        duration: ms,
      });
      const e = count(arn);
      e.records++;
      e.connections++;
      e.connectionDurations.push(ms);
    }
    for (let i = 0; i < perDay / 4; i++) {
      // The mixed service's HTTPS side: fast requests, some 5xx.
      const ms = 5 + Math.floor(rand() * 40);
      const code = rand() < 0.1 ? 502 : 200;
      emit({
        serviceArn: MIXED_SERVICE,
        listenerType: 'HTTPS',
        startTime: time(day),
        responseCode: code,
        bytesReceived: 10,
        bytesSent: 10,
        duration: ms,
      });
      const e = count(MIXED_SERVICE);
      e.records++;
      if (code >= 500) e.serverErrors++;
      e.latencies.push(ms);
    }
    for (let i = 0; i < perDay / 8; i++) {
      // A resource configuration: no serviceArn, no duration.
      lines.push(
        JSON.stringify({
          ...caller(),
          resourceConfigurationArn: RESOURCE,
          serviceArn: '-',
          startTime: time(day),
          bytesReceived: 4096,
          bytesSent: 65_536,
          duration: '-',
        }),
      );
      const e = count(RESOURCE);
      e.records++;
      e.connections++;
    }
  }

  // Hostile values: each line must be left out by every engine.
  const hostile: Array<Record<string, unknown>> = [
    { startTime: '0000-01-01T00:00:00Z' },
    { startTime: '1970-01-01T00:00:00Z' },
    { startTime: '9999-12-31T23:59:59Z' },
    { startTime: '2026-11-18T10:00:00' },
    { startTime: '2026-11-18T10:00:00+01:00' },
    { startTime: '2026-02-30T10:00:00Z' },
    { bytesSent: 0.5 },
    { bytesReceived: '1.5' },
    { duration: 1e308 },
    { duration: -3 },
    { duration: 2 ** 53 },
    { responseCode: 1000 },
    { grpcStatus: 99 },
    { serviceArn: 'null' },
    { serviceArn: 'arn:aws:s3:::not-lattice' },
  ];
  for (const fields of hostile) {
    emit({
      serviceArn: HTTP_SERVICE,
      startTime: '2026-11-18T10:00:00Z',
      responseCode: 200,
      bytesReceived: 1,
      bytesSent: 1,
      duration: 5,
      ...fields,
    });
  }
  return { lines, expected, malformed: hostile.length };
}
