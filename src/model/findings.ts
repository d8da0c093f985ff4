/**
 * Findings as data: what analysis/ concludes about a service, with the numbers behind it.
 * report/ turns each into the one-line message and impact that report.json and the Markdown show.
 */

export type Severity = 'info' | 'warning' | 'critical';

/** Most severe first: the one order of severities. */
const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

/** 0 for critical, growing as severity falls; sorts most severe first. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Whether `severity` is `threshold` or worse. */
export function isAtLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) <= severityRank(threshold);
}

export type FindingKind = FindingFacts['kind'];

export type AnomalyMetric = 'cost' | 'requests' | 'p99' | 'errorRate';

export interface Anomaly {
  date: string;
  /** Service ARN, or absent for an account-level anomaly. */
  service?: string;
  /** Usage type or other place the anomaly was seen, when the source names one. */
  where?: string;
  metric: AnomalyMetric;
  expected: number;
  actual: number;
  /** actual - expected, in the metric's unit. */
  impact: number;
  /** Extra cost in USD, where known. */
  impactUsd?: number;
  /** Robust z-score for our detector; Cost Anomaly Detection's score for AWS. */
  score: number;
  source: 'detector' | 'aws-cad';
}

/** What each kind of finding found, in the metric's own units (ms, fractions, USD, requests). */
type FindingFacts =
  | {
      kind: 'idle-service';
      requests: number;
      windowDays: number;
      requestsPerDay: number;
      /** idle-requests-per-day. */
      threshold: number;
      serviceHours: number;
      windowCost: number;
    }
  | { kind: 'high-latency'; p99Ms: number; thresholdMs: number; requestsOverThreshold: number }
  | {
      kind: 'high-error-rate';
      /** Fractions: 0.041 is 4.1 %. */
      errorRate: number;
      threshold: number;
      failedRequests: number;
      /** The window's data and request charges in the share failed requests are of all (never the hourly charge). */
      costOfFailed: number;
    }
  | {
      kind: 'auth-denied';
      denied: number;
      share: number;
      /** The largest day above the usual, when there was one. */
      spike?: { date: string; actual: number; expected: number };
    }
  | {
      kind: 'large-payload';
      /** Data processing's share of the service's cost. */
      dataShare: number;
      bytes: number;
      bytesPerRequest: number;
      monthlyDataCost: number;
    }
  | { kind: 'cost-regression'; growth: number; before: number; now: number; monthlyIncrease: number }
  | { kind: 'latency-regression'; growth: number; beforeMs: number; nowMs: number }
  | { kind: 'cost-outlier'; costPerMillionRequests: number; fleetMedian: number; monthlyCost: number }
  | {
      kind: 'cost-anomaly' | 'request-anomaly' | 'latency-anomaly' | 'error-rate-anomaly';
      /** The UTC day of the incident. */
      date: string;
      /** Its facets: the anomalies of one service (or the account) that day, the lead one first. */
      anomalies: Anomaly[];
    };

export type FindingData = FindingFacts & {
  severity: Severity;
  /** Service ARN; absent for fleet-wide findings. */
  service?: string;
  estimatedMonthlySavings?: number;
};
