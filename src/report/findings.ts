/** Findings in words: the one-line message and impact of each finding that analysis/ found as data. */
import { identityFromArn } from '../model/aggregate.js';
import type { FindingData } from '../model/findings.js';
import type { Analysis, Finding, Report } from '../model/report.js';
import {
  formatDataSize,
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
  cost: 'Daily cost',
  requests: 'Requests',
  p99: 'p99 latency',
  errorRate: 'Error rate',
};

/** The message (numbers only, no text from logs) and the impact of one finding. */
function words(f: FindingData): { message: string; impact?: string } {
  switch (f.kind) {
    case 'idle-service':
      return {
        message:
          `Idle: ${formatInteger(f.requests)} requests in ${plural(f.windowDays, 'day')} ` +
          `(${f.requestsPerDay.toFixed(1)}/day, threshold ${formatInteger(f.threshold)}), billed ${formatInteger(f.serviceHours)} service-hours`,
        impact: `${formatUsd(f.windowCost)} in this window`,
      };
    case 'high-latency':
      return {
        message: `p99 latency ${ms(f.p99Ms)} (threshold ${ms(f.thresholdMs)})`,
        impact: `≈${formatInteger(f.requestsOverThreshold)} requests over ${ms(f.thresholdMs)}`,
      };
    case 'high-error-rate':
      return {
        message: `Error rate ${formatPercent(f.errorRate)} (threshold ${formatPercent(f.threshold)})`,
        impact: `${formatInteger(f.failedRequests)} failed requests, ${formatUsd(f.costOfFailed)} spent on them`,
      };
    case 'auth-denied':
      return {
        message:
          `${formatInteger(f.denied)} requests (${formatPercent(f.share)}) denied by the auth policy` +
          (f.spike
            ? `; spike of ${formatInteger(f.spike.actual)} on ${f.spike.date} (usual ${formatInteger(f.spike.expected)})`
            : ''),
        impact: 'callers without access, or a policy change',
      };
    case 'large-payload':
      return {
        message:
          `Data processing is ${formatPercent(f.dataShare)} of cost ` +
          `(${formatGb(f.bytes)} GB, ${formatDataSize(f.bytesPerRequest)} per request)`,
        impact: `${formatUsd(f.monthlyDataCost)}/mo on GB processed`,
      };
    case 'cost-regression':
      return {
        message: `Cost up ${formatPercent(f.growth)} on the previous window (${formatUsd(f.before)} → ${formatUsd(f.now)})`,
        impact: `+${formatUsd(f.monthlyIncrease)}/mo at this rate`,
      };
    case 'latency-regression':
      return {
        message: `p99 latency up ${formatPercent(f.growth)} on the previous window (${ms(f.beforeMs)} → ${ms(f.nowMs)})`,
      };
    case 'cost-outlier':
      return {
        message: `${formatUsd(f.costPerMillionRequests)} per million requests, ${(f.costPerMillionRequests / f.fleetMedian).toFixed(1)}× the fleet median (${formatUsd(f.fleetMedian)})`,
        impact: `${formatUsd(f.monthlyCost)}/mo`,
      };
    case 'cost-anomaly':
    case 'request-anomaly':
    case 'latency-anomaly':
    case 'error-rate-anomaly': {
      const a = f.anomaly;
      const value = (v: number): string =>
        a.metric === 'cost'
          ? formatUsd(v)
          : a.metric === 'errorRate'
            ? formatPercent(v)
            : a.metric === 'p99'
              ? ms(v)
              : formatInteger(v);
      const source = a.source === 'aws-cad' ? ' (AWS Cost Anomaly Detection)' : '';
      return {
        message: `${ANOMALY_LABEL[a.metric]} ${value(a.actual)} on ${a.date}, expected ${value(a.expected)}${source}`,
        impact: formatSigned(a.impact, value),
      };
    }
  }
}

function describeFinding(f: FindingData): Finding {
  const { message, impact } = words(f);
  return {
    kind: f.kind,
    severity: f.severity,
    ...(f.service !== undefined ? { service: f.service } : {}),
    message,
    ...(impact !== undefined ? { impact } : {}),
    ...(f.estimatedMonthlySavings !== undefined
      ? { estimatedMonthlySavings: f.estimatedMonthlySavings }
      : {}),
  };
}

/** The report of schema v1: the analysis, its findings in words. */
export function describeReport(analysis: Analysis): Report {
  const findings = analysis.findings.map(describeFinding);
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
