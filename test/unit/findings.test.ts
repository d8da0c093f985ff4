/**
 * Findings as incidents, severity by impact and the one order of findings (analysis/findings.ts).
 */
import { describe, expect, it } from '@jest/globals';
import { anomalySeverity, compareFindings, incidentFindings } from '../../src/analysis/findings.js';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds.js';
import type { Anomaly, FindingData } from '../../src/model/findings.js';

const MEDIA = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0000000000000000a';
const CHECKOUT = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0000000000000000b';
const t = DEFAULT_THRESHOLDS;

function anomaly(fields: Partial<Anomaly> & Pick<Anomaly, 'metric' | 'actual' | 'expected'>): Anomaly {
  return {
    date: '2026-11-20',
    service: MEDIA,
    impact: fields.actual - fields.expected,
    score: 5,
    source: 'detector',
    ...fields,
  };
}

describe('anomalySeverity: severity follows impact', () => {
  it('makes a p99 or error rate within the user threshold info, above it a warning', () => {
    expect(anomalySeverity(anomaly({ metric: 'p99', actual: 476, expected: 261 }), t)).toBe('info');
    expect(anomalySeverity(anomaly({ metric: 'p99', actual: 501, expected: 261 }), t)).toBe('warning');
    expect(anomalySeverity(anomaly({ metric: 'errorRate', actual: 0.009, expected: 0.001 }), t)).toBe('info');
    expect(anomalySeverity(anomaly({ metric: 'errorRate', actual: 0.02, expected: 0.001 }), t)).toBe(
      'warning',
    );
  });

  it('makes a day that cost money a warning, and more traffic alone info', () => {
    expect(anomalySeverity(anomaly({ metric: 'cost', actual: 4.2, expected: 1.78 }), t)).toBe('warning');
    expect(anomalySeverity(anomaly({ metric: 'requests', actual: 13_713, expected: 5_101 }), t)).toBe('info');
    const costly = anomaly({ metric: 'requests', actual: 9e7, expected: 1e6, impactUsd: 8.9 });
    expect(anomalySeverity(costly, t)).toBe('warning');
  });
});

describe('incidentFindings: one finding per service and day', () => {
  const cost = anomaly({ metric: 'cost', actual: 4.2, expected: 1.78, impactUsd: 2.42 });
  const p99 = anomaly({ metric: 'p99', actual: 476, expected: 261 });
  const requests = anomaly({ metric: 'requests', service: CHECKOUT, actual: 13_713, expected: 5_101 });

  it('joins the facets of one service and day, the most severe first', () => {
    const findings = incidentFindings([p99, requests, cost], t);
    expect(findings).toHaveLength(2);
    const media = findings.find((f) => f.service === MEDIA)!;
    expect(media).toMatchObject({ kind: 'cost-anomaly', severity: 'warning', date: '2026-11-20' });
    expect(media.kind === 'cost-anomaly' && media.anomalies).toEqual([cost, p99]);
    const checkout = findings.find((f) => f.service === CHECKOUT)!;
    expect(checkout).toMatchObject({ kind: 'request-anomaly', severity: 'info' });
  });

  it('keeps days apart, and groups account-level anomalies by day', () => {
    const nextDay = { ...p99, date: '2026-11-21' };
    const account = (date: string, where: string): Anomaly => ({
      ...anomaly({ metric: 'cost', actual: 6.64, expected: 5.6, impactUsd: 1.04, source: 'aws-cad' }),
      service: undefined,
      date,
      where,
    });
    const findings = incidentFindings(
      [cost, nextDay, account('2026-11-20', 'B-Hours'), account('2026-11-20', 'A-Bytes')],
      t,
    );
    expect(findings.map((f) => [f.service, 'date' in f ? f.date : ''])).toEqual([
      [MEDIA, '2026-11-20'],
      [MEDIA, '2026-11-21'],
      [undefined, '2026-11-20'],
    ]);
    const facets = findings[2]!.kind === 'cost-anomaly' ? findings[2]!.anomalies : [];
    expect(facets.map((a) => a.where)).toEqual(['A-Bytes', 'B-Hours']);
    expect(findings[1]).toMatchObject({ kind: 'latency-anomaly', severity: 'info' });
  });
});

describe('compareFindings: the one order', () => {
  const names = new Map([
    [MEDIA, 'media-export'],
    [CHECKOUT, 'checkout-api'],
  ]);
  const order = compareFindings((arn) => names.get(arn) ?? arn);
  const idle: FindingData = {
    kind: 'idle-service',
    severity: 'warning',
    service: MEDIA,
    requests: 1,
    windowDays: 7,
    requestsPerDay: 0.1,
    threshold: 100,
    serviceHours: 168,
    windowCost: 4.2,
    estimatedMonthlySavings: 18.25,
  };
  const latency: FindingData = {
    kind: 'high-latency',
    severity: 'warning',
    service: CHECKOUT,
    p99Ms: 900,
    thresholdMs: 500,
    requestsOverThreshold: 10,
  };
  const slower: FindingData = { ...latency, service: MEDIA };
  const critical: FindingData = { ...latency, severity: 'critical', service: MEDIA };

  it('puts the most severe first, then the most money at stake, then the service name', () => {
    const sorted = [latency, slower, idle, critical].sort(order);
    expect(sorted).toEqual([critical, idle, latency, slower]);
  });

  it('is a total order: shuffled input gives one result', () => {
    const all = [latency, slower, idle, critical];
    const reference = [...all].sort(order);
    for (const shuffled of [[...all].reverse(), [idle, latency, critical, slower]]) {
      expect(shuffled.sort(order)).toEqual(reference);
    }
  });
});
