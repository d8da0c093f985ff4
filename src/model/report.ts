/**
 * Report schema version 1: the contract written to report.json and read by the renderers,
 * the action outputs and other tools. `src/report/report.schema.json` is the same contract as JSON Schema;
 * keep both in step and bump `schemaVersion` on any incompatible change.
 */
import type { ChargeType, PriceSource, PriceTable } from './costs.js';
import type { Anomaly, FindingData, FindingKind, Severity } from './findings.js';
import type { StatusCounts } from './record.js';

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Cost of one service, split by Lattice charge type. USD. */
export interface CostBreakdown {
  total: number;
  hours: number;
  data: number;
  requests: number;
}

/** The numbers compared between windows. */
export interface ServiceNumbers {
  /** HTTP requests, gRPC calls and TLS-passthrough connections: what Lattice bills per request/connection. */
  requests: number;
  /** Of `requests`, TLS-passthrough connections (or connections to a resource configuration). */
  connections: number;
  /** Of `requests`, gRPC calls. */
  grpcCalls: number;
  /** HTTP status classes of requests and calls. */
  status: StatusCounts;
  /** gRPC calls that failed on the server's side without a 5xx status. */
  grpcErrors: number;
  authDenied: number;
  /** (5xx + grpcErrors) / (requests - connections), as a fraction (0.041 = 4.1 %). */
  errorRate: number;
  /** Of requests and calls; null when none reached a target (all denied, or no traffic). */
  latencyMs: LatencySummary | null;
  /** Lifetime of connections; null when there were none. Never judged against the latency threshold. */
  connectionMs: LatencySummary | null;
  bytesIn: number;
  bytesOut: number;
  cost: CostBreakdown;
  /** Null when the service had no requests. */
  costPerMillionRequests: number | null;
}

interface ServiceDay {
  date: string;
  requests: number;
  errors5xx: number;
  authDenied: number;
  p99: number | null;
  bytesIn: number;
  bytesOut: number;
  cost: number;
}

export interface ServiceReport extends ServiceNumbers {
  arn: string;
  id: string;
  /** Name from the inventory or the service's default DNS name; the id when unknown. */
  name: string;
  region: string;
  /** The account that owns the service (from its ARN), which pays for it. */
  account?: string;
  /** The account's label from the `accounts` input, when given. */
  accountLabel?: string;
  /** The window before this one, when the data covers it. */
  previous: ServiceNumbers | null;
  /** Cost of the service's backend (compute), from the cost-allocation tag `cost-tag-key`. */
  backendCost?: number;
  daily: ServiceDay[];
  /**
   * Who called it in the window, heaviest first (at most 20, the rest as "other"). Their costs
   * add up to cost.data + cost.requests; the hourly charge is the owner's and not split.
   */
  callers?: CallerReport[];
}

/**
 * One caller of a service: its source VPC (with the VPC's owner account) and the account of its
 * signed principal, as validated from the access logs. Null parts are unknown: an unsigned
 * request has no principal, and a missing or malformed field is never shown as it was logged.
 */
export interface CallerReport {
  /** `<vpcAccount>/<vpcId>|<principalAccount>` with "-" for an unknown part, or "other". */
  key: string;
  vpcId: string | null;
  vpcAccount: string | null;
  principalAccount: string | null;
  requests: number;
  /** Bytes received and sent. */
  bytes: number;
  /** Server errors: 5xx responses and gRPC server failures. */
  errors: number;
  /**
   * USD in the window: the service's data charge times the caller's share of its bytes, plus its
   * request charge times the caller's share of its requests, in cents.
   */
  cost: number;
  /** cost over the service's variable cost (cost.data + cost.requests); 0 when that is 0. */
  share: number;
}

/** One caller across the network: what it drove over every service it called. */
export interface CallerSummary extends CallerReport {
  /** Services it called. */
  services: number;
  /** cost over the variable cost of every service (Report.callers.variableCost). */
  share: number;
}

/** A resource configuration (VPC resource): what connected to it and its modelled cost. */
export interface ResourceConfigurationReport {
  arn: string;
  id: string;
  /** Name from the inventory; the id when unknown. */
  name: string;
  region: string;
  /** The owning account, as for services. */
  account?: string;
  accountLabel?: string;
  connections: number;
  authDenied: number;
  connectionMs: LatencySummary | null;
  bytesIn: number;
  bytesOut: number;
  /** Modelled (per resource-hour and per GB); Cost Explorer does not split its bill by resource. */
  cost: { total: number; hours: number; data: number };
}

/** A finding in words, as report.json carries it; analysis/ finds it as data (FindingData). */
export interface Finding {
  kind: FindingKind;
  severity: Severity;
  /** Service ARN; absent for fleet-wide findings. */
  service?: string;
  /** The service's account and region, so a finding says where it is without parsing the ARN. */
  account?: string;
  region?: string;
  /** The UTC day of an incident (anomalies of one service on one day). */
  date?: string;
  /** One line with the numbers. Contains no text taken from logs. */
  message: string;
  /** A short impact statement, for example "31,204 requests over 500 ms". */
  impact?: string;
  estimatedMonthlySavings?: number;
}

export interface SharedCost {
  /** Cost that Cost Explorer billed but that no service's usage explains, USD. */
  total: number;
  hours: number;
  data: number;
  requests: number;
  other: number;
  /** Credits, refunds and other negative amounts of the bill (<= 0): not in `total`, never a service's. */
  credits: number;
}

interface CostBasis {
  /**
   * `modelled`: price table only. `reconciled`: scaled to Cost Explorer amounts.
   * `billed-per-resource`: on some days each service's cost is what AWS billed for its ARN.
   */
  method: 'modelled' | 'reconciled' | 'billed-per-resource';
  metric?: string;
  currency: string;
  /** Days of the window whose Cost Explorer amounts are still estimated. */
  estimatedDays: string[];
  /** Days of the window that Cost Explorer did not cover; modelled instead. */
  missingDays: string[];
  /** Days of the window billed per resource (Cost Explorer resource-level data). */
  billedPerResourceDays?: string[];
  /** Each Lattice usage type of the bill, its charge, and whether the price list or its name said so. */
  usageTypes?: Array<{ usageType: string; charge: ChargeType; from: 'price-list' | 'name' }>;
  /** Prices used for the model, per region, and where they came from. */
  prices: Record<
    string,
    PriceTable & { resourceHour: number; resourcePerGB: number; source: PriceSource; published?: string }
  >;
}

export interface MalformedSample {
  file: string;
  /** 1-based line number, or the event index for CLI exports. */
  line: number;
  reason: string;
}

export interface Report {
  schemaVersion: 1;
  generatedAt: string;
  tool: { name: string; version: string };
  window: { start: string; end: string; days: number };
  source: {
    kind: 'files' | 'aws';
    serviceNetwork?: string;
    logGroups: string[];
    /** The S3 locations read with Athena (log-source s3 or auto), each with its table and log roots. */
    s3?: Array<{ location: string; table: string; workGroup: string; roots: string[] }>;
    queryIds: string[];
    files: string[];
    records: number;
    malformed: number;
    malformedSamples: MalformedSample[];
  };
  costBasis: CostBasis;
  totals: {
    requests: number;
    cost: number;
    bytesIn: number;
    bytesOut: number;
    previous: { requests: number; cost: number; bytesIn: number; bytesOut: number } | null;
  };
  shared: SharedCost;
  services: ServiceReport[];
  resourceConfigurations: ResourceConfigurationReport[];
  findings: Finding[];
  anomalies: Anomaly[];
  forecast?: { start: string; end: string; amount: number; lower?: number; upper?: number };
  /** Per account, in the order of the `accounts` input; present for AWS runs. */
  accounts?: AccountSummary[];
  /** Who drives the cost: the callers of every service; present when the logs name callers. */
  callers?: {
    /** Callers kept per service and day (the rest are counted as "other"). */
    bound: number;
    /** Sum of the services' data and request charges in the window, USD: what the callers split. */
    variableCost: number;
    /** Heaviest first, at most 50, the rest as "other". */
    callers: CallerSummary[];
  };
  coverage?: Coverage;
  run: {
    insights: { queries: number; bytesScanned: number };
    /** Present when logs were read from S3: Athena's queries, bytes and estimated charge. */
    athena?: { queries: number; bytesScanned: number; estimatedCostUsd: number };
    /** Present when logs were read from S3: the delivery days read on the runner instead. */
    s3Direct?: { days: number; objects: number; bytesRead: number };
    costExplorer: { requests: number };
    estimatedRunCostUsd: number;
    /** Present when a cache of settled days was used. */
    cache?: {
      logDaysHit: number;
      logDaysScanned: number;
      /** Bytes the cached days cost to scan when they were first scanned. */
      bytesAvoided: number;
      costDaysHit: number;
      costExplorerRequestsAvoided: number;
      /** Logs Insights, Athena and Cost Explorer charges this run did not incur. */
      savedUsd: number;
    };
  };
  warnings: string[];
}

/** One region of one account: what its services cost and served (the account's shared line is not split by region). */
export interface RegionSubtotal {
  region: string;
  services: number;
  requests: number;
  /** Sum of the region's services' costs, USD. */
  cost: number;
}

/** One account of the run, with its own bill reconciled on its own. */
export interface AccountSummary {
  account: string;
  label?: string;
  /** `read`: every region was read. `partial`: some regions failed. `unreachable`: nothing was read. */
  status: 'read' | 'partial' | 'unreachable';
  requests: number;
  /** Services, shared line and credits: the account's Lattice bill for the window when it is billed. */
  cost: number;
  shared: SharedCost;
  regions: RegionSubtotal[];
  /** What this account's part of the run scanned and asked. */
  run: { bytesScanned: number; queries: number; costExplorerRequests: number };
}

/** Which accounts and regions the report covers, and why any are missing. */
export interface Coverage {
  accounts: { expected: number; read: number };
  /** (account, region) pairs: an account read in one region of two counts one of two. */
  regions: { expected: number; read: number };
  /** False when any (account, region) pair could not be read: the totals then cover less than asked. */
  complete: boolean;
  unreachable: Array<{ account: string; label?: string; region?: string; reason: string }>;
}

/** The report as analysis/ leaves it: every number, the findings still as data. */
export type Analysis = Omit<Report, 'findings'> & { findings: FindingData[] };
