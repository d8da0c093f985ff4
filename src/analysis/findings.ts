/**
 * Findings: what a platform lead should act on, each with its numbers and, where it applies,
 * the monthly saving. They are data; report/findings.ts puts them into words.
 */
import { errorRate, serverErrors } from '../model/aggregate.js';
import {
  type Anomaly,
  type AnomalyMetric,
  type FindingData,
  type Severity,
  severityRank,
} from '../model/findings.js';
import type { ServiceReport } from '../model/report.js';
import { detectOutliers, median, type Point } from './anomalies.js';
import type { Thresholds } from './thresholds.js';
import { compareText } from '../model/compare.js';
/** Hours in the average month, as AWS prices a month. */
/** A month of a service that exists all of it: what every monthly amount of the report is per. */
export const HOURS_PER_MONTH = 730;

/** One day of a service, for the detector; covers history before the window too. */
export interface DailyPoint {
  date: string;
  requests: number;
  /** Of `requests`, connections: they have no status and no latency. */
  connections: number;
  /** Server errors (serverErrors: 5xx and gRPC server-side failures). */
  errors: number;
  authDenied: number;
  /** Requests that reached a target (latency samples). */
  latencySamples: number;
  p99: number | null;
  bytesIn: number;
  bytesOut: number;
  cost: number;
}

export interface ServiceAnalysis {
  service: ServiceReport;
  /** Hours or partial hours of the window the service existed (billableHours). */
  serviceHours: number;
  /** Requests in the window slower than the latency threshold. */
  requestsOverLatencyThreshold: number;
  series: DailyPoint[];
}

/** A window's cost as a month's, for something billed every hour of the window. */
export function monthlyCost(windowCost: number, windowDays: number): number {
  return (windowCost / (windowDays * 24)) * HOURS_PER_MONTH;
}

export function serviceFindings(a: ServiceAnalysis, windowDays: number, t: Thresholds): FindingData[] {
  const s = a.service;
  const findings: FindingData[] = [];
  const add = (f: FindingData): void => {
    findings.push({ ...f, service: s.arn });
  };
  const perDay = s.requests / windowDays;

  // A service that did not exist yet in the window was not idle in it.
  if (perDay < t.idleRequestsPerDay && a.serviceHours > 0) {
    // Per hour it existed: one created mid-window costs a month of its hours, not of the window's.
    const saving = Math.round((s.cost.total / a.serviceHours) * HOURS_PER_MONTH * 100) / 100;
    add({
      kind: 'idle-service',
      severity: s.requests === 0 ? 'critical' : 'warning',
      requests: s.requests,
      windowDays,
      requestsPerDay: perDay,
      threshold: t.idleRequestsPerDay,
      serviceHours: a.serviceHours,
      windowCost: s.cost.total,
      estimatedMonthlySavings: saving,
    });
  }

  const enough = s.requests >= t.minRequests;
  if (enough && s.latencyMs && s.latencyMs.p99 > t.latencyP99Ms) {
    add({
      kind: 'high-latency',
      severity: s.latencyMs.p99 >= t.latencyP99Ms * t.latencyCriticalMultiple ? 'critical' : 'warning',
      p99Ms: s.latencyMs.p99,
      thresholdMs: t.latencyP99Ms,
      requestsOverThreshold: a.requestsOverLatencyThreshold,
    });
  }

  const errorLimit = t.errorRatePercent / 100;
  if (enough && s.errorRate > errorLimit) {
    add({
      kind: 'high-error-rate',
      severity: s.errorRate >= errorLimit * t.errorRateCriticalMultiple ? 'critical' : 'warning',
      errorRate: s.errorRate,
      threshold: errorLimit,
      failedRequests: serverErrors(s),
      // The hourly charge is paid whatever the errors; only data and request charges scale with them.
      costOfFailed: (s.cost.data + s.cost.requests) * s.errorRate,
    });
  }

  const deniedShare = s.requests > 0 ? s.authDenied / s.requests : 0;
  const deniedSpikes = detectOutliers(
    a.series.map((p) => ({ date: p.date, value: p.authDenied })),
    new Set(s.daily.map((d) => d.date)),
    t.detector,
  ).filter((o) => o.actual - o.expected >= t.authDeniedMinRequests);
  if (
    s.authDenied >= t.authDeniedMinRequests &&
    (deniedShare * 100 >= t.authDeniedPercent || deniedSpikes.length > 0)
  ) {
    const spike = deniedSpikes.sort((x, y) => y.actual - y.expected - (x.actual - x.expected))[0];
    add({
      kind: 'auth-denied',
      severity: 'warning',
      denied: s.authDenied,
      share: deniedShare,
      ...(spike ? { spike: { date: spike.date, actual: spike.actual, expected: spike.expected } } : {}),
    });
  }

  const dataMonthly = monthlyCost(s.cost.data, windowDays);
  if (
    s.cost.total > 0 &&
    s.cost.data / s.cost.total >= t.largePayloadShare &&
    dataMonthly >= t.largePayloadMinMonthlyUsd
  ) {
    const bytes = s.bytesIn + s.bytesOut;
    add({
      kind: 'large-payload',
      severity: 'info',
      dataShare: s.cost.data / s.cost.total,
      bytes,
      bytesPerRequest: s.requests ? bytes / s.requests : 0,
      monthlyDataCost: dataMonthly,
    });
  }

  if (s.previous) {
    const before = s.previous.cost.total;
    const growth = before > 0 ? (s.cost.total - before) / before : 0;
    if (
      before > 0 &&
      growth * 100 >= t.regressionCostPercent &&
      s.cost.total - before >= t.regressionMinCostUsd
    ) {
      add({
        kind: 'cost-regression',
        severity: 'warning',
        growth,
        before,
        now: s.cost.total,
        monthlyIncrease: monthlyCost(s.cost.total - before, windowDays),
      });
    }
    const p99Before = s.previous.latencyMs?.p99;
    const p99Now = s.latencyMs?.p99;
    if (
      enough &&
      s.previous.requests >= t.minRequests &&
      p99Before !== undefined &&
      p99Now !== undefined &&
      p99Before > 0 &&
      ((p99Now - p99Before) / p99Before) * 100 >= t.regressionP99Percent &&
      p99Now - p99Before >= t.anomalyMinP99Ms
    ) {
      add({
        kind: 'latency-regression',
        severity: 'warning',
        growth: (p99Now - p99Before) / p99Before,
        beforeMs: p99Before,
        nowMs: p99Now,
      });
    }
  }
  return findings;
}

/** Services whose cost per million requests is far above the fleet's median. */
export function costOutliers(services: ServiceReport[], windowDays: number, t: Thresholds): FindingData[] {
  const busy = services.filter(
    (s) =>
      s.requests >= t.minRequests &&
      s.requests / windowDays >= t.idleRequestsPerDay &&
      s.costPerMillionRequests !== null,
  );
  if (busy.length < t.costOutlierMinServices) return [];
  const fleet = median(busy.map((s) => s.costPerMillionRequests!));
  return busy
    .filter((s) => s.costPerMillionRequests! >= fleet * t.costOutlierFactor)
    .map((s) => ({
      kind: 'cost-outlier' as const,
      severity: 'warning' as const,
      service: s.arn,
      costPerMillionRequests: s.costPerMillionRequests!,
      fleetMedian: fleet,
      monthlyCost: monthlyCost(s.cost.total, windowDays),
    }));
}

const ANOMALY_KIND = {
  cost: 'cost-anomaly',
  requests: 'request-anomaly',
  p99: 'latency-anomaly',
  errorRate: 'error-rate-anomaly',
} as const;

/** Our detector over each service's daily cost, requests, p99 and error rate; increases only. */
export function detectServiceAnomalies(a: ServiceAnalysis, t: Thresholds): Anomaly[] {
  const judge = new Set(a.service.daily.map((d) => d.date));
  const anomalies: Anomaly[] = [];
  const run = (metric: AnomalyMetric, points: Point[], minChange: number): void => {
    // Expected is a median of earlier values, so no change exceeds the series' range: a flat
    // series (most silent services) is skipped without the detector's medians.
    let low = Infinity;
    let high = -Infinity;
    for (const p of points) {
      low = Math.min(low, p.value);
      high = Math.max(high, p.value);
    }
    if (!(high - low >= minChange)) return;
    for (const o of detectOutliers(points, judge, t.detector)) {
      const change = o.actual - o.expected;
      if (change < minChange || change < (Math.abs(o.expected) * t.anomalyMinChangePercent) / 100) continue;
      const anomaly: Anomaly = {
        date: o.date,
        service: a.service.arn,
        metric,
        expected: o.expected,
        actual: o.actual,
        impact: change,
        score: Math.round(o.score * 100) / 100,
        source: 'detector',
      };
      if (metric === 'cost') anomaly.impactUsd = change;
      anomalies.push(anomaly);
    }
  };
  const judged = a.series.filter((p) => p.latencySamples >= t.anomalyMinDailyRequests);
  run(
    'cost',
    a.series.map((p) => ({ date: p.date, value: p.cost })),
    t.anomalyMinCostUsd,
  );
  run(
    'requests',
    a.series.map((p) => ({ date: p.date, value: p.requests })),
    t.anomalyMinRequests,
  );
  run(
    'p99',
    judged.filter((p) => p.p99 !== null).map((p) => ({ date: p.date, value: p.p99! })),
    t.anomalyMinP99Ms,
  );
  run(
    'errorRate',
    judged.map((p) => ({ date: p.date, value: errorRate(p.requests, p.connections, p.errors) })),
    t.anomalyMinErrorRatePoints / 100,
  );
  return anomalies;
}

/** Most telling first: cost, then failures, then latency, then traffic. */
const METRIC_ORDER: readonly AnomalyMetric[] = ['cost', 'errorRate', 'p99', 'requests'];

/**
 * Severity follows impact: a day that cost money is a warning; a day whose p99 or error rate rose
 * but stayed within the user's own threshold is news (info), not a problem; more traffic alone is info.
 * @testseam
 */
export function anomalySeverity(anomaly: Anomaly, t: Thresholds): Severity {
  switch (anomaly.metric) {
    case 'cost':
      return 'warning';
    case 'p99':
      return anomaly.actual > t.latencyP99Ms ? 'warning' : 'info';
    case 'errorRate':
      return anomaly.actual * 100 > t.errorRatePercent ? 'warning' : 'info';
    case 'requests':
      return (anomaly.impactUsd ?? 0) >= t.anomalyMinCostUsd ? 'warning' : 'info';
  }
}

/**
 * Anomalies as incidents: everything unusual about one service (or, for AWS Cost Anomaly Detection
 * without a service, the account) on one day is one finding with its facets, the most severe first.
 */
export function incidentFindings(anomalies: Anomaly[], t: Thresholds): FindingData[] {
  const byIncident = new Map<string, Anomaly[]>();
  for (const anomaly of anomalies) {
    const key = `${anomaly.service ?? ''}\n${anomaly.date}`;
    const facets = byIncident.get(key);
    if (facets) facets.push(anomaly);
    else byIncident.set(key, [anomaly]);
  }
  const severity = new Map(anomalies.map((a) => [a, anomalySeverity(a, t)]));
  return [...byIncident.values()].map((facets) => {
    facets.sort(
      (a, b) =>
        severityRank(severity.get(a)!) - severityRank(severity.get(b)!) ||
        METRIC_ORDER.indexOf(a.metric) - METRIC_ORDER.indexOf(b.metric) ||
        (a.where ?? '').localeCompare(b.where ?? ''),
    );
    const lead = facets[0]!;
    return {
      kind: ANOMALY_KIND[lead.metric],
      severity: severity.get(lead)!,
      date: lead.date,
      anomalies: facets,
      ...(lead.service ? { service: lead.service } : {}),
    };
  });
}

/**
 * USD a finding puts at stake, to order findings of one severity: a monthly saving or increase,
 * the cost of failures, or an incident's extra cost that day. Only an order, never shown.
 */
function usdAtStake(f: FindingData): number {
  if (f.estimatedMonthlySavings !== undefined) return f.estimatedMonthlySavings;
  switch (f.kind) {
    case 'cost-regression':
      return f.monthlyIncrease;
    case 'cost-outlier':
      return f.monthlyCost;
    case 'large-payload':
      return f.monthlyDataCost;
    case 'high-error-rate':
      return f.costOfFailed;
    case 'cost-anomaly':
    case 'request-anomaly':
    case 'latency-anomaly':
    case 'error-rate-anomaly':
      return f.anomalies.reduce((sum, a) => sum + Math.max(0, a.impactUsd ?? 0), 0);
    default:
      return 0;
  }
}

/**
 * The one order of findings, for report.json, the Markdown and the CLI headline alike: most severe
 * first, then most money at stake, then by service name, kind and day.
 */
export function compareFindings(nameOf: (arn: string) => string): (a: FindingData, b: FindingData) => number {
  const name = (f: FindingData): string => (f.service === undefined ? '' : nameOf(f.service));
  const day = (f: FindingData): string => ('date' in f ? f.date : '');
  return (a, b) =>
    severityRank(a.severity) - severityRank(b.severity) ||
    usdAtStake(b) - usdAtStake(a) ||
    compareText(name(a), name(b)) ||
    compareText(a.kind, b.kind) ||
    compareText(day(a), day(b)) ||
    compareText(a.service ?? '', b.service ?? '');
}
