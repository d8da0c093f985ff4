/**
 * Access-log lines in the real VPC Lattice format (monitoring-access-logs.html in the VPC Lattice user guide): every field, in the order
 * Lattice writes them, JSON numbers for codes, bytes and durations, "-" for a missing value.
 */
import type { AccessLogField } from '../model/record.js';
import type { DemoCaller, DemoService, Route } from './mesh.js';
import type { Random } from './random.js';

type NumericField =
  | 'responseCode'
  | 'bytesReceived'
  | 'bytesSent'
  | 'duration'
  | 'requestToTargetDuration'
  | 'responseFromTargetDuration';

/** A full record: JSON numbers for codes, bytes and durations, strings for the rest. */
type AccessLogFields = Record<Exclude<AccessLogField, NumericField>, string> &
  Record<NumericField, number | '-'>;

// Module constants, not globals, on the per-request path: see random.ts on Jest's vm context.
const { floor, max, round } = Math;
const { stringify } = JSON;

/** Fields left out are written as "-", the way Lattice marks a missing value. */
export type AccessLogInput = Partial<AccessLogFields> & Pick<AccessLogFields, 'serviceArn' | 'startTime'>;

/** One access-log line: a JSON object with every field in the real order, no trailing newline. */
export function accessLogLine(fields: AccessLogInput): string {
  // Spelled out rather than looped over ACCESS_LOG_FIELDS: an object literal of fixed shape takes
  // V8's fast JSON.stringify path, and this runs for every demo line. A test checks the order.
  const ordered: AccessLogFields = {
    serviceNetworkArn: fields.serviceNetworkArn ?? '-',
    resolvedUser: fields.resolvedUser ?? '-',
    listenerType: fields.listenerType ?? '-',
    authDeniedReason: fields.authDeniedReason ?? '-',
    targetGroupArn: fields.targetGroupArn ?? '-',
    sourceVpcArn: fields.sourceVpcArn ?? '-',
    destinationVpcId: fields.destinationVpcId ?? '-',
    sourceIpPort: fields.sourceIpPort ?? '-',
    listenerId: fields.listenerId ?? '-',
    targetIpPort: fields.targetIpPort ?? '-',
    failureReason: fields.failureReason ?? '-',
    serviceArn: fields.serviceArn ?? '-',
    sourceVpcId: fields.sourceVpcId ?? '-',
    startTime: fields.startTime ?? '-',
    requestMethod: fields.requestMethod ?? '-',
    requestPath: fields.requestPath ?? '-',
    protocol: fields.protocol ?? '-',
    responseCode: fields.responseCode ?? '-',
    bytesReceived: fields.bytesReceived ?? '-',
    bytesSent: fields.bytesSent ?? '-',
    duration: fields.duration ?? '-',
    userAgent: fields.userAgent ?? '-',
    hostHeader: fields.hostHeader ?? '-',
    serverNameIndication: fields.serverNameIndication ?? '-',
    requestToTargetDuration: fields.requestToTargetDuration ?? '-',
    responseFromTargetDuration: fields.responseFromTargetDuration ?? '-',
    sslCipher: fields.sslCipher ?? '-',
    tlsVersion: fields.tlsVersion ?? '-',
    callerPrincipal: fields.callerPrincipal ?? '-',
    callerPrincipalOrgID: fields.callerPrincipalOrgID ?? '-',
    callerX509IssuerOU: fields.callerX509IssuerOU ?? '-',
    callerX509SubjectCN: fields.callerX509SubjectCN ?? '-',
    callerX509SANNameCN: fields.callerX509SANNameCN ?? '-',
    callerX509SANDNS: fields.callerX509SANDNS ?? '-',
    callerX509SANURI: fields.callerX509SANURI ?? '-',
  };
  return stringify(ordered);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** `startTime` as Lattice writes it: ISO-8601 UTC, whole seconds. */
export function utcStartTime(day: string, secondOfDay: number): string {
  const hour = floor(secondOfDay / 3600);
  const minute = floor((secondOfDay % 3600) / 60);
  return `${day}T${pad2(hour)}:${pad2(minute)}:${pad2(secondOfDay % 60)}Z`;
}

// Lattice's own wording for denials is not documented in our references; these are illustrative.
const AUTH_DENIED_REASONS = [
  'No matching allow statement in auth policy',
  'Explicit deny in auth policy',
] as const;

const SEARCH_TERMS = [
  'headphones',
  'usb-c+cable',
  'running+shoes',
  'coffee',
  'desk+lamp',
  'backpack',
  'tent',
];
const CLIENT_ERROR_CODES = [400, 404, 404, 404, 409, 429] as const;

/** Target bandwidth for the response body: 500 kB per ms, about 4 Gbit/s. */
const BYTES_PER_MS = 500_000;

export interface DemoRequest {
  fields: AccessLogFields;
  bytesReceived: number;
  bytesSent: number;
}

function fillPath(route: Route, rng: Random): string {
  return route.path
    .replace('{id}', () => `${rng.int(10_000, 9_999_999)}`)
    .replace('{term}', () => rng.pick(SEARCH_TERMS));
}

function responseCode(service: DemoService, route: Route, rng: Random): number {
  const u = rng.next();
  let edge = service.serverErrorRate;
  if (u < edge) return rng.pick(service.serverErrorCodes);
  edge += service.clientErrorRate;
  if (u < edge) return rng.pick(CLIENT_ERROR_CODES);
  edge += service.redirectRate;
  return u < edge ? 304 : route.successCode;
}

function tls(service: DemoService, rng: Random): { sslCipher: string; tlsVersion: string } {
  // HTTP/2 clients negotiate TLS 1.3; older HTTP/1.1 SDKs still use 1.2 a third of the time.
  if (service.protocol === 'HTTP/2.0' || rng.chance(0.67)) {
    return { sslCipher: 'TLS_AES_128_GCM_SHA256', tlsVersion: 'TLSv1.3' };
  }
  return { sslCipher: 'ECDHE-RSA-AES128-GCM-SHA256', tlsVersion: 'TLSv1.2' };
}

function clientAddress(caller: DemoCaller, rng: Random): string {
  return `${caller.vpc.cidrPrefix}.${rng.int(0, 256)}.${rng.int(1, 255)}:${rng.int(32768, 61000)}`;
}

/** One request to a demo service: what Lattice would log for it. */
export function demoRequest(
  service: DemoService,
  serviceNetworkArn: string,
  startTime: string,
  rng: Random,
  bytesSentFactor = 1,
): DemoRequest {
  const denied =
    service.authDeniedRate > 0 && service.deniedCallers.length > 0 && rng.chance(service.authDeniedRate);
  const caller = rng.weighted(denied ? service.deniedCallers : service.callers);
  const route = rng.weighted(service.routes);
  const signed = service.auth === 'AWS_IAM';
  const bytesReceived = max(64, round(rng.lognormal(route.requestBytes.median, route.requestBytes.sigma)));
  const sourceIpPort = clientAddress(caller, rng);
  const requestPath = fillPath(route, rng);
  const userAgent = rng.pick(caller.userAgents);
  const { sslCipher, tlsVersion } = tls(service, rng);

  let code: number;
  let bytesSent: number;
  let duration: number;
  let requestToTarget: number | '-' = '-';
  let responseFromTarget: number | '-' = '-';
  if (denied) {
    // Denied before any target is chosen: no target, no target timings, a short 403 body.
    code = 403;
    bytesSent = round(rng.lognormal(150, 0.1));
    duration = max(1, round(rng.lognormal(2, 0.4)));
  } else {
    code = responseCode(service, route, rng);
    let targetMs: number;
    if (code === 502 || code === 503) {
      targetMs = rng.lognormal(3, 0.5); // the target refused or was unhealthy: fails fast
    } else {
      const mode = rng.weighted(service.latency);
      targetMs = rng.lognormal(mode.medianMs, mode.sigma) * (code >= 400 ? 0.6 : 1);
    }
    bytesSent =
      code < 300
        ? max(
            1,
            round(rng.lognormal(route.responseBytes.median, route.responseBytes.sigma) * bytesSentFactor),
          )
        : round(rng.lognormal(code === 304 ? 180 : 240, 0.15));
    requestToTarget = max(0, round(targetMs));
    responseFromTarget = floor(bytesSent / BYTES_PER_MS);
    // Lattice's own overhead on top of the target's time, so duration >= the two target timings.
    duration = max(1, requestToTarget + responseFromTarget + rng.int(0, 3));
  }
  const targetIpPort = denied ? '-' : rng.pick(service.targets);

  // One literal in the real field order: a stable object shape keeps this hot path fast.
  return {
    bytesReceived,
    bytesSent,
    fields: {
      serviceNetworkArn,
      resolvedUser: signed ? caller.principal : '-',
      listenerType: '-',
      authDeniedReason: denied ? rng.pick(AUTH_DENIED_REASONS) : '-',
      targetGroupArn: denied ? '-' : service.targetGroupArn,
      sourceVpcArn: caller.vpc.arn,
      destinationVpcId: service.destinationVpcId,
      sourceIpPort,
      listenerId: '-',
      targetIpPort,
      failureReason: '-',
      serviceArn: service.arn,
      sourceVpcId: caller.vpc.id,
      startTime,
      requestMethod: route.method,
      requestPath,
      protocol: service.protocol,
      responseCode: code,
      bytesReceived,
      bytesSent,
      duration,
      userAgent,
      hostHeader: service.dnsName,
      serverNameIndication: service.dnsName,
      requestToTargetDuration: requestToTarget,
      responseFromTargetDuration: responseFromTarget,
      sslCipher,
      tlsVersion,
      callerPrincipal: signed ? caller.principal : '-',
      callerPrincipalOrgID: signed ? caller.orgId : '-',
      callerX509IssuerOU: '-',
      callerX509SubjectCN: '-',
      callerX509SANNameCN: '-',
      callerX509SANDNS: '-',
      callerX509SANURI: '-',
    },
  };
}
