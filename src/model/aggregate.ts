/**
 * Day aggregates: the unit every log source produces and every later stage consumes.
 * One per service ARN and UTC day. Local files and Logs Insights must build identical ones.
 */
import { type AccessLogRecord, type StatusCounts, statusClass } from './record.js';
import { LatencyHistogram, type HistogramJSON } from './histogram.js';

export interface DayAggregate {
  serviceArn: string;
  day: string;
  requests: number;
  status: StatusCounts;
  /** Requests denied by the auth policy; they never reach a target. */
  authDenied: number;
  /** Sum of bytesReceived. */
  bytesIn: number;
  /** Sum of bytesSent. */
  bytesOut: number;
  /** Requests per UTC hour: the free request allowance applies per service per hour. */
  hourly: number[];
  /** `duration` of requests that were not denied by auth. */
  latency: LatencyHistogram;
}

export interface DayAggregateJSON extends Omit<DayAggregate, 'latency'> {
  latency: HistogramJSON;
}

export function emptyDay(serviceArn: string, day: string): DayAggregate {
  return {
    serviceArn,
    day,
    requests: 0,
    status: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    authDenied: 0,
    bytesIn: 0,
    bytesOut: 0,
    hourly: new Array<number>(24).fill(0),
    latency: new LatencyHistogram(),
  };
}

/** The 5xx share of requests: the one definition of error rate. */
export function errorRate(requests: number, errors5xx: number): number {
  return requests > 0 ? errors5xx / requests : 0;
}

export function addRecord(target: DayAggregate, record: AccessLogRecord): void {
  target.requests += 1;
  const cls = statusClass(record.responseCode);
  if (cls) target.status[cls] += 1;
  target.bytesIn += record.bytesReceived;
  target.bytesOut += record.bytesSent;
  target.hourly[record.hour]! += 1;
  if (record.authDenied) target.authDenied += 1;
  else target.latency.add(record.duration);
}

export function mergeDay(target: DayAggregate, other: DayAggregate): void {
  target.requests += other.requests;
  for (const k of Object.keys(target.status) as Array<keyof StatusCounts>) {
    target.status[k] += other.status[k];
  }
  target.authDenied += other.authDenied;
  target.bytesIn += other.bytesIn;
  target.bytesOut += other.bytesOut;
  for (let h = 0; h < 24; h++) target.hourly[h]! += other.hourly[h]!;
  target.latency.merge(other.latency);
}

export function dayToJSON(day: DayAggregate): DayAggregateJSON {
  return { ...day, status: { ...day.status }, hourly: [...day.hourly], latency: day.latency.toJSON() };
}

export function dayFromJSON(json: DayAggregateJSON): DayAggregate {
  return {
    ...json,
    status: { ...json.status },
    hourly: [...json.hourly],
    latency: LatencyHistogram.fromJSON(json.latency),
  };
}

/** What is known about a service apart from its traffic. */
export interface ServiceIdentity {
  arn: string;
  id: string;
  region: string;
  account: string;
  name?: string;
}

export function identityFromArn(arn: string): ServiceIdentity {
  // arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-ID
  const parts = arn.split(':');
  const resource = parts.slice(5).join(':');
  return {
    arn,
    id: resource.startsWith('service/') ? resource.slice('service/'.length) : resource,
    region: parts[3] ?? '',
    account: parts[4] ?? '',
  };
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
  readonly days = new Map<string, DayAggregate>();
  readonly services = new Map<string, ServiceIdentity>();

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

  day(serviceArn: string, day: string): DayAggregate {
    const k = this.key(serviceArn, day);
    let agg = this.days.get(k);
    if (!agg) {
      agg = emptyDay(serviceArn, day);
      this.days.set(k, agg);
      this.service(serviceArn);
    }
    return agg;
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
    for (const identity of other.services.values()) {
      const mine = this.service(identity.arn);
      if (mine.name === undefined && identity.name !== undefined) mine.name = identity.name;
    }
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
