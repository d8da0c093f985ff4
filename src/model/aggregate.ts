/**
 * Day aggregates: the unit every log source produces and every later stage consumes.
 * One per service ARN and UTC day. Local files and Logs Insights must build identical ones.
 */
import {
  type AccessLogRecord,
  type StatusCounts,
  isConnection,
  isGrpcServerError,
  statusClass,
} from './record.js';
import { LatencyHistogram, type HistogramJSON } from './histogram.js';
import { type CallerCounts, addCaller, boundCallers, callersFromJSON, callersToJSON } from './callers.js';

export interface DayAggregate {
  /** A service's ARN, or a resource configuration's. */
  serviceArn: string;
  day: string;
  /** Every record: HTTP requests, gRPC calls and connections, as Lattice bills them. */
  requests: number;
  /** Of `requests`, the connections (TLS passthrough, or to a resource configuration). */
  connections: number;
  /** Of `requests`, the gRPC calls. */
  grpcCalls: number;
  /** HTTP status classes of requests and calls; connections have none. */
  status: StatusCounts;
  /** gRPC calls that failed on the server's side without a 5xx status (GRPC_SERVER_ERRORS). */
  grpcErrors: number;
  /** Requests denied by the auth policy; they never reach a target. */
  authDenied: number;
  /** Requests and calls that reached a target but had no duration. */
  noDuration: number;
  /** Sum of bytesReceived. */
  bytesIn: number;
  /** Sum of bytesSent. */
  bytesOut: number;
  /** Requests per UTC hour: the free request allowance applies per service per hour. */
  hourly: number[];
  /** `duration` of requests and calls that were not denied by auth. */
  latency: LatencyHistogram;
  /**
   * `duration` (lifetime) of connections that were not denied. NO_CONNECTIONS until there is one:
   * add through connectionHistogram().
   */
  connectionMs: LatencyHistogram;
  /**
   * Requests, bytes and server errors by caller key (model/callers.ts); they add up to the day's
   * requests, bytesIn + bytesOut and serverErrors(). Bounded by boundDayCallers once complete.
   */
  callers: Map<string, CallerCounts>;
}

export interface DayAggregateJSON extends Omit<DayAggregate, 'latency' | 'connectionMs' | 'callers'> {
  latency: HistogramJSON;
  connectionMs: HistogramJSON;
  /** [caller key, counts], sorted by key. */
  callers: Array<[string, CallerCounts]>;
}

/**
 * The connection histogram of every day without connections: most days have none, and a histogram
 * each was about a tenth of a day's memory. Frozen, so adding to it throws rather than counts.
 */
// Marked pure, so bundles that never make a day (the CLI's launcher) leave it out.
const NO_CONNECTIONS = /* @__PURE__ */ Object.freeze(
  /* @__PURE__ */ new LatencyHistogram(),
) as LatencyHistogram;

/** `day`'s connection histogram, to add to: its own from the first connection on. */
export function connectionHistogram(day: DayAggregate): LatencyHistogram {
  if (day.connectionMs === NO_CONNECTIONS) day.connectionMs = new LatencyHistogram();
  return day.connectionMs;
}

export function emptyDay(serviceArn: string, day: string): DayAggregate {
  return {
    serviceArn,
    day,
    requests: 0,
    connections: 0,
    grpcCalls: 0,
    status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    grpcErrors: 0,
    authDenied: 0,
    noDuration: 0,
    bytesIn: 0,
    bytesOut: 0,
    // A literal: half the memory of new Array(24).fill(0), in every service-day.
    hourly: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    latency: new LatencyHistogram(),
    connectionMs: NO_CONNECTIONS,
    callers: new Map(),
  };
}

/** Records a log source counted but could not aggregate (Logs Insights rows). */
export interface SourceProblems {
  /** Records whose startTime gave no UTC day in the years accepted. */
  noDay: number;
  /** Records the local reader would reject (a bad ARN, number or code), or whose row could not be read. */
  invalid: number;
  /** Records whose hour columns did not add up: the free allowance per hour was not applied to them. */
  noHour: number;
}

export function noProblems(): SourceProblems {
  return { noDay: 0, invalid: 0, noHour: 0 };
}

export function addProblems(target: SourceProblems, other: SourceProblems): void {
  for (const k of Object.keys(target) as Array<keyof SourceProblems>) target[k] += other[k] ?? 0;
}

/** What the error rate counts: 5xx responses and gRPC server-side failures. */
export function serverErrors(n: { status: StatusCounts; grpcErrors: number }): number {
  return n.status['5xx'] + n.grpcErrors;
}

/**
 * The one definition of error rate: server errors over requests and calls (connections have no
 * status, so they neither fail nor dilute it).
 */
export function errorRate(requests: number, connections: number, errors: number): number {
  const answered = requests - connections;
  return answered > 0 ? errors / answered : 0;
}

export function addRecord(target: DayAggregate, record: AccessLogRecord): void {
  target.bytesIn += record.bytesReceived;
  target.bytesOut += record.bytesSent;
  target.hourly[record.hour]! += 1;
  countRecords(target, record, 1, record.duration !== null)?.add(record.duration!);
  const error =
    statusClass(record.responseCode) === '5xx' ||
    isGrpcServerError(record.kind, record.grpcStatus, record.responseCode);
  addCaller(target.callers, record.caller, 1, record.bytesReceived + record.bytesSent, error ? 1 : 0);
}

/**
 * Bounds each day's callers (model/callers.ts boundCallers). Call it once the days are complete:
 * every file, range, worker and query chunk of them merged.
 */
export function boundDayCallers(days: Iterable<DayAggregate>): void {
  for (const day of days) day.callers = boundCallers(day.callers);
}

/**
 * Counts `n` records of `record`'s class, status and auth outcome: the one place each class is
 * counted, for a record read from a file and for a Logs Insights row alike. Returns the histogram
 * their durations belong in (the caller adds them), or null when they add none; a request or call
 * that reached a target without a duration is counted in noDuration.
 */
export function countRecords(
  target: DayAggregate,
  record: Pick<AccessLogRecord, 'kind' | 'responseCode' | 'grpcStatus' | 'authDenied'>,
  n: number,
  hasDuration: boolean,
): LatencyHistogram | null {
  target.requests += n;
  if (record.authDenied) target.authDenied += n;
  if (isConnection(record.kind)) {
    target.connections += n;
    return !record.authDenied && hasDuration ? connectionHistogram(target) : null;
  }
  if (record.kind === 'grpc') target.grpcCalls += n;
  const cls = statusClass(record.responseCode);
  if (cls) target.status[cls] += n;
  if (isGrpcServerError(record.kind, record.grpcStatus, record.responseCode)) target.grpcErrors += n;
  if (record.authDenied) return null;
  if (!hasDuration) {
    target.noDuration += n;
    return null;
  }
  return target.latency;
}

export function mergeDay(target: DayAggregate, other: DayAggregate): void {
  target.requests += other.requests;
  target.connections += other.connections;
  target.grpcCalls += other.grpcCalls;
  for (const k of Object.keys(target.status) as Array<keyof StatusCounts>) {
    target.status[k] += other.status[k];
  }
  target.grpcErrors += other.grpcErrors;
  target.authDenied += other.authDenied;
  target.noDuration += other.noDuration;
  target.bytesIn += other.bytesIn;
  target.bytesOut += other.bytesOut;
  for (let h = 0; h < 24; h++) target.hourly[h]! += other.hourly[h]!;
  target.latency.merge(other.latency);
  if (other.connectionMs.count > 0) connectionHistogram(target).merge(other.connectionMs);
  for (const [key, c] of other.callers) addCaller(target.callers, key, c.requests, c.bytes, c.errors);
}

export function dayToJSON(day: DayAggregate): DayAggregateJSON {
  return {
    ...day,
    status: { ...day.status },
    hourly: [...day.hourly],
    latency: day.latency.toJSON(),
    connectionMs: day.connectionMs.toJSON(),
    callers: callersToJSON(day.callers),
  };
}

export function dayFromJSON(json: DayAggregateJSON): DayAggregate {
  return {
    ...json,
    status: { ...json.status },
    hourly: [...json.hourly],
    latency: LatencyHistogram.fromJSON(json.latency),
    connectionMs:
      json.connectionMs.count === 0 ? NO_CONNECTIONS : LatencyHistogram.fromJSON(json.connectionMs),
    callers: callersFromJSON(json.callers),
  };
}

/** What is known about a service (or resource configuration) apart from its traffic. */
export interface ServiceIdentity {
  arn: string;
  id: string;
  region: string;
  account: string;
  name?: string;
  /** Absent for a service. */
  kind?: 'resource-configuration';
  /** When it was created (ISO 8601), from the Lattice API; unknown for one seen only in logs. */
  createdAt?: string;
}

/** What GetService said of services, by ARN: never changes for an ARN, so kept between runs. */
export type DescribedServices = Map<string, { name?: string; createdAt: string }>;

export function identityFromArn(arn: string): ServiceIdentity {
  // arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-ID or ...:resourceconfiguration/rcfg-ID
  const parts = arn.split(':');
  const resource = parts.slice(5).join(':');
  const slash = resource.indexOf('/');
  const identity: ServiceIdentity = {
    arn,
    id: slash >= 0 ? resource.slice(slash + 1) : resource,
    region: parts[3] ?? '',
    account: parts[4] ?? '',
  };
  if (resource.startsWith('resourceconfiguration/')) identity.kind = 'resource-configuration';
  return identity;
}

/**
 * The name in a service's default DNS name, `<name>-<id digits>.<hash>.vpc-lattice-svcs.<region>.on.aws`,
 * accepted only when the digits match the service id, so a client-chosen Host header cannot rename it.
 */
export function nameFromHostHeader(host: string, serviceId: string): string | undefined {
  const m =
    /^([a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?)-([0-9a-z]+)\.[0-9a-z]+\.vpc-lattice-svcs\.[a-z0-9-]+\.on\.aws$/.exec(
      host.toLowerCase(),
    );
  if (!m || `svc-${m[2]}` !== serviceId) return undefined;
  return m[1];
}

/** Day aggregates for many services and days, plus the service identities seen. */
export class AggregateSet {
  // Not readonly: absorb() takes another set's maps whole.
  days = new Map<string, DayAggregate>();
  services = new Map<string, ServiceIdentity>();
  /** Requests by day of the days dropDaysBefore dropped: read, and now only counted. */
  dropped = new Map<string, number>();
  /** Calls of dropDaysBefore: a scanner holding one of this set's days takes it again after one. */
  drops = 0;

  private key(serviceArn: string, day: string): string {
    return `${serviceArn}\n${day}`;
  }

  service(arn: string): ServiceIdentity {
    let identity = this.services.get(arn);
    if (!identity) {
      identity = identityFromArn(arn);
      this.services.set(arn, identity);
    }
    return identity;
  }

  /** One copy of each day's text, shared by its aggregates (each scanner makes its own). */
  private dayTexts = new Map<string, string>();

  private dayText(day: string): string {
    let text = this.dayTexts.get(day);
    if (text === undefined) this.dayTexts.set(day, (text = day));
    return text;
  }

  day(serviceArn: string, day: string): DayAggregate {
    const k = this.key(serviceArn, day);
    let agg = this.days.get(k);
    if (!agg) {
      // The identity's ARN and the shared day text: tens of thousands of days need no copies.
      agg = emptyDay(this.service(serviceArn).arn, this.dayText(day));
      this.days.set(k, agg);
    }
    return agg;
  }

  /** Takes `day` itself when this set has none for its service and day (no copy), else merges it. */
  adopt(day: DayAggregate): void {
    const k = this.key(day.serviceArn, day.day);
    const mine = this.days.get(k);
    if (mine) {
      mergeDay(mine, day);
      return;
    }
    day.serviceArn = this.service(day.serviceArn).arn;
    day.day = this.dayText(day.day);
    this.days.set(k, day);
  }

  add(record: AccessLogRecord): void {
    addRecord(this.day(record.serviceArn, record.day), record);
    if (record.hostHeader) {
      const identity = this.service(record.serviceArn);
      if (identity.name === undefined) {
        const name = nameFromHostHeader(record.hostHeader, identity.id);
        if (name) identity.name = name;
      }
    }
  }

  addDay(day: DayAggregate): void {
    mergeDay(this.day(day.serviceArn, day.day), day);
  }

  merge(other: AggregateSet): void {
    for (const day of other.days.values()) this.addDay(day);
    this.adoptNames(other);
    this.countDropped(other.dropped);
  }

  /**
   * merge() for a set that is not used again: its days are taken rather than copied where this
   * set has none, so merging a large set into an empty one costs no memory.
   */
  absorb(other: AggregateSet): void {
    if (this.days.size === 0 && this.services.size === 0) {
      // Nothing to merge with: take the other's index whole rather than build a copy of it.
      [this.days, other.days] = [other.days, this.days];
      [this.services, other.services] = [other.services, this.services];
      [this.dayTexts, other.dayTexts] = [other.dayTexts, this.dayTexts];
      this.addDropped(other);
      return;
    }
    for (const day of other.days.values()) this.adopt(day);
    this.adoptNames(other);
    this.addDropped(other);
    other.days.clear();
  }

  /**
   * Drops the days before `day` (UTC), counting their requests in `dropped`: for a reader that
   * knows they fall outside what will be kept, so they need not be held to the end of the scan.
   */
  dropDaysBefore(day: string): void {
    this.drops++;
    for (const [key, agg] of this.days) {
      if (agg.day >= day) continue;
      this.days.delete(key);
      if (agg.requests > 0) this.dropped.set(agg.day, (this.dropped.get(agg.day) ?? 0) + agg.requests);
    }
  }

  private addDropped(other: AggregateSet): void {
    this.countDropped(other.dropped);
    other.dropped.clear();
  }

  private countDropped(requestsByDay: ReadonlyMap<string, number>): void {
    for (const [day, n] of requestsByDay) this.dropped.set(day, (this.dropped.get(day) ?? 0) + n);
  }

  private adoptNames(other: AggregateSet): void {
    for (const identity of other.services.values()) {
      const mine = this.service(identity.arn);
      if (mine.name === undefined && identity.name !== undefined) mine.name = identity.name;
    }
  }

  /**
   * Adds `other`, where each service-day is one observation of the same traffic: when both sets
   * hold it (a network's log and a service's log, in two accounts), the one with more requests is
   * kept whole, since a log can miss records but never invent them. Returns how many overlapped.
   */
  mergeSeenOnce(other: AggregateSet): number {
    let overlaps = 0;
    for (const day of other.days.values()) {
      const k = this.key(day.serviceArn, day.day);
      const mine = this.days.get(k);
      if (mine) {
        overlaps += 1;
        if (mine.requests >= day.requests) continue;
        this.days.delete(k);
      }
      this.addDay(day);
    }
    this.adoptNames(other);
    return overlaps;
  }

  /** First and last day that has any request, or null when empty. */
  coveredDays(): { first: string; last: string } | null {
    let first: string | null = null;
    let last: string | null = null;
    for (const agg of this.days.values()) {
      if (agg.requests === 0) continue;
      if (first === null || agg.day < first) first = agg.day;
      if (last === null || agg.day > last) last = agg.day;
    }
    return first && last ? { first, last } : null;
  }

  /** Days with at least one request, from any service. */
  activeDays(): Set<string> {
    const set = new Set<string>();
    for (const agg of this.days.values()) if (agg.requests > 0) set.add(agg.day);
    return set;
  }
}
