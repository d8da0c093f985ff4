/**
 * The offline pipeline: local log files (and optionally a Cost Explorer export) to a report.
 * The action's AWS pipeline feeds the same aggregates into the same buildReport.
 */
import { readFile } from 'node:fs/promises';
import { type BilledCosts, type PriceTable } from '../model/costs.js';
import { parseCostAndUsage } from '../aws/cost-and-usage.js';
import { addDays, dayRange, previousWindow, todayUtc } from '../model/dates.js';
import { parsePriceOverrides } from '../analysis/prices.js';
import { type PriceList, isPriceList, parsePriceList } from '../analysis/price-list.js';
import type { Thresholds } from '../analysis/thresholds.js';
import {
  DEFAULT_WINDOW_DAYS,
  chooseWindow,
  defaultWindowDays,
  keptFromAtLeast,
  leftOutWarning,
} from '../analysis/window.js';
import { DataError, UsageError } from '../errors.js';
import { type ReadProgress, aggregateLogs } from '../logs/reader.js';
import type { AggregateSet } from '../model/aggregate.js';
import type { DuplicatePath } from '../logs/paths.js';
import { buildAnalysis } from '../analysis/build.js';
import { describeReport } from '../report/findings.js';
import type { Report } from '../model/report.js';
import { assertValidReport } from '../report/validate.js';
import { TOOL } from '../version.js';
import { collectGarbage, collectGarbageIfGrown } from './memory.js';

export interface LocalAnalysis {
  logs: string[];
  costsFile?: string;
  pricesFile?: string;
  costMetric?: string;
  region?: string;
  start?: string;
  end?: string;
  thresholds: Thresholds;
  onProgress?: (progress: ReadProgress) => void;
  /** Lets large files be scanned on several threads; see AggregateOptions.workerScript. */
  workerScript?: URL;
  /** Threads for scanning, the calling one included (default: the available cores). */
  threads?: number;
  now?: Date;
}

export interface LocalResult {
  report: Report;
  stats: { bytesRead: number; lines: number; seconds: number; threads: number; fallbacks: number };
}

async function readJsonFile(path: string, what: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${flag} ${path}: the file does not exist.`);
    throw new DataError(`${flag} ${path}: cannot read the ${what} (${code ?? (error as Error).message}).`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DataError(`${flag} ${path}: the ${what} is not valid JSON (${(error as Error).message}).`);
  }
}

/**
 * Drops the day aggregates outside `range` (and services left with none), so the report never
 * walks or bills them. Returns the requests dropped per day, for the warning.
 */
function keepDays(aggregates: AggregateSet, range: { start: string; end: string }): Map<string, number> {
  // The days the scan dropped as it went were all before the range.
  const dropped = new Map(aggregates.dropped);
  const services = new Set<string>();
  for (const [key, agg] of aggregates.days) {
    if (agg.day >= range.start && agg.day < range.end) {
      services.add(agg.serviceArn);
    } else {
      aggregates.days.delete(key);
      if (agg.requests > 0) dropped.set(agg.day, (dropped.get(agg.day) ?? 0) + agg.requests);
    }
  }
  for (const arn of aggregates.services.keys()) if (!services.has(arn)) aggregates.services.delete(arn);
  return dropped;
}

/** Named one by one up to this many: a linked copy of a log tree would otherwise bury the rest. */
const MAX_DUPLICATES_NAMED = 5;

function duplicateWarnings(duplicates: DuplicatePath[]): string[] {
  const named = duplicates
    .slice(0, MAX_DUPLICATES_NAMED)
    .map(
      (d) => `${d.path} is the same file as ${d.sameAs} (a link or a second path to it); it is read once.`,
    );
  const more = duplicates.length - named.length;
  if (more > 0) {
    named.push(`… and ${more} more paths that lead to a file already read; each file is read once.`);
  }
  return named;
}

export async function analyzeLocal(options: LocalAnalysis): Promise<LocalResult> {
  const started = performance.now();
  // Read the small inputs first, so a typo fails before a long scan.
  const warnings: string[] = [];
  // The price list comes first: it says which of the bill's usage types are Lattice's and what each is.
  let priceOverrides: Record<string, PriceTable> | undefined;
  let priceList: PriceList | undefined;
  if (options.pricesFile) {
    const json = await readJsonFile(options.pricesFile, 'price table', '--prices');
    if (isPriceList(json)) priceList = parsePriceList(json, options.pricesFile);
    else priceOverrides = parsePriceOverrides(json, options.pricesFile);
  }
  let billed: BilledCosts | undefined;
  if (options.costsFile) {
    const json = await readJsonFile(options.costsFile, 'Cost Explorer response', '--costs');
    // A bill used carries its warnings into the analysis; one not used leaves them here.
    const costWarnings: string[] = [];
    billed = parseCostAndUsage(
      json,
      options.costsFile,
      options.costMetric,
      costWarnings,
      priceList?.usageTypes,
    );
    if (!billed) warnings.push(...costWarnings);
  }

  const region = options.region;
  const today = todayUtc(options.now);
  const request = { start: options.start, end: options.end };
  const { aggregates, summary, otherRegions, threads, fallbacks } = await aggregateLogs(options.logs, {
    region: region || undefined,
    // Progress comes a few times a second, whatever the file: the time to look at the heap.
    onProgress: (progress) => {
      options.onProgress?.(progress);
      collectGarbageIfGrown();
    },
    workerScript: options.workerScript,
    threads: options.threads,
    // Days before the window and the one before it are only counted, not held, as the scan goes.
    pruneBefore: (sets) => {
      let services = 0;
      let latest: string | undefined;
      for (const set of sets) {
        services = Math.max(services, set.services.size);
        for (const agg of set.days.values()) {
          if (agg.requests > 0 && agg.day <= today && (latest === undefined || agg.day > latest))
            latest = agg.day;
        }
      }
      return keptFromAtLeast(request, services, latest);
    },
  });
  if (region && otherRegions > 0) {
    warnings.push(
      `${otherRegions} records of services outside ${region} were left out (--region ${region}).`,
    );
  }
  if (region && aggregates.services.size === 0) {
    throw new DataError(`No access-log record belongs to a service in ${region}; check --region.`);
  }
  warnings.push(...duplicateWarnings(summary.duplicates));
  if (summary.malformed > 0) {
    warnings.push(
      `Skipped ${summary.malformed} malformed log line(s) of ${summary.lines}; samples are listed below.`,
    );
  }

  // Requests per day with data: the window is chosen from these, never by walking the days.
  const dayRequests = new Map(aggregates.dropped);
  for (const agg of aggregates.days.values()) {
    if (agg.requests > 0) dayRequests.set(agg.day, (dayRequests.get(agg.day) ?? 0) + agg.requests);
  }
  const dataDays = [...dayRequests.keys()].sort();
  const defaultDays = defaultWindowDays(aggregates.services.size);
  const window = chooseWindow(
    { start: options.start, end: options.end, startName: '--start', endName: '--end' },
    dataDays,
    today,
    defaultDays,
  );
  if (defaultDays < DEFAULT_WINDOW_DAYS && (options.start === undefined || options.end === undefined)) {
    warnings.push(
      `The logs name ${aggregates.services.size} services, so the default window is at most ${defaultDays} days ` +
        'to keep the report within memory; give --start and --end for a longer one.',
    );
  }
  const kept = { start: previousWindow(window).start, end: window.end };
  const leftOut = leftOutWarning(window, keepDays(aggregates, kept));
  if (leftOut) warnings.push(leftOut);
  const keptDays = dataDays.filter((d) => d >= kept.start && d < kept.end);
  if (!keptDays.some((d) => d >= window.start)) {
    throw new DataError(
      `No access-log record falls in the window ${window.start} to ${window.end} (exclusive); ` +
        `the logs cover ${dataDays[0]} to ${dataDays.at(-1)}. Adjust --start/--end.`,
    );
  }
  // The days outside both windows are gone: collect them and the scan's garbage before the analysis.
  collectGarbage();
  // Files hold what the user has: days between the first and last kept record count as covered.
  const coveredDays = new Set(dayRange(keptDays[0]!, addDays(keptDays.at(-1)!, 1)));

  const report = describeReport(
    buildAnalysis({
      aggregates,
      window,
      coveredDays,
      billed,
      priceOverrides,
      ...(priceList ? { priceList } : {}),
      thresholds: options.thresholds,
      source: {
        kind: 'files',
        logGroups: [],
        queryIds: [],
        files: summary.files,
        records: summary.records,
        malformed: summary.malformed,
        malformedSamples: summary.malformedSamples,
      },
      warnings,
      generatedAt: (options.now ?? new Date()).toISOString(),
      tool: { ...TOOL },
      releaseDays: true,
      afterService: collectGarbageIfGrown,
    }),
  );
  return {
    report: assertValidReport(report),
    stats: {
      bytesRead: summary.bytesRead,
      lines: summary.lines,
      seconds: (performance.now() - started) / 1000,
      threads,
      fallbacks,
    },
  };
}
