import { MAX_YEAR, MIN_YEAR, isIsoDay } from './dates.js';
import { callerKey } from './callers.js';

/**
 * One VPC Lattice access-log record as every engine sees it, and the one classification of its
 * fields: the local reader, the fast scanner and the Logs Insights query all count by these.
 */

/**
 * Every field of a Lattice access-log record, in the order Lattice writes them. Documented on
 * https://docs.aws.amazon.com/vpc-lattice/latest/ug/monitoring-access-logs.html ("Access log
 * contents"); the order is that of a real entry published in aws-samples/sample-bridge-mode-sidecar.
 */
export const ACCESS_LOG_FIELDS = [
  'serviceNetworkArn',
  'resolvedUser',
  'listenerType',
  'authDeniedReason',
  'targetGroupArn',
  'sourceVpcArn',
  'destinationVpcId',
  'sourceIpPort',
  'listenerId',
  'targetIpPort',
  'failureReason',
  'serviceArn',
  'sourceVpcId',
  'startTime',
  'requestMethod',
  'requestPath',
  'protocol',
  'responseCode',
  'bytesReceived',
  'bytesSent',
  'duration',
  'userAgent',
  'hostHeader',
  'serverNameIndication',
  'requestToTargetDuration',
  'responseFromTargetDuration',
  'sslCipher',
  'tlsVersion',
  'callerPrincipal',
  'callerPrincipalOrgID',
  'callerX509IssuerOU',
  'callerX509SubjectCN',
  'callerX509SANNameCN',
  'callerX509SANDNS',
  'callerX509SANURI',
] as const;

export type AccessLogField = (typeof ACCESS_LOG_FIELDS)[number];

/*
 * Record classes. What the documentation says and what is assumed, so a wrong assumption can be
 * traced (see also README "Record classes"):
 * - Documented (VPC Lattice User Guide, "Access logs"): services publish VpcLatticeAccessLogs and
 *   resource configurations publish VpcLatticeResourceAccessLogs. "TLS listeners": Lattice cannot
 *   read HTTP headers on a TLS-passthrough listener. API reference, ListenerProtocol: HTTP | HTTPS
 *   | TLS_PASSTHROUGH. Pricing page: TLS listeners are billed per TCP connection, in the same
 *   "requests/connections per hour" allowance as HTTP requests.
 * - Assumed (the field tables of "Access log contents" and "Resource access log contents" could
 *   not be read): `listenerType` holds the ListenerProtocol spelling when Lattice fills it (a real
 *   HTTP record had "-"); a record with neither an HTTP listener type nor a responseCode is a TCP
 *   connection; a resource record names its resource configuration in `resourceConfigurationArn`
 *   and has no serviceArn; a gRPC call's status is in `grpcStatus`. A record that fits none of
 *   these is a malformed line with its reason, never a guess.
 */

/** http: an HTTP request. grpc: a gRPC call. tcp: a TLS-passthrough connection. resource: a connection to a resource configuration. */
export type RecordKind = 'http' | 'grpc' | 'tcp' | 'resource';

/** Field names beyond the documented service record, assumed as described above. */
export const RESOURCE_CONFIGURATION_FIELD = 'resourceConfigurationArn';
export const GRPC_STATUS_FIELD = 'grpcStatus';

/**
 * gRPC statuses that mean the server failed: UNKNOWN 2, DEADLINE_EXCEEDED 4, UNIMPLEMENTED 12,
 * INTERNAL 13, UNAVAILABLE 14, DATA_LOSS 15. These are the codes google/rpc/code.proto maps to
 * HTTP 5xx; the others (CANCELLED, NOT_FOUND, PERMISSION_DENIED...) are the caller's, like 4xx.
 */
const GRPC_SERVER_ERRORS: ReadonlySet<number> = new Set([2, 4, 12, 13, 14, 15]);
/** The highest status google/rpc/code.proto defines (UNAUTHENTICATED). */
const GRPC_MAX_STATUS = 16;

/**
 * The one rule for a missing value, in every engine: an absent key, JSON null, or the text "",
 * "-" (what Lattice writes) or "null".
 */
export const MISSING_TEXTS: readonly string[] = ['', '-', 'null'];
function isMissing(value: unknown): boolean {
  return (
    value === undefined || value === null || (typeof value === 'string' && MISSING_TEXTS.includes(value))
  );
}

/**
 * The class of a record from the raw values that decide it; `hasService` tells a service record
 * from a resource record. The Logs Insights rows are classified by this same function.
 */
function classifyRecord(
  hasService: boolean,
  listenerType: unknown,
  responseCodeMissing: boolean,
  grpcStatusMissing: boolean,
): RecordKind {
  if (!hasService) return 'resource';
  const listener = typeof listenerType === 'string' ? listenerType.toUpperCase() : '';
  if (listener === 'TLS_PASSTHROUGH') return 'tcp';
  if (listener !== 'HTTP' && listener !== 'HTTPS' && responseCodeMissing) return 'tcp';
  return grpcStatusMissing ? 'http' : 'grpc';
}

/** Connections (TLS passthrough and resource) have a lifetime, not a latency, and no status. */
export function isConnection(kind: RecordKind): boolean {
  return kind === 'tcp' || kind === 'resource';
}

export interface AccessLogRecord {
  /** The service's ARN; for a resource record, the resource configuration's. */
  serviceArn: string;
  kind: RecordKind;
  /** UTC day, YYYY-MM-DD, of startTime. */
  day: string;
  /** UTC hour, 0-23, of startTime. */
  hour: number;
  /** Total duration in milliseconds (a connection's lifetime); null when missing. */
  duration: number | null;
  /** HTTP status; null when absent (always for connections). */
  responseCode: number | null;
  /** gRPC status of a call; null otherwise. */
  grpcStatus: number | null;
  bytesReceived: number;
  bytesSent: number;
  /** The auth policy denied the request (authDeniedReason present). */
  authDenied: boolean;
  hostHeader: string | null;
  /** Who called, from sourceVpcArn and callerPrincipal (model/callers.ts callerKey). */
  caller: string;
}

/** Requests per HTTP status class. */
export interface StatusCounts {
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
}

/** The status class of a response code, or null outside 200-599. */
export function statusClass(code: number | null): keyof StatusCounts | null {
  if (code === null) return null;
  if (code >= 200 && code < 300) return '2xx';
  if (code >= 300 && code < 400) return '3xx';
  if (code >= 400 && code < 500) return '4xx';
  if (code >= 500 && code < 600) return '5xx';
  return null;
}

/** A call failed on the server's side: gRPC says so and HTTP did not already (a 5xx counts once). */
export function isGrpcServerError(
  kind: RecordKind,
  grpcStatus: number | null,
  responseCode: number | null,
): boolean {
  return (
    kind === 'grpc' &&
    grpcStatus !== null &&
    GRPC_SERVER_ERRORS.has(grpcStatus) &&
    statusClass(responseCode) !== '5xx'
  );
}

/** A request was denied by the auth policy when its authDeniedReason holds a reason. */
function isAuthDenied(reason: unknown): boolean {
  return !isMissing(reason);
}

// ---------------------------------------------------------------------------------------------
// Validation: a decoded event becomes a classified record, or a malformed line with its reason.

export type ParseResult = { ok: true; record: AccessLogRecord } | { ok: false; reason: string };

const SERVICE_ARN = /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:service\/svc-[0-9a-z-]+$/;
const RESOURCE_CONFIGURATION_ARN =
  /^arn:aws[a-z-]*:vpc-lattice:[a-z0-9-]+:\d{12}:resourceconfiguration\/rcfg-[0-9a-z-]+$/;

/** The test toRecord applies to serviceArn; the fast path (fast-scan.ts) applies the same one. */
export function isServiceArn(value: string): boolean {
  return SERVICE_ARN.test(value);
}

function isResourceConfigurationArn(value: string): boolean {
  return RESOURCE_CONFIGURATION_ARN.test(value);
}
/**
 * Lattice's form, UTC ending in Z. Another zone is a malformed line: a time without one would be
 * read in the machine's zone, and the Logs Insights query (which groups by the text of the day)
 * could not convert an offset with documented functions, so the engines would differ.
 */
const UTC_SECOND = /^((\d{4})-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/;
const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
/** Shortens untrusted text quoted in an error message. */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Lattice writes whole numbers (milliseconds, bytes, codes). A fraction, a value past 2^53 (no
 * longer exact), a negative or a non-finite one is no value Lattice writes: the line is malformed.
 */
function wholeNumber(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && NUMERIC.test(value)
        ? Number(value)
        : NaN;
  // + 0 turns -0 into 0, so no sum or minimum depends on the order of addition.
  return Number.isSafeInteger(n) && n >= 0 ? n + 0 : undefined;
}

// Few distinct days occur in a log, so their validity is checked once each.
const validDays = new Map<string, boolean>();
function isRealDay(day: string): boolean {
  let valid = validDays.get(day);
  if (valid === undefined) {
    valid = isIsoDay(day);
    if (validDays.size < 100_000) validDays.set(day, valid);
  }
  return valid;
}

function utcDayHour(startTime: string): { day: string; hour: number } | { reason: string } {
  const m = UTC_SECOND.exec(startTime);
  if (!m) {
    const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?/.exec(startTime)?.[0];
    if (local === startTime) {
      return { reason: `startTime has no time zone (Lattice writes UTC, ending in Z): ${quote(startTime)}` };
    }
    if (local !== undefined && /^[+-]\d{2}:?\d{2}$/.test(startTime.slice(local.length))) {
      return { reason: `startTime is not in UTC (Lattice writes UTC, ending in Z): ${quote(startTime)}` };
    }
    return { reason: `startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: ${quote(startTime)}` };
  }
  const year = Number(m[2]);
  if (year < MIN_YEAR || year > MAX_YEAR) {
    // The regular expression matched: the text is a plain time, safe to show as it is.
    return { reason: `startTime ${startTime} is outside the years ${MIN_YEAR}-${MAX_YEAR}` };
  }
  const hour = Number(m[3]);
  // 60 is a leap second.
  if (hour > 23 || Number(m[4]) > 59 || Number(m[5]) > 60 || !isRealDay(m[1]!)) {
    return { reason: `startTime is not a real time: ${quote(startTime)}` };
  }
  return { day: m[1]!, hour };
}

/** A whole-number field: null when missing, else the number, or the reason it is none. */
function field(
  fields: Record<string, unknown>,
  name: string,
  max: number,
): { value: number | null } | { reason: string } {
  const raw = fields[name];
  if (isMissing(raw)) return { value: null };
  const n = wholeNumber(raw);
  if (n === undefined || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? '0 to 2^53' : `0 to ${max}`;
    return { reason: `${name} is not a whole number from ${range}: ${quote(raw)}` };
  }
  return { value: n };
}

/** Validates and classifies a decoded log event. Required: serviceArn (or, for a resource record, resourceConfigurationArn) and startTime. */
export function toRecord(value: unknown): ParseResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, reason: 'not a JSON object' };
  }
  const fields = value as Record<string, unknown>;

  let arn: string;
  const serviceArn = fields.serviceArn;
  const hasService = !isMissing(serviceArn);
  if (hasService) {
    if (typeof serviceArn !== 'string' || !isServiceArn(serviceArn)) {
      return { ok: false, reason: `serviceArn is not a VPC Lattice service ARN: ${quote(serviceArn)}` };
    }
    arn = serviceArn;
  } else {
    const resource = fields[RESOURCE_CONFIGURATION_FIELD];
    if (isMissing(resource)) {
      return { ok: false, reason: `serviceArn and ${RESOURCE_CONFIGURATION_FIELD} are missing` };
    }
    if (typeof resource !== 'string' || !isResourceConfigurationArn(resource)) {
      return {
        ok: false,
        reason: `${RESOURCE_CONFIGURATION_FIELD} is not a resource configuration ARN: ${quote(resource)}`,
      };
    }
    arn = resource;
  }

  const startTime = fields.startTime;
  if (isMissing(startTime)) return { ok: false, reason: 'startTime is missing' };
  const when =
    typeof startTime === 'string'
      ? utcDayHour(startTime)
      : { reason: `startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: ${quote(startTime)}` };
  if ('reason' in when) return { ok: false, reason: when.reason };

  const duration = field(fields, 'duration', Number.MAX_SAFE_INTEGER);
  if ('reason' in duration) return { ok: false, reason: duration.reason };
  const code = field(fields, 'responseCode', 999);
  if ('reason' in code) return { ok: false, reason: code.reason };
  const grpc = field(fields, GRPC_STATUS_FIELD, GRPC_MAX_STATUS);
  if ('reason' in grpc) return { ok: false, reason: grpc.reason };
  const received = field(fields, 'bytesReceived', Number.MAX_SAFE_INTEGER);
  if ('reason' in received) return { ok: false, reason: received.reason };
  const sent = field(fields, 'bytesSent', Number.MAX_SAFE_INTEGER);
  if ('reason' in sent) return { ok: false, reason: sent.reason };

  const denied = fields.authDeniedReason;
  if (typeof denied === 'object' && denied !== null) {
    return { ok: false, reason: `authDeniedReason is not a string: ${quote(denied)}` };
  }
  const kind = classifyRecord(hasService, fields.listenerType, code.value === null, grpc.value === null);
  const host = fields.hostHeader;
  const connection = kind === 'tcp' || kind === 'resource';

  return {
    ok: true,
    record: {
      serviceArn: arn,
      kind,
      day: when.day,
      hour: when.hour,
      duration: duration.value,
      responseCode: connection ? null : code.value,
      grpcStatus: kind === 'grpc' ? grpc.value : null,
      bytesReceived: received.value ?? 0,
      bytesSent: sent.value ?? 0,
      authDenied: isAuthDenied(denied),
      hostHeader: typeof host === 'string' && !isMissing(host) ? host : null,
      caller: callerKey(fields.sourceVpcArn, fields.callerPrincipal),
    },
  };
}

/**
 * The whole-number fields toRecord checks, with their maximums, in the order it checks them; the
 * queries check the same (aws/insights-query.ts CHECKED_NUMBERS is this list).
 */
export const NUMBER_FIELDS = [
  ['duration', Number.MAX_SAFE_INTEGER],
  ['responseCode', 999],
  [GRPC_STATUS_FIELD, GRPC_MAX_STATUS],
  ['bytesReceived', Number.MAX_SAFE_INTEGER],
  ['bytesSent', Number.MAX_SAFE_INTEGER],
] as const;

/**
 * Which SourceProblems count the row engines (the Logs Insights and Athena queries, whose rows
 * aws/insights-query.ts addAggregateRow reads) put a line in that toRecord rejects: `value` is the
 * line's JSON (undefined when it is none). A row engine checks the numbers first (the row's
 * `shape`) and then the row's values as toRecord does, so a bad startTime counts as `noDay` only
 * when every number is valid; anything else, a line that is no JSON object included (a row of
 * nulls: no service), counts as `invalid`. So a reader of the same lines reports the same problems.
 */
export function rowProblem(value: unknown): 'noDay' | 'invalid' {
  const result = toRecord(value);
  if (result.ok || !result.reason.startsWith('startTime')) return 'invalid';
  const fields = value as Record<string, unknown>;
  return NUMBER_FIELDS.every(([name, max]) => !('reason' in field(fields, name, max))) ? 'noDay' : 'invalid';
}
