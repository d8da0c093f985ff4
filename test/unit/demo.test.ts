import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BYTES_PER_GB } from '../../src/model/costs.js';
import { DEFAULT_PRICES } from '../../src/analysis/prices.js';
import { parseLine } from '../../src/logs/record.js';
import { ACCESS_LOG_FIELDS, type AccessLogRecord } from '../../src/model/record.js';
import { accessLogLine, generateDemo, writeSampleLog, type DemoResult } from '../../src/demo/generate.js';
import { DEMO_SERVICE_COUNT, demoMesh } from '../../src/demo/mesh.js';
import { Random, hashSeed } from '../../src/demo/random.js';

const PRICES = DEFAULT_PRICES['us-east-1']!;
const DNS_NAME = /^([a-z0-9-]+)-([0-9a-f]{17})\.[0-9a-f]{7}\.vpc-lattice-svcs\.us-east-1\.on\.aws$/;
const NUMERIC_FIELDS = [
  'responseCode',
  'bytesReceived',
  'bytesSent',
  'duration',
  'requestToTargetDuration',
  'responseFromTargetDuration',
] as const;

interface ServiceStats {
  requests: number;
  serverErrors: number;
  authDenied: number;
  bytes: number;
  durations: number[];
  requestsByDay: Map<string, number>;
  bytesByDay: Map<string, number>;
  requestsByHour: number[];
  maxPerServiceHour: Map<string, number>;
}

interface Scan {
  records: AccessLogRecord[];
  failures: string[];
  /** Every 200th raw line and every auth-denied one, decoded, for field-level checks. */
  sampled: Array<Record<string, unknown>>;
  denied: Array<Record<string, unknown>>;
  services: Map<string, ServiceStats>;
  bytesByDay: Map<string, number>;
}

async function readLines(file: string): Promise<string[]> {
  const text = gunzipSync(await readFile(file)).toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n');
}

function serviceName(record: AccessLogRecord): string {
  const match = DNS_NAME.exec(record.hostHeader ?? '');
  if (!match) throw new Error(`unexpected hostHeader ${record.hostHeader}`);
  return match[1]!;
}

async function scan(files: readonly string[]): Promise<Scan> {
  const result: Scan = {
    records: [],
    failures: [],
    sampled: [],
    denied: [],
    services: new Map(),
    bytesByDay: new Map(),
  };
  let n = 0;
  for (const file of files) {
    for (const line of await readLines(file)) {
      const parsed = parseLine(line);
      if (!parsed.ok) {
        result.failures.push(`${file}:${parsed.reason}`);
        continue;
      }
      const record = parsed.record;
      result.records.push(record);
      if (n++ % 200 === 0) result.sampled.push(JSON.parse(line) as Record<string, unknown>);
      if (record.authDenied) result.denied.push(JSON.parse(line) as Record<string, unknown>);

      const name = serviceName(record);
      let stats = result.services.get(name);
      if (!stats) {
        stats = {
          requests: 0,
          serverErrors: 0,
          authDenied: 0,
          bytes: 0,
          durations: [],
          requestsByDay: new Map(),
          bytesByDay: new Map(),
          requestsByHour: new Array<number>(24).fill(0),
          maxPerServiceHour: new Map(),
        };
        result.services.set(name, stats);
      }
      const bytes = record.bytesReceived + record.bytesSent;
      stats.requests += 1;
      stats.bytes += bytes;
      if ((record.responseCode ?? 0) >= 500) stats.serverErrors += 1;
      if (record.authDenied) stats.authDenied += 1;
      else if (record.duration !== null) stats.durations.push(record.duration);
      stats.requestsByDay.set(record.day, (stats.requestsByDay.get(record.day) ?? 0) + 1);
      stats.bytesByDay.set(record.day, (stats.bytesByDay.get(record.day) ?? 0) + bytes);
      stats.requestsByHour[record.hour]! += 1;
      const hourKey = `${record.day}T${record.hour}`;
      stats.maxPerServiceHour.set(hourKey, (stats.maxPerServiceHour.get(hourKey) ?? 0) + 1);
      result.bytesByDay.set(record.day, (result.bytesByDay.get(record.day) ?? 0) + bytes);
    }
  }
  return result;
}

/** Exact nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** How far `value` sits from `history` in robust standard deviations (median / MAD). */
function robustZ(value: number, history: number[]): number {
  const m = median(history);
  const mad = median(history.map((x) => Math.abs(x - m)));
  return (value - m) / (1.4826 * mad);
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

const DAYS = Array.from({ length: 14 }, (_, i) =>
  new Date(Date.UTC(2026, 10, 9 + i)).toISOString().slice(0, 10),
);
const SPIKE_DAY = '2026-11-20';
const isWeekend = (day: string): boolean => [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());

let workDir: string;
let demo: DemoResult;
let data: Scan;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'lattice-demo-'));
  demo = await generateDemo({ outDir: join(workDir, 'first') });
  data = await scan(demo.files);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe('generateDemo: layout', () => {
  it('covers 14 fixed UTC days with the last 7 as the analysis window', () => {
    expect(demo).toMatchObject({ start: '2026-11-09', end: '2026-11-23', analysisStart: '2026-11-16' });
    expect(demo.logDir).toBe(join(workDir, 'first', 'logs'));
    expect(demo.costsFile).toBe(join(workDir, 'first', 'cost-and-usage.json'));
  });

  it('writes gzip JSONL per day and six-hour batch, like an S3 delivery', async () => {
    expect(demo.files).toHaveLength(14 * 4);
    expect([...demo.files].sort()).toEqual(demo.files);
    for (const file of demo.files) {
      expect(relative(demo.logDir, file)).toMatch(
        /^2026\/11\/(09|1\d|2[0-2])\/[\w-]+_\d{8}T\d{4}Z_[0-9a-f]{8}\.log\.gz$/,
      );
    }
    const head = (await readFile(demo.files[0]!)).subarray(0, 2);
    expect([...head]).toEqual([0x1f, 0x8b]);
  });
});

describe('generateDemo: determinism', () => {
  it('draws different traffic from another seed (same code path, smaller run)', async () => {
    const path = (seed: number) => join(workDir, 'seeds', `${seed}.jsonl`);
    await writeSampleLog(path(1), { records: 2_000, days: 1 });
    await writeSampleLog(path(2), { records: 2_000, days: 1, seed: 2 });
    expect(await sha256(path(1))).not.toBe(await sha256(path(2)));
  });
});

describe('generateDemo: records', () => {
  it('every line parses as a Lattice access-log record', () => {
    expect(data.failures).toEqual([]);
    expect(data.records).toHaveLength(demo.records);
  });

  it('has every field of the real record, in the real order, with JSON numbers', () => {
    expect(data.sampled.length).toBeGreaterThan(1000);
    for (const fields of data.sampled) {
      expect(Object.keys(fields)).toEqual(ACCESS_LOG_FIELDS);
      for (const name of NUMERIC_FIELDS) {
        expect(typeof fields[name] === 'number' || fields[name] === '-').toBe(true);
      }
      expect(fields.startTime).toMatch(/^2026-11-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(fields.hostHeader).toMatch(DNS_NAME);
      expect(fields.serverNameIndication).toBe(fields.hostHeader);
      // The id in the DNS name is the service's id.
      const hex = DNS_NAME.exec(String(fields.hostHeader))![2];
      expect(fields.serviceArn).toBe(`arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${hex}`);
      expect(fields.serviceNetworkArn).toMatch(
        /^arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork\/sn-[0-9a-f]{17}$/,
      );
      if (fields.authDeniedReason === '-') {
        const duration = fields.duration as number;
        const toTarget = fields.requestToTargetDuration as number;
        const fromTarget = fields.responseFromTargetDuration as number;
        expect(duration).toBeGreaterThanOrEqual(toTarget + fromTarget);
        expect(fields.targetGroupArn).toMatch(/:targetgroup\/tg-[0-9a-f]{17}$/);
      }
    }
  });

  it('has at least 8 services with believable names and ids', () => {
    expect(data.services.size).toBeGreaterThanOrEqual(8);
    for (const name of ['checkout-api', 'orders-api', 'search-api', 'inventory-svc', 'media-export']) {
      expect(data.services.has(name)).toBe(true);
    }
    for (const service of demoMesh().services) expect(service.id).toMatch(/^svc-[0-9a-f]{17}$/);
  });

  it('sends 100-150 thousand requests a week, never near the hourly free tier', () => {
    const firstWeek = data.records.filter((r) => r.day < '2026-11-16').length;
    const secondWeek = data.records.length - firstWeek;
    for (const week of [firstWeek, secondWeek]) {
      expect(week).toBeGreaterThan(100_000);
      expect(week).toBeLessThan(150_000);
    }
    for (const stats of data.services.values()) {
      expect(Math.max(...stats.maxPerServiceHour.values())).toBeLessThan(PRICES.freeRequestsPerHour);
    }
  });

  it('follows a diurnal curve and a weekday/weekend pattern', () => {
    const checkout = data.services.get('checkout-api')!;
    expect(checkout.requestsByHour[18]!).toBeGreaterThan(3 * checkout.requestsByHour[6]!);
    const orders = data.services.get('orders-api')!;
    const weekday = median(DAYS.filter((d) => !isWeekend(d)).map((d) => orders.requestsByDay.get(d)!));
    const weekend = median(DAYS.filter(isWeekend).map((d) => orders.requestsByDay.get(d)!));
    expect(weekend).toBeLessThan(0.85 * weekday);
  });
});

describe('generateDemo: the anomalies the report should find', () => {
  it('checkout-api is busy and healthy: p50 near 28 ms', () => {
    const checkout = data.services.get('checkout-api')!;
    expect(percentile(checkout.durations, 50)).toBeGreaterThanOrEqual(20);
    expect(percentile(checkout.durations, 50)).toBeLessThanOrEqual(36);
    expect(percentile(checkout.durations, 99)).toBeLessThan(500);
    expect(checkout.serverErrors / checkout.requests).toBeLessThan(0.01);
  });

  it('legacy-reports is idle: fewer than 15 requests every day', () => {
    const legacy = data.services.get('legacy-reports')!;
    for (const day of DAYS) expect(legacy.requestsByDay.get(day) ?? 0).toBeLessThan(15);
    expect(legacy.requests).toBeGreaterThan(0);
  });

  it('search-api is slow: p99 well above 500 ms, around 1.2 s', () => {
    const p99 = percentile(data.services.get('search-api')!.durations, 99);
    expect(p99).toBeGreaterThan(800);
    expect(p99).toBeLessThan(2000);
  });

  it('only search-api breaks the 500 ms p99 threshold', () => {
    for (const [name, stats] of data.services) {
      if (name !== 'search-api') expect(percentile(stats.durations, 99)).toBeLessThan(500);
    }
  });

  it('inventory-svc fails about 4 % of requests with a 5xx, and is bimodal', () => {
    const inventory = data.services.get('inventory-svc')!;
    const rate = inventory.serverErrors / inventory.requests;
    expect(rate).toBeGreaterThan(0.02);
    expect(rate).toBeLessThan(0.08);
    // Cache hits under 20 ms, misses over 40 ms, few in between.
    const hits = inventory.durations.filter((d) => d < 20).length / inventory.durations.length;
    const between = inventory.durations.filter((d) => d >= 20 && d < 40).length / inventory.durations.length;
    expect(hits).toBeGreaterThan(0.6);
    expect(between).toBeLessThan(0.1);
  });

  it('partner-gateway has auth denials: 403, a reason, no target', () => {
    const partner = data.services.get('partner-gateway')!;
    const share = partner.authDenied / partner.requests;
    expect(share).toBeGreaterThan(0.01);
    expect(share).toBeLessThan(0.1);
    expect(data.denied.length).toBe(partner.authDenied);
    for (const fields of data.denied) {
      expect(fields.responseCode).toBe(403);
      expect(typeof fields.authDeniedReason).toBe('string');
      expect(fields.authDeniedReason).not.toBe('-');
      expect(fields.targetGroupArn).toBe('-');
      expect(fields.targetIpPort).toBe('-');
      expect(String(fields.hostHeader)).toMatch(/^partner-gateway-/);
    }
  });

  it('media-export is dominated by data processing', () => {
    const media = data.services.get('media-export')!;
    const dataCost = (media.bytes / BYTES_PER_GB) * PRICES.perGB;
    const hoursCost = 14 * 24 * PRICES.serviceHour;
    expect(dataCost / (dataCost + hoursCost)).toBeGreaterThan(0.55);
    expect(
      median(data.records.filter((r) => serviceName(r) === 'media-export').map((r) => r.bytesSent)),
    ).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('has a spike on 2026-11-20: media-export bytes about 3x, checkout-api requests about 2.5x', () => {
    const media = data.services.get('media-export')!;
    const checkout = data.services.get('checkout-api')!;
    const otherWeekdays = DAYS.filter((d) => d !== SPIKE_DAY && !isWeekend(d));
    const bytesRatio =
      media.bytesByDay.get(SPIKE_DAY)! / median(otherWeekdays.map((d) => media.bytesByDay.get(d)!));
    const requestRatio =
      checkout.requestsByDay.get(SPIKE_DAY)! /
      median(otherWeekdays.map((d) => checkout.requestsByDay.get(d)!));
    expect(bytesRatio).toBeGreaterThan(2.6);
    expect(bytesRatio).toBeLessThan(3.4);
    expect(requestRatio).toBeGreaterThan(2.1);
    expect(requestRatio).toBeLessThan(2.9);
  });

  it('the spike stands out to a median/MAD detector over daily cost', () => {
    const dailyCost = (bytes: number, services: number) =>
      services * 24 * PRICES.serviceHour + (bytes / BYTES_PER_GB) * PRICES.perGB;
    const media = data.services.get('media-export')!;
    const mediaCost = (d: string) => dailyCost(media.bytesByDay.get(d)!, 1);
    const totalCost = (d: string) => dailyCost(data.bytesByDay.get(d)!, data.services.size);
    const history = DAYS.filter((d) => d !== SPIKE_DAY);
    expect(robustZ(mediaCost(SPIKE_DAY), history.map(mediaCost))).toBeGreaterThan(5);
    expect(robustZ(totalCost(SPIKE_DAY), history.map(totalCost))).toBeGreaterThan(5);
    // And no other day would be flagged as a spike.
    for (const day of history) {
      expect(robustZ(mediaCost(day), DAYS.filter((d) => d !== day).map(mediaCost))).toBeLessThan(3.5);
    }
  });
});

interface CostGroup {
  Keys: string[];
  Metrics: { UnblendedCost: { Amount: string; Unit: string } };
}
interface CostResult {
  TimePeriod: { Start: string; End: string };
  Total: Record<string, unknown>;
  Groups: CostGroup[];
  Estimated: boolean;
}
interface CostFile {
  GroupDefinitions: Array<{ Type: string; Key: string }>;
  ResultsByTime: CostResult[];
  DimensionValueAttributes: unknown[];
}

describe('generateDemo: cost-and-usage.json', () => {
  let costs: CostFile;
  beforeAll(async () => {
    costs = JSON.parse(await readFile(demo.costsFile, 'utf8')) as CostFile;
  });

  it('has the shape aws ce get-cost-and-usage prints when grouped by usage type', () => {
    expect(Object.keys(costs)).toEqual(['GroupDefinitions', 'ResultsByTime', 'DimensionValueAttributes']);
    expect(costs.GroupDefinitions).toEqual([{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }]);
    expect(costs.DimensionValueAttributes).toEqual([]);
    expect(costs.ResultsByTime.map((r) => r.TimePeriod.Start)).toEqual(DAYS);
    expect(costs.ResultsByTime.map((r) => r.TimePeriod.End)).toEqual([...DAYS.slice(1), '2026-11-23']);
    expect(costs.ResultsByTime.map((r) => r.Estimated)).toEqual(DAYS.map((_, i) => i >= 12));
    for (const result of costs.ResultsByTime) {
      expect(result.Total).toEqual({});
      expect(result.Groups).toHaveLength(3);
      for (const group of result.Groups) {
        expect(group.Keys).toHaveLength(1);
        expect(group.Keys[0]).toMatch(/^USE1-VPCLattice-/);
        expect(group.Metrics.UnblendedCost.Unit).toBe('USD');
        expect(group.Metrics.UnblendedCost.Amount).toMatch(/^\d+(\.\d{1,10})?$/);
      }
    }
  });

  it('amounts match the modelled usage of the generated traffic, data drifting by at most 2 %', () => {
    const amountOf = (result: CostResult, pattern: RegExp) =>
      Number(result.Groups.find((g) => pattern.test(g.Keys[0]!))!.Metrics.UnblendedCost.Amount);
    let billed = 0;
    let modelled = 0;
    const drifts: number[] = [];
    for (const result of costs.ResultsByTime) {
      const day = result.TimePeriod.Start;
      const hours = DEMO_SERVICE_COUNT * 24 * PRICES.serviceHour;
      const dataCost = (data.bytesByDay.get(day)! / BYTES_PER_GB) * PRICES.perGB;
      expect(amountOf(result, /Hour/)).toBeCloseTo(hours, 8);
      expect(amountOf(result, /Request/)).toBe(0);
      const drift = amountOf(result, /Data|Bytes/) / dataCost - 1;
      expect(Math.abs(drift)).toBeLessThanOrEqual(0.0201);
      drifts.push(drift);
      billed += result.Groups.reduce((sum, g) => sum + Number(g.Metrics.UnblendedCost.Amount), 0);
      modelled += hours + dataCost;
    }
    expect(Math.abs(billed / modelled - 1)).toBeLessThan(0.03);
    // The drift is there to be reconciled: visible, not the same every day.
    expect(Math.max(...drifts.map(Math.abs))).toBeGreaterThan(0.005);
    expect(new Set(drifts.map((d) => d.toFixed(6))).size).toBeGreaterThan(10);
  });
});

describe('writeSampleLog', () => {
  it('writes exactly N records over the given days and services, gzip when asked', async () => {
    const path = join(workDir, 'sample', 'bench.jsonl.gz');
    const { bytes } = await writeSampleLog(path, { records: 20_000, days: 3, services: 12, seed: 3 });
    expect(bytes).toBe((await stat(path)).size);
    const raw = await readFile(path);
    expect([...raw.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    const lines = gunzipSync(raw).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(20_000);
    const records = lines.map((line) => {
      const parsed = parseLine(line);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.record;
    });
    expect(new Set(records.map((r) => r.day))).toEqual(new Set(['2026-11-09', '2026-11-10', '2026-11-11']));
    const names = new Set(records.map(serviceName));
    expect(names.size).toBe(12);
    expect(names.has('checkout-api-2')).toBe(true);
    // Time-ordered, as a log stream is.
    const times = lines.map((line) => (JSON.parse(line) as { startTime: string }).startTime);
    expect([...times].sort()).toEqual(times);
  });

  it('writes plain JSONL, deterministically, from any start day', async () => {
    const a = join(workDir, 'sample', 'a.jsonl');
    const b = join(workDir, 'sample', 'b.jsonl');
    const options = { records: 5_000, days: 2, services: 4, startDay: '2027-01-30', gzip: false };
    await writeSampleLog(a, options);
    await writeSampleLog(b, options);
    expect(await sha256(a)).toBe(await sha256(b));
    const lines = (await readFile(a, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(5_000);
    expect(lines[0]!.startsWith('{"serviceNetworkArn":')).toBe(true);
    const days = new Set(lines.map((l) => (JSON.parse(l) as { startTime: string }).startTime.slice(0, 10)));
    expect(days).toEqual(new Set(['2027-01-30', '2027-01-31']));
  });

  it('handles zero records and rejects nonsense', async () => {
    const path = join(workDir, 'sample', 'empty.jsonl');
    await writeSampleLog(path, { records: 0 });
    expect(await readFile(path, 'utf8')).toBe('');
    await expect(writeSampleLog(path, { records: -1 })).rejects.toThrow(/records/);
    await expect(writeSampleLog(path, { records: 10, services: 0 })).rejects.toThrow(/services/);
  });
});

describe('accessLogLine', () => {
  it('writes every field in the real order, "-" for those not given', () => {
    const line = accessLogLine({
      serviceArn: 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0',
      startTime: '2026-11-09T10:00:00Z',
      responseCode: 200,
      duration: 12,
    });
    const fields = JSON.parse(line) as Record<string, unknown>;
    expect(Object.keys(fields)).toEqual(ACCESS_LOG_FIELDS);
    expect(fields.responseCode).toBe(200);
    expect(fields.bytesSent).toBe('-');
    expect(fields.userAgent).toBe('-');
    expect(line).not.toContain('\n');
    expect(parseLine(line).ok).toBe(true);
  });

  it('escapes whatever a client sends', () => {
    const hostile = 'evil"\n\\<script>@team\u0000';
    const line = accessLogLine({ serviceArn: 'x', startTime: 'y', userAgent: hostile, requestPath: hostile });
    expect(line).not.toContain('\n');
    const fields = JSON.parse(line) as Record<string, unknown>;
    expect(fields.userAgent).toBe(hostile);
    expect(fields.requestPath).toBe(hostile);
  });
});

describe('Random', () => {
  it('is reproducible and roughly uniform', () => {
    const a = new Random(hashSeed('x', 1));
    const b = new Random(hashSeed('x', 1));
    const draws = Array.from({ length: 10_000 }, () => a.next());
    expect(draws.every((x) => x === b.next())).toBe(true);
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
  });

  it('draws lognormal values around their median and Poisson counts around their mean', () => {
    const rng = new Random(42);
    const samples = Array.from({ length: 20_000 }, () => rng.lognormal(100, 0.5));
    expect(median(samples)).toBeGreaterThan(95);
    expect(median(samples)).toBeLessThan(105);
    for (const mean of [3, 12, 400]) {
      const counts = Array.from({ length: 5_000 }, () => rng.poisson(mean));
      const average = counts.reduce((s, x) => s + x, 0) / counts.length;
      expect(Math.abs(average - mean)).toBeLessThan(0.05 * mean + 0.1);
    }
  });
});
