/**
 * Who called a service: the one derivation of a caller from an access-log record, used by every
 * engine (the exact reader, the fast path and the Logs Insights rows), and the one bound on how
 * many callers a service-day keeps.
 *
 * From the documentation (VPC Lattice User Guide, "HTTP targets", caller identity headers): the
 * source VPC is given as `arn:aws:ec2:region:account:vpc/id`, and the principal is "the
 * authenticated principal", present only when AWS authentication succeeded. The access-log fields
 * `sourceVpcArn` and `callerPrincipal` (monitoring-access-logs.html) are assumed to hold the same
 * texts. Assumed: a VPC id is `vpc-` and 8 or 17 lowercase hex digits (EC2's id formats); a
 * principal is an IAM or STS ARN whose fifth part is the 12-digit account.
 *
 * Only these validated parts are kept, never the raw log text: a caller is its VPC id with the
 * VPC's owner account, and the principal's account. Anything else (missing per MISSING_TEXTS, or
 * malformed) is simply unknown, so hostile text cannot reach a report.
 */

import { compareText } from './compare.js';

/** Callers kept per service and day; the rest are counted as OTHER_CALLER. */
export const CALLERS_PER_SERVICE_DAY = 20;

/** The caller that stands for every caller beyond the bound. */
export const OTHER_CALLER = 'other';

/** Strict source VPC ARN: partition, region, owner account, VPC id. No more, no less. */
const VPC_ARN = /^arn:aws[a-z-]*:ec2:[a-z0-9-]+:([0-9]{12}):vpc\/(vpc-[0-9a-f]{8,17})$/;
/**
 * The start of an IAM or STS principal ARN, up to its account. A prefix: the role, user or session
 * after it is never read, so a session name cannot change the caller.
 */
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(?:iam|sts)::([0-9]{12}):/;

/** A caller as its parts; null where unknown. */
export interface Caller {
  vpcId: string | null;
  /** The account that owns the source VPC (from its ARN). */
  vpcAccount: string | null;
  /** The account of the signed principal; null for an unsigned request. */
  principalAccount: string | null;
}

const UNKNOWN = '-';

/**
 * The caller key of a record's raw `sourceVpcArn` and `callerPrincipal` values:
 * `<vpcAccount>/<vpcId>|<principalAccount>`, with "-" for an unknown part. The one derivation
 * every engine uses.
 */
export function callerKey(sourceVpcArn: unknown, callerPrincipal: unknown): string {
  let vpc = UNKNOWN;
  if (typeof sourceVpcArn === 'string') {
    const m = VPC_ARN.exec(sourceVpcArn);
    if (m) vpc = `${m[1]}/${m[2]}`;
  }
  let principal = UNKNOWN;
  if (typeof callerPrincipal === 'string') {
    const m = PRINCIPAL_ARN.exec(callerPrincipal);
    if (m) principal = m[1]!;
  }
  return internKey(`${vpc}|${principal}`);
}

/** Keys made so far, so the service-days of one caller share one string; bounded against hostile logs. */
const keys = new Map<string, string>();
const MAX_INTERNED_KEYS = 1 << 16;

function internKey(key: string): string {
  const known = keys.get(key);
  if (known !== undefined) return known;
  if (keys.size < MAX_INTERNED_KEYS) keys.set(key, key);
  return key;
}

const KEY = /^(?:([0-9]{12})\/(vpc-[0-9a-f]{8,17})|-)\|([0-9]{12}|-)$/;

/** A key's parts; null for OTHER_CALLER or a text no engine makes. */
export function parseCallerKey(key: string): Caller | null {
  const m = KEY.exec(key);
  if (!m) return null;
  return { vpcAccount: m[1] ?? null, vpcId: m[2] ?? null, principalAccount: m[3] === UNKNOWN ? null : m[3]! };
}

export interface CallerCounts {
  requests: number;
  /** bytesReceived + bytesSent. */
  bytes: number;
  /** Server errors: 5xx and gRPC server failures, as serverErrors() counts them. */
  errors: number;
}

/** Adds `from`'s counts to `into`'s. */
export function addCounts(into: CallerCounts, from: CallerCounts): void {
  into.requests += from.requests;
  into.bytes += from.bytes;
  into.errors += from.errors;
}

// Scalars, not a CallerCounts: this runs once per record on the local engine's hot path.
export function addCaller(
  callers: Map<string, CallerCounts>,
  key: string,
  requests: number,
  bytes: number,
  errors: number,
): void {
  const c = callers.get(key);
  if (c) {
    c.requests += requests;
    c.bytes += bytes;
    c.errors += errors;
  } else {
    callers.set(key, { requests, bytes, errors });
  }
}

/** Heaviest first: requests, then bytes, then the key, so the order never depends on arrival. */
function compareCallers(a: [string, CallerCounts], b: [string, CallerCounts]): number {
  return b[1].requests - a[1].requests || b[1].bytes - a[1].bytes || compareText(a[0], b[0]);
}

/**
 * Keeps the CALLERS_PER_SERVICE_DAY heaviest callers and merges the rest (an earlier OTHER_CALLER
 * included) into one OTHER_CALLER. Applied once a day is complete, by both engines, before the day
 * is cached; applying it again changes nothing.
 */
export function boundCallers(callers: Map<string, CallerCounts>): Map<string, CallerCounts> {
  if (callers.size <= CALLERS_PER_SERVICE_DAY) return callers;
  const other = callers.get(OTHER_CALLER);
  const named = [...callers].filter(([k]) => k !== OTHER_CALLER).sort(compareCallers);
  // With an "other" already there, one fewer named caller fits.
  const keep = CALLERS_PER_SERVICE_DAY - 1;
  const bounded = new Map<string, CallerCounts>(named.slice(0, keep));
  const rest: CallerCounts = other ? { ...other } : { requests: 0, bytes: 0, errors: 0 };
  for (const [, c] of named.slice(keep)) addCounts(rest, c);
  bounded.set(OTHER_CALLER, rest);
  return bounded;
}

/** Callers as JSON: sorted by key, so equal maps give equal JSON. */
export function callersToJSON(callers: Map<string, CallerCounts>): Array<[string, CallerCounts]> {
  return [...callers]
    .sort(([a], [b]) => compareText(a, b))
    .map(([k, c]) => [k, { requests: c.requests, bytes: c.bytes, errors: c.errors }]);
}

export function callersFromJSON(json: Array<[string, CallerCounts]>): Map<string, CallerCounts> {
  return new Map(json.map(([k, c]) => [k, { requests: c.requests, bytes: c.bytes, errors: c.errors }]));
}
