/**
 * Benchmark, not a test (`npm run bench:insights`): the Logs Insights scan of an organization's
 * estate on the test Insights engine. It prints bytes scanned against the window's log bytes,
 * queries, rows, wall time, and the worst percentile error against exact percentiles of the same
 * events. The world is `sample`'s: SCALE_SERVICES services over SCALE_DAYS days, SCALE_RECORDS
 * records; SCALE_ROW_LIMIT sets StartQuery's limit (default its maximum, 100,000).
 *
 * SCALE_BASELINE=<git ref> also runs that commit's scan (its src/ extracted into .tmp/) on the same
 * engine first, so today's figures and the ref's are printed side by side in one run.
 *
 *   npm run bench:insights                                   2,000 services x 30 days
 *   SCALE_SERVICES=6 SCALE_RECORDS=100000 npm run bench:insights
 *   SCALE_ROW_LIMIT=1000 SCALE_BASELINE=9998edf npm run bench:insights
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { scanDays } from '../../src/aws/insights.js';
import { writeSampleLog } from '../../src/demo/generate.js';
import { addDays, dayRange } from '../../src/model/dates.js';
import type { AggregateSet } from '../../src/model/aggregate.js';
import { LatencyHistogram } from '../../src/model/histogram.js';
import { type InsightsServer, startInsightsServer } from '../servers/insights/server.js';

const SERVICES = Number(process.env.SCALE_SERVICES ?? 2000);
const DAYS = Number(process.env.SCALE_DAYS ?? 30);
const RECORDS = Number(process.env.SCALE_RECORDS ?? 20 * SERVICES * DAYS);
const ROW_LIMIT = process.env.SCALE_ROW_LIMIT ? Number(process.env.SCALE_ROW_LIMIT) : undefined;
const START = '2026-10-01';
const GROUP = '/aws/vendedlogs/lattice/org';
const BASELINE = process.env.SCALE_BASELINE;

let dir: string;
let server: InsightsServer;
let logBytes = 0;
/** Exact nearest-rank p50/p90/p99 of each service's durations over the window. */
const exact = new Map<string, number[]>();
const QUANTILES = [0.5, 0.9, 0.99];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-scale-'));
  const file = join(dir, 'access.jsonl');
  await writeSampleLog(file, {
    records: RECORDS,
    days: DAYS,
    services: SERVICES,
    startDay: START,
    gzip: false,
  });
  server = await startInsightsServer();
  const durations = new Map<string, number[]>();
  const events: Array<{ timestamp: number; message: string }> = [];
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as {
      serviceArn: string;
      startTime: string;
      duration: number | string;
      authDeniedReason: string;
    };
    logBytes += Buffer.byteLength(line);
    events.push({ timestamp: Date.parse(r.startTime), message: line });
    if (r.authDeniedReason === '-' && typeof r.duration === 'number') {
      let list = durations.get(r.serviceArn);
      if (!list) durations.set(r.serviceArn, (list = []));
      list.push(r.duration);
    }
  }
  server.putEvents(GROUP, events);
  for (const [arn, list] of durations) {
    const sorted = Float64Array.from(list).sort();
    exact.set(
      arn,
      QUANTILES.map((q) => sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!),
    );
  }
}, 1_800_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The worst relative error of any service's p50, p90 or p99 over the window. */
function worstPercentileError(aggregates: AggregateSet): number {
  const merged = new Map<string, LatencyHistogram>();
  for (const day of aggregates.days.values()) {
    let h = merged.get(day.serviceArn);
    if (!h) merged.set(day.serviceArn, (h = new LatencyHistogram()));
    h.merge(day.latency);
  }
  let worst = 0;
  for (const [arn, want] of exact) {
    const h = merged.get(arn);
    expect(h).toBeDefined();
    QUANTILES.forEach((q, i) => {
      const got = h!.quantile(q)!;
      worst = Math.max(worst, Math.abs(got - want[i]!) / want[i]!);
    });
  }
  return worst;
}

type Scan = typeof scanDays;

/** `ref`'s scanDays: its src/ extracted next to ours, so it resolves the same node_modules. */
async function baselineScan(ref: string): Promise<Scan> {
  const root = join(process.cwd(), '.tmp', `baseline-${ref.replace(/[^\w.-]/g, '_')}`);
  if (!existsSync(join(root, 'src'))) {
    mkdirSync(root, { recursive: true });
    const archive = execFileSync('git', ['archive', ref, 'src'], { maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', root], { input: archive });
  }
  const module = (await import(join(root, 'src/aws/insights.ts'))) as { scanDays: Scan };
  return module.scanDays;
}

async function measure(label: string, scan: Scan): Promise<void> {
  const logs = new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const splits: string[] = [];
  const started = performance.now();
  const result = await scan(logs, {
    logGroups: [GROUP],
    days: dayRange(START, addDays(START, DAYS)),
    pollMinMs: 2,
    pollMaxMs: 10,
    log: (m) => splits.push(m),
    ...(ROW_LIMIT ? { rowLimit: ROW_LIMIT } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  const error = worstPercentileError(result.aggregates);
  process.stdout.write(
    `\n${label}: Logs Insights, ${SERVICES} services x ${DAYS} days, ${RECORDS.toLocaleString('en-US')} records, ` +
      `${(logBytes / 1e6).toFixed(0)} MB of events, row limit ${ROW_LIMIT ?? 100_000}: ` +
      `${result.queries} queries, bytes scanned ${(result.bytesScanned / logBytes).toFixed(3)}x the log bytes, ` +
      `${seconds.toFixed(1)} s, worst p50/p90/p99 error ${(error * 100).toFixed(2)} % (${splits.length} splits)\n`,
  );
}

it(`scans ${SERVICES} services x ${DAYS} days`, async () => {
  if (BASELINE) await measure(`before (${BASELINE})`, await baselineScan(BASELINE));
  await measure('after', scanDays);
}, 3_600_000);
