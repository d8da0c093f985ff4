/**
 * One definition of every record class, missing value and hostile value, proven by running the
 * same generated week through all three engines: the exact reader (JSON.parse per line), the fast
 * path (the WebAssembly kernel) and the Logs Insights query on the test Insights engine, whose rows
 * addRows turns into aggregates. They must build identical day aggregates.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds.js';
import { ID_CHARS, addRows, aggregateQuery } from '../../src/aws/insights-query.js';
import {
  AggregateSet,
  boundDayCallers,
  mergeDay,
  emptyDay,
  noProblems,
  serverErrors,
} from '../../src/model/aggregate.js';
import { CALLERS_PER_SERVICE_DAY, OTHER_CALLER, callerKey } from '../../src/model/callers.js';
import type { DayAggregate } from '../../src/model/aggregate.js';
import type { LatencyHistogram } from '../../src/model/histogram.js';
import { analyzeLocal } from '../../src/pipeline/local.js';
import type { Report } from '../../src/model/report.js';
import { executeQuery, type InputEvent } from '../servers/insights/engine.js';
import { exactOutcome, fastOutcome } from '../helpers/log-diff.js';
import {
  GRPC_SERVICE,
  HTTP_SERVICE,
  MIXED_SERVICE,
  RESOURCE,
  TCP_SERVICE,
  WEEK,
  mixedWeek,
} from '../helpers/mixed-week.js';

const work = mkdtempSync(join(tmpdir(), 'lattice-engines-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const week = mixedWeek();
const file = join(work, 'mixed.log');
writeFileSync(file, week.lines.join('\n') + '\n');

/** Each line as a CloudWatch event, timestamped by its startTime where it has a usable one. */
const events: InputEvent[] = week.lines.map((message) => {
  const ms = Date.parse((JSON.parse(message) as { startTime?: string }).startTime ?? '');
  return { timestamp: Number.isFinite(ms) ? ms : Date.parse('2026-11-18T12:00:00Z'), message };
});

function insights(query = aggregateQuery()): { set: AggregateSet; problems: ReturnType<typeof noProblems> } {
  const set = new AggregateSet();
  const problems = noProblems();
  const rows = executeQuery(query, events, { limit: 100_000 }).rows;
  addRows(rows, set, problems);
  // The pipeline bounds each day once its queries are in (insights.ts scanDays).
  boundDayCallers(set.days.values());
  return { set, problems };
}

function snapshot(set: AggregateSet): unknown[] {
  return [...set.days.values()]
    .map((d) =>
      JSON.parse(
        JSON.stringify({ ...d, latency: d.latency.toJSON(), connectionMs: d.connectionMs.toJSON() }),
      ),
    )
    .sort((a, b) => (a.serviceArn + a.day < b.serviceArn + b.day ? -1 : 1));
}

function week_(set: AggregateSet, arn: string): DayAggregate {
  const total = emptyDay(arn, '');
  for (const day of WEEK) {
    const d = set.days.get(`${arn}\n${day}`);
    if (d) mergeDay(total, d);
  }
  return total;
}

/** The exact nearest-rank quantile. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function expectWithin1Percent(h: LatencyHistogram, values: number[]): void {
  for (const q of [0.5, 0.9, 0.99]) {
    const exact = nearestRank(values, q);
    expect(Math.abs(h.quantile(q)! - exact)).toBeLessThanOrEqual(exact * 0.01);
  }
}

describe('the three engines on a week of every record class and hostile values', () => {
  let exact: AggregateSet;
  let report: Report;

  beforeAll(async () => {
    const { aggregateLogs } = await import('../../src/logs/reader.js');
    exact = (await aggregateLogs([file], { fast: false })).aggregates;
    report = (
      await analyzeLocal({
        logs: [file],
        thresholds: DEFAULT_THRESHOLDS,
        now: new Date('2026-11-25T00:00:00Z'),
      })
    ).report;
  });

  it('build identical day aggregates', async () => {
    const fast = await fastOutcome([file]);
    const slow = await exactOutcome([file]);
    expect(fast.days).toEqual(slow.days);
    expect(fast.summary?.malformed).toBe(week.malformed);
    const { set, problems } = insights();
    expect(snapshot(set)).toEqual(snapshot(exact));
    // Every hostile line is left out by Logs Insights too, as no day or an invalid value.
    expect(problems.noDay + problems.invalid).toBe(week.malformed);
    expect(problems.noHour).toBe(0);
  });

  it('give identical callers that add up to each day, bounded per service and day', () => {
    const { set } = insights();
    const callers = (from: AggregateSet): unknown =>
      [...from.days.values()]
        .map((d) => [d.serviceArn, d.day, [...d.callers].sort(([a], [b]) => (a < b ? -1 : 1))])
        .sort((a, b) => (`${a[0]}${a[1]}` < `${b[0]}${b[1]}` ? -1 : 1));
    expect(callers(set)).toEqual(callers(exact));
    let bounded = 0;
    for (const d of exact.days.values()) {
      const list = [...d.callers.values()];
      expect(list.reduce((s, c) => s + c.requests, 0)).toBe(d.requests);
      expect(list.reduce((s, c) => s + c.bytes, 0)).toBe(d.bytesIn + d.bytesOut);
      expect(list.reduce((s, c) => s + c.errors, 0)).toBe(serverErrors(d));
      expect(d.callers.size).toBeLessThanOrEqual(CALLERS_PER_SERVICE_DAY);
      if (d.callers.has(OTHER_CALLER)) bounded++;
      // Only validated parts: a hostile field leaves the caller unknown.
      for (const key of d.callers.keys())
        expect(key).toMatch(/^(?:other|(?:\d{12}\/vpc-[0-9a-f]+|-)\|(?:\d{12}|-))$/);
    }
    // The long tail of VPCs overflows the bound on the busy days of the HTTP service.
    expect(bounded).toBeGreaterThan(0);
    const http = week_(exact, HTTP_SERVICE).callers;
    expect(http.get(callerKey('-', '-'))?.requests).toBeGreaterThan(0);
    expect(http.get('111122223333/vpc-0aaaaaaaaaaaaaaa1|111122223333')?.requests).toBeGreaterThan(0);
    expect(http.get('444455556666/vpc-12345678|555566667777')?.requests).toBeGreaterThan(0);
    expect(http.get('111122223333/vpc-0bbbbbbbbbbbbbbb2|-')?.requests).toBeGreaterThan(0);
  });

  it('count each class exactly', () => {
    for (const [arn, e] of week.expected) {
      const agg = week_(exact, arn);
      expect({
        arn,
        records: agg.requests,
        connections: agg.connections,
        grpcCalls: agg.grpcCalls,
        serverErrors: serverErrors(agg),
        noDuration: agg.noDuration,
        latencySamples: agg.latency.count,
        connectionSamples: agg.connectionMs.count,
      }).toEqual({
        arn,
        records: e.records,
        connections: e.connections,
        grpcCalls: e.grpcCalls,
        serverErrors: e.serverErrors,
        noDuration: e.noDuration,
        latencySamples: e.latencies.length,
        connectionSamples: e.connectionDurations.length,
      });
    }
  });

  it('give latency of requests and calls within 1 %, and connection lifetimes apart', () => {
    for (const arn of [HTTP_SERVICE, GRPC_SERVICE, MIXED_SERVICE]) {
      expectWithin1Percent(week_(exact, arn).latency, week.expected.get(arn)!.latencies);
    }
    for (const arn of [TCP_SERVICE, MIXED_SERVICE]) {
      expectWithin1Percent(week_(exact, arn).connectionMs, week.expected.get(arn)!.connectionDurations);
    }
    expect(week_(exact, TCP_SERVICE).latency.count).toBe(0);
  });

  it('never judge a connection lifetime as latency, and rate errors over requests and calls only', () => {
    const latency = report.findings.filter((f) => f.kind === 'high-latency').map((f) => f.service);
    expect(latency).not.toContain(TCP_SERVICE);
    expect(latency).not.toContain(MIXED_SERVICE);
    const tcp = report.services.find((s) => s.arn === TCP_SERVICE)!;
    expect(tcp.latencyMs).toBeNull();
    expect(tcp.connectionMs!.p99).toBeGreaterThan(60_000);
    expect(tcp.errorRate).toBe(0);
    const mixed = report.services.find((s) => s.arn === MIXED_SERVICE)!;
    const e = week.expected.get(MIXED_SERVICE)!;
    expect(mixed.errorRate).toBeCloseTo(e.serverErrors / (e.records - e.connections), 6);
    const grpc = report.services.find((s) => s.arn === GRPC_SERVICE)!;
    expect(grpc.grpcErrors).toBeGreaterThan(0);
    expect(grpc.errorRate).toBeGreaterThan(0.1);
  });

  it('report the resource configuration as its own row, priced per hour and per GB', () => {
    expect(report.services.map((s) => s.arn)).not.toContain(RESOURCE);
    const [resource] = report.resourceConfigurations;
    const e = week.expected.get(RESOURCE)!;
    expect(resource).toMatchObject({
      arn: RESOURCE,
      id: 'rcfg-0abcabcabcabcab56',
      connections: e.records,
      connectionMs: null,
    });
    expect(resource!.cost.hours).toBe(7 * 24 * 0.1);
    const gb = (resource!.bytesIn + resource!.bytesOut) / 1024 ** 3;
    expect(resource!.cost.data).toBeCloseTo(gb * 0.01, 2);
  });

  it('split by id into parts whose union is the whole', () => {
    const whole = insights();
    const union = new AggregateSet();
    const half = Math.ceil(ID_CHARS.length / 2);
    for (const chars of [ID_CHARS.slice(0, half), ID_CHARS.slice(half)]) {
      const part = insights(aggregateQuery({ prefix: '', chars }));
      union.merge(part.set);
    }
    expect(snapshot(union)).toEqual(snapshot(whole.set));
    // The filter stays short whatever the number of services.
    expect(aggregateQuery({ prefix: '0a1b2c3d4e5f6071', chars: ID_CHARS }).length).toBeLessThan(10_000);
  });
});
