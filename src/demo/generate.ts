/**
 * Deterministic sample data: access logs in the real Lattice format laid out like an S3 delivery,
 * and the Cost Explorer answer for the same traffic. Same options, byte-identical files: every
 * random choice comes from a stream seeded by (seed, service, day[, request]), never from the
 * order in which files happen to be written.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { addDays, dayRange } from '../model/dates.js';
import { BYTES_PER_GB } from '../model/costs.js';
import { DEFAULT_PRICES } from '../analysis/prices.js';
import { builtInListPrices, latticePriceListItems, latticeUsageType, priceListAnswer } from './price-list.js';
import {
  DEMO_ANALYSIS_START,
  DEMO_END,
  DEMO_REGION,
  DEMO_START,
  IDLE_MAX_PER_DAY,
  demoMesh,
  type DemoMesh,
  type DemoService,
} from './mesh.js';
import { hashSeed, mixSeed, Random } from './random.js';
import { accessLogLine, demoRequest, utcStartTime } from './records.js';

/** @testseam */
export { accessLogLine } from './records.js';

export interface DemoResult {
  logDir: string;
  costsFile: string;
  /** The region's price list, as GetProducts answers. */
  pricesFile: string;
  start: string;
  end: string;
  analysisStart: string;
  records: number;
  files: string[];
}

const DEFAULT_DEMO_SEED = 1;

/** Usage types as the Amazon VPC billing-codes page names them; the report still discovers them at run time. */
const DEMO_USAGE_TYPES = {
  dataProcessing: latticeUsageType(DEMO_REGION, 'data'),
  requests: latticeUsageType(DEMO_REGION, 'requests'),
  serviceHours: latticeUsageType(DEMO_REGION, 'hours'),
} as const;

const PRICES = DEFAULT_PRICES[DEMO_REGION]!;
const SECONDS_PER_HOUR = 3600;
/** One S3 object per six hours of a day, as a delivery stream batches them. */
const BATCH_HOURS = 6;
/** The demo's Cost Explorer data is still moving for the two most recent days. */
const ESTIMATED_DAYS = 2;
const LINES_PER_CHUNK = 512;
/** Enough file pipelines to keep zlib's thread pool busy while the main thread formats lines. */
const WRITE_CONCURRENCY = 4;

// Sort keys pack (second of day, service index, sequence) into one exact double:
// 86,400 seconds < 2^17, so 17 + 13 + 23 bits fit the 53 of a double's mantissa.
const SEQ_SPAN = 2 ** 23;
const SERVICE_SPAN = 2 ** 13;
/** The most services `sample` writes: an organization's estate, for the scale benchmarks. */
export const SAMPLE_MAX_SERVICES = SERVICE_SPAN;

function isWeekend(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function dayEffect(service: DemoService, day: string): { requestFactor: number; bytesSentFactor: number } {
  const effect = service.effects.find((e) => e.day === day);
  return { requestFactor: effect?.requestFactor ?? 1, bytesSentFactor: effect?.bytesSentFactor ?? 1 };
}

/** Mean requests a service gets on `day`: weekday level, weekend dip, spike. */
function expectedRequests(service: DemoService, day: string): number {
  const level = service.weekdayRequests * (isWeekend(day) ? service.weekendFactor : 1);
  return level * dayEffect(service, day).requestFactor;
}

/** Cumulative share of a day's traffic up to each UTC hour: a cosine around the service's peak. */
function diurnalCumulative(service: DemoService): Float64Array {
  const cumulative = new Float64Array(24);
  let total = 0;
  for (let h = 0; h < 24; h++) {
    total += 1 + service.diurnalAmplitude * Math.cos((2 * Math.PI * (h + 0.5 - service.peakHourUtc)) / 24);
    cumulative[h] = total;
  }
  for (let h = 0; h < 24; h++) cumulative[h]! /= total;
  return cumulative;
}

/** One day's requests as sorted keys; fields are drawn later from each request's own stream. */
interface DayPlan {
  day: string;
  keys: Float64Array;
  /** Requests per service per UTC hour: the free allowance is counted per service per hour. */
  hourly: number[][];
}

function planDay(mesh: DemoMesh, day: string, counts: readonly number[], seed: number): DayPlan {
  const total = counts.reduce((a, b) => a + b, 0);
  const keys = new Float64Array(total);
  const hourly: number[][] = [];
  let k = 0;
  mesh.services.forEach((service, s) => {
    const count = counts[s]!;
    if (count >= SEQ_SPAN) throw new Error(`Too many requests for ${service.name} on ${day}: ${count}`);
    const cumulative = diurnalCumulative(service);
    const rng = new Random(hashSeed(seed, 'times', service.name, day));
    const perHour = new Array<number>(24).fill(0);
    for (let seq = 0; seq < count; seq++) {
      const u = rng.next();
      let hour = 0;
      while (hour < 23 && cumulative[hour]! <= u) hour++;
      perHour[hour]! += 1;
      const second = hour * SECONDS_PER_HOUR + rng.int(0, SECONDS_PER_HOUR);
      keys[k++] = (second * SERVICE_SPAN + s) * SEQ_SPAN + seq;
    }
    hourly.push(perHour);
  });
  keys.sort();
  return { day, keys, hourly };
}

/** Turns planned keys in [from, to) into lines, in time order, tallying bytes as it goes. */
function* dayLines(
  mesh: DemoMesh,
  plan: DayPlan,
  seed: number,
  from: number,
  to: number,
  tally: { bytes: number; records: number },
): Generator<string> {
  const eventSeeds = mesh.services.map((service) => hashSeed(seed, 'events', service.name, plan.day));
  const factors = mesh.services.map((service) => dayEffect(service, plan.day).bytesSentFactor);
  let chunk: string[] = [];
  for (let i = from; i < to; i++) {
    const key = plan.keys[i]!;
    const seq = key % SEQ_SPAN;
    const rest = (key - seq) / SEQ_SPAN;
    const s = rest % SERVICE_SPAN;
    const second = (rest - s) / SERVICE_SPAN;
    const rng = new Random(mixSeed(eventSeeds[s]!, seq));
    const request = demoRequest(
      mesh.services[s]!,
      mesh.networkArn,
      utcStartTime(plan.day, second),
      rng,
      factors[s],
    );
    tally.bytes += request.bytesReceived + request.bytesSent;
    tally.records += 1;
    chunk.push(accessLogLine(request.fields));
    if (chunk.length === LINES_PER_CHUNK) {
      yield chunk.join('\n') + '\n';
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk.join('\n') + '\n';
}

/** First key index at or after `second` (keys are sorted by second first). */
function firstAt(keys: Float64Array, second: number): number {
  const bound = second * SERVICE_SPAN * SEQ_SPAN;
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function writeStreamed(path: string, chunks: Iterable<string>, gzip: boolean): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const source = Readable.from(chunks);
  const sink: Writable = createWriteStream(path);
  // Level 1: the demo is rewritten often and read once; speed matters more than size.
  if (gzip) await pipeline(source, createGzip({ level: 1 }), sink);
  else await pipeline(source, sink);
}

async function runLimited(tasks: ReadonlyArray<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) await tasks[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/** A day's request count per service in the demo: noisy around the expected level. */
function demoCounts(mesh: DemoMesh, day: string, seed: number): number[] {
  return mesh.services.map((service) => {
    const rng = new Random(hashSeed(seed, 'count', service.name, day));
    const mean = expectedRequests(service, day);
    if (mean < 30) {
      const count = rng.poisson(mean);
      return service.weekdayRequests < 30 ? Math.min(count, IDLE_MAX_PER_DAY) : count;
    }
    return Math.round(mean * rng.lognormal(1, 0.05));
  });
}

/** Cost Explorer amounts print as decimal strings with up to 10 places. */
function amount(usd: number): string {
  if (usd === 0) return '0';
  return usd.toFixed(10).replace(/\.?0+$/, '');
}

interface DayUsage {
  day: string;
  services: number;
  bytes: number;
  /** Requests beyond the free allowance, summed over services and hours. */
  billableRequests: number;
}

/**
 * What `aws ce get-cost-and-usage --granularity DAILY --metrics UnblendedCost
 * --group-by Type=DIMENSION,Key=USAGE_TYPE --output json` prints for the demo days.
 */
function costAndUsage(usage: readonly DayUsage[], seed: number): unknown {
  const last = usage.length - ESTIMATED_DAYS;
  return {
    GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
    ResultsByTime: usage.map((u, index) => {
      // The bill never matches the model exactly: ±2 % on data processing gives reconciliation
      // something visible to correct.
      const drift = 1 + (new Random(hashSeed(seed, 'billing', u.day)).next() * 2 - 1) * 0.02;
      const data = (u.bytes / BYTES_PER_GB) * PRICES.perGB * drift;
      const hours = u.services * 24 * PRICES.serviceHour;
      // Always zero here, yet kept as a "0" line: Cost Explorer lists free-tier usage with a zero
      // cost, and it tells the report that the requests usage type exists.
      const requests = (u.billableRequests / 1e6) * PRICES.perMillionRequests;
      const group = (key: string, usd: number) => ({
        Keys: [key],
        Metrics: { UnblendedCost: { Amount: amount(usd), Unit: 'USD' } },
      });
      return {
        TimePeriod: { Start: u.day, End: addDays(u.day, 1) },
        Total: {},
        Groups: [
          group(DEMO_USAGE_TYPES.dataProcessing, data),
          group(DEMO_USAGE_TYPES.requests, requests),
          group(DEMO_USAGE_TYPES.serviceHours, hours),
        ],
        Estimated: index >= last,
      };
    }),
    DimensionValueAttributes: [],
  };
}

function billableRequests(plan: DayPlan): number {
  let billable = 0;
  for (const perHour of plan.hourly) {
    for (const count of perHour) billable += Math.max(0, count - PRICES.freeRequestsPerHour);
  }
  return billable;
}

/**
 * The demo: 14 UTC days (2026-11-09 to 2026-11-23) of the `analytics-mesh` services, as gzip
 * JSONL under `${outDir}/logs/YYYY/MM/DD/`, and `${outDir}/cost-and-usage.json`.
 * 110,000-135,000 requests a week. The busiest service-hour (checkout-api on the spike day) has
 * about 1,000 requests, far under the 300,000 free requests per service per hour, so the request
 * charge is zero: `billableRequests` still counts it rather than assuming so.
 * File names do not depend on the seed, so a rerun overwrites the same files.
 */
export async function generateDemo(options: { outDir: string; seed?: number }): Promise<DemoResult> {
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  const mesh = demoMesh();
  const logDir = join(options.outDir, 'logs');
  const days = dayRange(DEMO_START, DEMO_END);
  const files: string[] = [];
  const tasks: Array<() => Promise<void>> = [];
  const usage: DayUsage[] = [];
  let records = 0;

  for (const day of days) {
    const plan = planDay(mesh, day, demoCounts(mesh, day, seed), seed);
    const dayUsage: DayUsage = {
      day,
      services: mesh.services.length,
      bytes: 0,
      billableRequests: billableRequests(plan),
    };
    usage.push(dayUsage);
    const [year, month, date] = day.split('-') as [string, string, string];
    for (let hour = 0; hour < 24; hour += BATCH_HOURS) {
      const from = firstAt(plan.keys, hour * SECONDS_PER_HOUR);
      const to = firstAt(plan.keys, (hour + BATCH_HOURS) * SECONDS_PER_HOUR);
      const stamp = `${year}${month}${date}T${String(hour).padStart(2, '0')}00Z`;
      const suffix = hashSeed('object', day, hour).toString(16).padStart(8, '0');
      const path = join(
        logDir,
        year,
        month,
        date,
        `${mesh.account}_vpclatticeaccesslogs_${mesh.region}_${stamp}_${suffix}.log.gz`,
      );
      files.push(path);
      tasks.push(async () => {
        const tally = { bytes: 0, records: 0 };
        await writeStreamed(path, dayLines(mesh, plan, seed, from, to, tally), true);
        dayUsage.bytes += tally.bytes;
        records += tally.records;
      });
    }
  }
  await runLimited(tasks, WRITE_CONCURRENCY);

  const costsFile = join(options.outDir, 'cost-and-usage.json');
  await writeFile(costsFile, JSON.stringify(costAndUsage(usage, seed), null, 4) + '\n');
  // The price list `aws pricing get-products` would print for the demo's region.
  const pricesFile = join(options.outDir, 'price-list.json');
  const items = latticePriceListItems(DEMO_REGION, builtInListPrices(DEMO_REGION));
  await writeFile(pricesFile, JSON.stringify(priceListAnswer(items), null, 4) + '\n');
  return {
    logDir,
    costsFile,
    pricesFile,
    start: DEMO_START,
    end: DEMO_END,
    analysisStart: DEMO_ANALYSIS_START,
    records,
    files: files.sort(),
  };
}

/** Splits `total` over weights exactly (largest remainder; ties go to the earlier cell). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const ideal = weights.map((w) => (total * w) / sum);
  const counts = ideal.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = ideal
    .map((x, i) => ({ i, frac: x - Math.floor(x) }))
    .sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (left-- <= 0) break;
    counts[i]! += 1;
  }
  return counts;
}

/**
 * Exactly `records` demo-format lines over `days` days (from `startDay`, default the demo start)
 * for `services` services, time-ordered within each day. Gzip by default when the path ends in .gz.
 */
export async function writeSampleLog(
  path: string,
  options: {
    records: number;
    days?: number;
    services?: number;
    seed?: number;
    gzip?: boolean;
    startDay?: string;
  },
): Promise<{ bytes: number }> {
  const { records } = options;
  const dayCount = options.days ?? 7;
  const serviceCount = options.services ?? 8;
  const seed = options.seed ?? DEFAULT_DEMO_SEED;
  if (!Number.isInteger(records) || records < 0)
    throw new Error(`records must be a whole number: ${records}`);
  if (!Number.isInteger(dayCount) || dayCount < 1) throw new Error(`days must be at least 1: ${dayCount}`);
  if (!Number.isInteger(serviceCount) || serviceCount < 1 || serviceCount > SERVICE_SPAN) {
    throw new Error(`services must be between 1 and ${SERVICE_SPAN}: ${serviceCount}`);
  }
  const mesh = demoMesh(serviceCount);
  const days = dayRange(options.startDay ?? DEMO_START, addDays(options.startDay ?? DEMO_START, dayCount));
  const weights = days.flatMap((day) => mesh.services.map((service) => expectedRequests(service, day)));
  const cells = apportion(records, weights);
  const perDay = days.map((_, d) => cells.slice(d * serviceCount, (d + 1) * serviceCount));

  function* lines(): Generator<string> {
    const tally = { bytes: 0, records: 0 };
    for (let d = 0; d < days.length; d++) {
      const plan = planDay(mesh, days[d]!, perDay[d]!, seed);
      yield* dayLines(mesh, plan, seed, 0, plan.keys.length, tally);
    }
  }
  await writeStreamed(path, lines(), options.gzip ?? path.endsWith('.gz'));
  return { bytes: (await stat(path)).size };
}
