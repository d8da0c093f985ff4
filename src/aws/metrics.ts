/**
 * Optional CloudWatch metrics per service (publish-metrics), so the numbers can be graphed and
 * alarmed on next to Lattice's own metrics.
 */
import {
  CloudWatchClient,
  type MetricDatum,
  PutMetricDataCommand,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import type { Report } from '../model/report.js';
import { clientSettings } from './clients.js';
import type { AwsCredentials } from './credentials.js';
import { awsCall } from './errors.js';

/** @testseam */
export const METRIC_NAMESPACE = 'VPCLattice/CostPerformance';
/** PutMetricData takes up to 1,000 metrics per request; stay well inside the 1 MB body limit too. */
const BATCH = 500;

function metricData(report: Report, timestamp: Date): MetricDatum[] {
  const data: MetricDatum[] = [];
  for (const s of report.services) {
    const dimensions = [{ Name: 'Service', Value: s.name }];
    const put = (name: string, value: number | null | undefined, unit: StandardUnit): void => {
      if (value === null || value === undefined || !Number.isFinite(value)) return;
      data.push({ MetricName: name, Dimensions: dimensions, Timestamp: timestamp, Value: value, Unit: unit });
    };
    put('RequestCount', s.requests, 'Count');
    put('P99LatencyMs', s.latencyMs?.p99, 'Milliseconds');
    put('ErrorRate', s.errorRate * 100, 'Percent');
    put('CostUsd', s.cost.total, 'None');
    put('CostPerMillionRequests', s.costPerMillionRequests, 'None');
  }
  return data;
}

/** Puts the report's per-service numbers into CloudWatch; returns the PutMetricData requests made. */
export async function publishMetrics(
  target: { region: string; credentials?: AwsCredentials },
  report: Report,
  timestamp: Date,
): Promise<number> {
  const data = metricData(report, timestamp);
  const cloudwatch = new CloudWatchClient({ region: target.region, ...clientSettings(target.credentials) });
  let calls = 0;
  try {
    for (let i = 0; i < data.length; i += BATCH) {
      calls += 1;
      await awsCall('cloudwatch:PutMetricData', `Publishing metrics to ${METRIC_NAMESPACE}`, () =>
        cloudwatch.send(
          new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data.slice(i, i + BATCH) }),
        ),
      );
    }
  } finally {
    cloudwatch.destroy();
  }
  return calls;
}
