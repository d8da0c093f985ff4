/** Findings in words: the one-line message and impact of each finding that analysis/ found as data. */
import { identityFromArn } from '../model/aggregate.js';
import type { Anomaly, FindingData } from '../model/findings.js';
import type { Analysis, Finding, Report } from '../model/report.js';
import {
  formatDataSize,
  formatDay,
  formatGb,
  formatInteger,
  formatMs,
  formatPercent,
  formatSigned,
  formatUsd,
  plural,
} from './format.js';

const ms = (value: number): string => `${formatMs(value)} ms`;

const ANOMALY_LABEL = {
  cost: 'daily cost',
  requests: 'requests',
  p99: 'p99 latency',
  errorRate: 'error rate',
};

/** One facet's value in its unit. */
function anomalyValue(a: Anomaly, v: number): string {
  switch (a.metric) {
    case 'cost':
      return formatUsd(v);
    case 'errorRate':
      return formatPercent(v);
    case 'p99':
      return ms(v);
    case 'requests':
      return formatInteger(v);
  }
}

/** One facet's change, with its unit: "+$2.42", "+215 ms p99", "+8,612 requests", "+2.1 pp errors". */
function anomalyChange(a: Anomaly): string {
  switch (a.metric) {
    case 'cost':
      return formatSigned(a.impact, formatUsd);
    case 'errorRate':
      return `${formatSigned(a.impact * 100, (points) => points.toFixed(1))} pp errors`;
    case 'p99':
      return `${formatSigned(a.impact, ms)} p99`;
    case 'requests':
      return formatSigned(a.impact, (n) => `${formatInteger(n)} requests`);
  }
}

/**
 * The message (numbers only, no text from logs) and the impact of one finding. Every impact says
 * its unit and its period: the window (`in 7 days`), a month at this rate (`/mo`) or a day.
 */
function words(f: FindingData, windowDays: number): { message: string; impact?: string } {
  const window = `in ${plural(windowDays, 'day')}`;
  switch (f.kind) {
    case 'idle-service':
      return {
        message:
          `Idle: ${formatInteger(f.requests)} requests ${window} ` +
          `(${f.requestsPerDay.toFixed(1)} a day; threshold ${formatInteger(f.threshold)} a day), billed ${formatInteger(f.serviceHours)} service-hours`,
        impact: `${formatUsd(f.windowCost)} ${window}`,
      };
    case 'high-latency':
      return {
        message: `p99 latency ${ms(f.p99Ms)} (threshold ${ms(f.thresholdMs)})`,
        impact: `≈${formatInteger(f.requestsOverThreshold)} requests over ${ms(f.thresholdMs)} ${window}`,
      };
    case 'high-error-rate':
      // Failures cost money only through data and request charges: the hourly charge is paid anyway.
      return {
        message: `Error rate ${formatPercent(f.errorRate)} (threshold ${formatPercent(f.threshold)})`,
        impact:
          `${formatInteger(f.failedRequests)} failed requests ${window}` +
          (f.costOfFailed >= 0.01
            ? `, ${formatUsd(f.costOfFailed)} of data and request charges on them`
            : ''),
      };
    case 'auth-denied':
      return {
        message:
          `${formatPercent(f.share)} of requests denied by the auth policy (callers without access, or a policy change)` +
          (f.spike
            ? `; ${formatInteger(f.spike.actual)} on ${formatDay(f.spike.date)} (usually ${formatInteger(f.spike.expected)})`
            : ''),
        impact: `${formatInteger(f.denied)} requests refused ${window}`,
      };
    case 'large-payload':
      return {
        message:
          `Data processing is ${formatPercent(f.dataShare)} of this service's cost ` +
          `(${formatGb(f.bytes)} GB ${window}, ${formatDataSize(f.bytesPerRequest)} per request)`,
        impact: `${formatUsd(f.monthlyDataCost)}/mo on GB processed; smaller or compressed payloads cut it`,
      };
    case 'cost-regression':
      return {
        message: `Cost up ${formatPercent(f.growth)} on the previous ${plural(windowDays, 'day')} (${formatUsd(f.before)} → ${formatUsd(f.now)})`,
        impact: `+${formatUsd(f.monthlyIncrease)}/mo at this rate`,
      };
    case 'latency-regression':
      return {
        message: `p99 latency up ${formatPercent(f.growth)} on the previous ${plural(windowDays, 'day')} (${ms(f.beforeMs)} → ${ms(f.nowMs)})`,
        impact: `${formatSigned(f.nowMs - f.beforeMs, ms)} p99 over ${plural(windowDays, 'day')}`,
      };
    case 'cost-outlier':
      return {
        message: `${formatUsd(f.costPerMillionRequests)} per million requests, ${(f.costPerMillionRequests / f.fleetMedian).toFixed(1)}× the median of services with traffic (${formatUsd(f.fleetMedian)})`,
        impact: `${formatUsd(f.monthlyCost)}/mo at this rate`,
      };
    case 'cost-anomaly':
    case 'request-anomaly':
    case 'latency-anomaly':
    case 'error-rate-anomaly': {
      const facets = f.anomalies.map((a) => {
        const source = a.source === 'aws-cad' ? ' (AWS Cost Anomaly Detection)' : '';
        const what =
          a.metric === 'requests'
            ? `${formatInteger(a.actual)} requests, usually ${formatInteger(a.expected)}`
            : `${ANOMALY_LABEL[a.metric]} ${anomalyValue(a, a.actual)}, usually ${anomalyValue(a, a.expected)}`;
        return `${what}${source}`;
      });
      const day = formatDay(f.date);
      return {
        message: `${day}: ${facets.join('; ')}`,
        impact: `${f.anomalies.map(anomalyChange).join(', ')} on ${day}`,
      };
    }
  }
}

function describeFinding(f: FindingData, windowDays: number): Finding {
  const { message, impact } = words(f, windowDays);
  return {
    kind: f.kind,
    severity: f.severity,
    ...(f.service !== undefined ? { service: f.service } : {}),
    ...('date' in f ? { date: f.date } : {}),
    message,
    ...(impact !== undefined ? { impact } : {}),
    ...(f.estimatedMonthlySavings !== undefined
      ? { estimatedMonthlySavings: f.estimatedMonthlySavings }
      : {}),
  };
}

/** The report of schema v1: the analysis, its findings in words. */
export function describeReport(analysis: Analysis): Report {
  const findings = analysis.findings.map((f) => describeFinding(f, analysis.window.days));
  // A report over accounts says where each finding is, without making its reader parse the ARN.
  if (analysis.accounts) {
    for (const finding of findings) {
      if (!finding.service) continue;
      const { account, region } = identityFromArn(finding.service);
      Object.assign(finding, { account, region });
    }
  }
  return { ...analysis, findings };
}
