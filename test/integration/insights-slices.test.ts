/**
 * The Logs Insights scan of a world whose days each hold many times the row limit (as an
 * organization's estate does at StartQuery's 100,000), on the test Insights engine: every log byte
 * is scanned about once, and the day aggregates equal the local engine's on the same events.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { scanDays } from '../../src/aws/insights.js';
import { writeSampleLog } from '../../src/demo/generate.js';
import { type AggregateSet, dayToJSON } from '../../src/model/aggregate.js';
import { addDays, dayRange } from '../../src/model/dates.js';
import { aggregateLogs } from '../../src/logs/reader.js';
import { type InsightsServer, startInsightsServer } from '../servers/insights/server.js';

const GROUP = '/aws/vendedlogs/lattice/org';
const START = '2026-10-01';
const DAYS = dayRange(START, addDays(START, 10));
/** About 600 rows a day: ten times the limit. */
const ROW_LIMIT = 60;

let dir: string;
let server: InsightsServer;
let local: AggregateSet;
let logBytes = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-slices-'));
  const file = join(dir, 'access.jsonl');
  await writeSampleLog(file, {
    records: 12_000,
    days: DAYS.length,
    services: 120,
    startDay: START,
    gzip: false,
  });
  server = await startInsightsServer();
  const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  for (const line of lines) logBytes += Buffer.byteLength(line);
  server.putEvents(
    GROUP,
    lines.map((message) => ({
      timestamp: Date.parse((JSON.parse(message) as { startTime: string }).startTime),
      message,
    })),
  );
  local = (await aggregateLogs([file], { fast: false })).aggregates;
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function logs(): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
}

function snapshot(set: AggregateSet): Record<string, unknown> {
  return Object.fromEntries(
    [...set.days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, dayToJSON(v)]),
  );
}

describe('a scan under row-limit pressure', () => {
  it('scans each byte about once, in time slices only, and equals the local engine', async () => {
    const started = server.stats.queries.length;
    const splits: string[] = [];
    const scan = await scanDays(logs(), {
      logGroups: [GROUP],
      days: DAYS,
      rowLimit: ROW_LIMIT,
      pollMinMs: 1,
      pollMaxMs: 5,
      log: (m) => splits.push(m),
    });
    expect(snapshot(scan.aggregates)).toEqual(snapshot(local));
    expect(scan.problems).toEqual({ noDay: 0, invalid: 0, noHour: 0 });
    // The first day is cut whole once (nothing is known yet); after that, slices are planned.
    const ratio = scan.bytesScanned / logBytes;
    console.log(
      `${DAYS.length} days at ${ROW_LIMIT} rows a query: ${scan.queries} queries, bytes scanned ${ratio.toFixed(3)}x the log bytes`,
    );
    expect(ratio).toBeLessThanOrEqual(1.2);
    expect(scan.queries).toBeGreaterThan(DAYS.length * 20);
    const queries = server.stats.queries.slice(started);
    expect(queries.filter((q) => q.queryString.includes('like /:service'))).toEqual([]);
    // Planned from the densest slice, the days after the first need no split.
    expect(splits.filter((m) => !m.includes(`from ${DAYS[0]}T`))).toEqual([]);
  }, 120_000);

  it('plans every day from a density it is given, so no range is scanned twice', async () => {
    const first = await scanDays(logs(), {
      logGroups: [GROUP],
      days: DAYS.slice(0, 2),
      rowLimit: ROW_LIMIT,
      pollMinMs: 1,
      pollMaxMs: 5,
    });
    const rowsPerSecond = Math.max(...[...first.chunks.values()].map((c) => c.rowsPerSecond));
    expect(rowsPerSecond).toBeGreaterThan(0);
    const day = DAYS.at(-1)!;
    const splits: string[] = [];
    const warm = await scanDays(logs(), {
      logGroups: [GROUP],
      days: [day],
      rowLimit: ROW_LIMIT,
      rowsPerSecond,
      pollMinMs: 1,
      pollMaxMs: 5,
      log: (m) => splits.push(m),
    });
    expect(splits).toEqual([]);
    const dayBytes = (await readFile(join(dir, 'access.jsonl'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes(`"startTime":"${day}T`))
      .reduce((sum, l) => sum + Buffer.byteLength(l), 0);
    expect(warm.bytesScanned).toBe(dayBytes);
  }, 60_000);
});
