/**
 * The AWS pipeline: inventory from the Lattice API, day aggregates from Logs Insights, billed
 * amounts, anomalies and the forecast from Cost Explorer, then the same buildReport as offline.
 * With a cache, settled days come from earlier runs and only the rest is queried.
 */
import {
  AggregateSet,
  type SourceProblems,
  addProblems,
  dayFromJSON,
  noProblems,
} from '../model/aggregate.js';
import { type BilledCosts, BYTES_PER_GB, type ChargeType } from '../model/costs.js';
import { addDays, dayRange, makeWindow, previousWindow, todayUtc } from '../model/dates.js';
import type { Thresholds } from '../analysis/thresholds.js';
import { checkDay } from '../analysis/window.js';
import { type AwsClients, createClients } from '../aws/clients.js';
import {
  type CostRequests,
  backendCosts,
  billedCosts,
  latticeAnomalies,
  latticeUsageTypes,
  monthForecast,
} from '../aws/costs.js';
import { type AwsCredentials, callerAccount } from '../aws/credentials.js';
import { type ScanOptions, scanDays } from '../aws/insights.js';
import { emptyBill, mergeBills } from '../aws/cost-and-usage.js';
import { readPriceListItems } from '../aws/price-list.js';
import { type PriceList, parsePriceList } from '../analysis/price-list.js';
import { AGGREGATE_FINGERPRINT } from '../aws/insights-query.js';
import { type Inventory, describeServices, readInventory } from '../aws/inventory.js';
import { type CachedCosts, DayCache, isSettled } from '../cache/day-cache.js';
import { UsageError, errorMessage } from '../errors.js';
import { buildAnalysis } from '../analysis/build.js';
import { describeReport } from '../report/findings.js';
import type { Anomaly } from '../model/findings.js';
import type { Report } from '../model/report.js';
import { assertValidReport } from '../report/validate.js';
import { TOOL } from '../version.js';

/** Logs Insights list price per GB scanned (us-east-1). */
const INSIGHTS_USD_PER_GB = 0.005;
/** Cost Explorer API price per request, each page included. */
const COST_EXPLORER_USD_PER_REQUEST = 0.01;
/** Discovered usage types are reused this long; a new Lattice charge shows up within a week. */
const USAGE_TYPES_MAX_AGE_DAYS = 7;

/** A member account from the `accounts` setting: its id, the role to chain into, a label. */
export interface AccountSpec {
  id: string;
  /** The role to assume in it; default `arn:PARTITION:iam::ID:role/MEMBER_ROLE_NAME`. */
  roleArn?: string;
  label?: string;
}

/** Where each account's Lattice bill comes from. */
export type CostSource = 'each-account' | 'payer';

/** What a user chooses about an AWS analysis: the action's inputs, the CLI's --aws flags. */
export interface AwsSettings {
  /** The home region: STS, and the only region when `regions` is empty. */
  region: string;
  /** Regions to cover; empty means `region` alone. */
  regions?: string[];
  /** Accounts to cover; empty means the credentials' own account alone; 'organization' lists them. */
  accounts?: AccountSpec[] | 'organization';
  /** The role name in member accounts, when an account names no role. */
  memberRoleName?: string;
  costSource?: CostSource;
  serviceNetwork?: string;
  logGroupNames: string[];
  lookbackDays: number;
  /** Exclusive end day; default today (UTC), so the window holds whole days. */
  endDate?: string;
  costMetric: string;
  costTagKey?: string;
  thresholds: Thresholds;
}

export interface AwsAnalysis extends AwsSettings {
  /** From OIDC; without them the SDK's default credential chain is used. */
  credentials?: AwsCredentials;
  /** Keep settled days in `dir`; days that ended less than `settlingDays` ago are always queried. */
  cache?: { dir: string; settlingDays: number };
  now?: Date;
  signal?: AbortSignal;
  log?: (message: string) => void;
  scan?: Pick<ScanOptions, 'concurrency' | 'pollMinMs' | 'pollMaxMs' | 'rowLimit'>;
}

export interface AwsResult {
  report: Report;
  /** cacheWritten: entries this run added to the day cache. */
  stats: { seconds: number; cacheWritten: number };
}

interface Run {
  options: AwsAnalysis;
  clients: AwsClients;
  cache?: DayCache;
  account?: string;
  now: Date;
  today: string;
  warnings: string[];
  requests: CostRequests;
}

/** What the Logs Insights rows held that could not be counted, in words. */
function problemWarnings(p: SourceProblems): string[] {
  const warnings: string[] = [];
  if (p.noDay > 0)
    warnings.push(
      `${p.noDay} log records had no startTime as Lattice writes it (UTC, years 2000-2100) and were left out.`,
    );
  if (p.invalid > 0)
    warnings.push(
      `${p.invalid} log records held a value Lattice does not write (an ARN, a fraction, a number past 2^53, ` +
        'a status out of range) and were left out. To see which, export the log group and run the CLI on it.',
    );
  if (p.noHour > 0)
    warnings.push(
      `Logs Insights gave no hour for ${p.noHour} records: they are counted, but left out of the hourly free allowance and the request charge.`,
    );
  return warnings;
}

/** Day aggregates of `days`: cached settled days, the rest from Logs Insights. */
async function logAggregates(run: Run, inventory: Inventory, days: string[]) {
  const { cache, account, options } = run;
  const scope = account
    ? { account, region: options.region, logGroups: inventory.logGroups, fingerprint: AGGREGATE_FINGERPRINT }
    : undefined;
  const aggregates = new AggregateSet();
  const problems = noProblems();
  const missing: string[] = [];
  for (const day of days) {
    const settled = isSettled(day, run.now, options.cache?.settlingDays ?? 0);
    const cached = cache && scope && settled ? await cache.readScan(scope, day) : undefined;
    if (!cached) {
      missing.push(day);
      continue;
    }
    for (const json of cached.aggregates) aggregates.addDay(dayFromJSON(json));
    addProblems(problems, cached.problems);
  }
  options.log?.(
    `Scanning ${missing.length} of ${days.length} days of ${inventory.logGroups.join(', ')}` +
      (inventory.network ? ` for ${inventory.network.name} (${inventory.services.length} services)` : ''),
  );
  const scan = await scanDays(run.clients.logs, {
    logGroups: inventory.logGroups,
    days: missing,
    signal: options.signal,
    log: options.log,
    ...options.scan,
  });
  aggregates.merge(scan.aggregates);
  addProblems(problems, scan.problems);
  if (cache && scope) {
    for (const [day, chunk] of scan.chunks) {
      if (isSettled(day, run.now, options.cache!.settlingDays)) await cache.writeScan(scope, day, chunk);
    }
  }
  return { aggregates, problems, scan };
}

/** Cost Explorer serves resource-level data for this many days back (API reference). */
const RESOURCE_LEVEL_DAYS = 14;

const NO_RESOURCE_LEVEL =
  'Per-service costs are modelled and reconciled to the bill: Cost Explorer gave no resource-level data. ' +
  'To bill each service exactly, opt in to daily resource-level data in the Cost Explorer settings ' +
  '(https://docs.aws.amazon.com/cost-management/latest/userguide/ce-resource-daily.html) and allow ' +
  'ce:GetCostAndUsageWithResources.';

/** Errors that mean "no resource-level data here": not opted in, or not allowed. */
function resourceLevelRefused(error: unknown): boolean {
  const name = (error as { cause?: { name?: string } }).cause?.name ?? '';
  return /DataUnavailable|Validation|AccessDenied|UnauthorizedOperation/.test(name);
}

/**
 * Billed Lattice amounts for `period`: cached settled days, then the days of the last 14 per
 * resource (when the account has opted in), then older days by usage type.
 */
async function billed(
  run: Run,
  period: { start: string; end: string },
  usageTypes: string[],
  listed: ReadonlyMap<string, ChargeType>,
): Promise<BilledCosts> {
  const { cache, account, options } = run;
  const scope = account ? { account, metric: options.costMetric } : undefined;
  const cachedDays = new Map<string, CachedCosts>();
  if (cache && scope) {
    for (const day of dayRange(period.start, period.end)) {
      const found = await cache.readCosts(scope, day);
      if (!found) break;
      cachedDays.set(day, found);
    }
  }
  // Settled days come first, so the days still needed are one range at the end.
  const start = addDays(period.start, cachedDays.size);
  const ce = run.clients.costExplorer;
  let costs = emptyBill(options.costMetric);
  if (start < period.end) {
    let older = { start, end: period.end };
    const recent = { start: maxDay(start, addDays(run.today, -RESOURCE_LEVEL_DAYS)), end: period.end };
    const refused =
      cache && account
        ? await cache.resourceLevelUnavailable(account, run.today, USAGE_TYPES_MAX_AGE_DAYS)
        : false;
    if (recent.start < recent.end && refused) {
      run.warnings.push(NO_RESOURCE_LEVEL);
    } else if (recent.start < recent.end) {
      try {
        costs = await billedCosts(ce, recent, usageTypes, options.costMetric, run.requests, {
          listed,
          perResource: true,
        });
        older = { start, end: recent.start };
        if (cache && account) await cache.writeResourceLevel(account, run.today, true);
      } catch (error) {
        if (!resourceLevelRefused(error)) throw error;
        run.warnings.push(NO_RESOURCE_LEVEL);
        if (cache && account) await cache.writeResourceLevel(account, run.today, false);
      }
    }
    if (older.start < older.end) {
      mergeBills(
        costs,
        await billedCosts(ce, older, usageTypes, options.costMetric, run.requests, { listed }),
      );
    }
    if (cache && scope) {
      for (const [day, charges] of costs.days) {
        // A day with credits is not cached: the cache keeps charges only, and credits are their own line.
        if (costs.estimatedDays.has(day) || costs.credits.has(day)) continue;
        const byResource = costs.byResource.get(day);
        await cache.writeCosts(scope, day, {
          charges,
          currency: costs.currency,
          ...(byResource ? { byResource } : {}),
        });
      }
    }
  } else {
    cache!.stats.costExplorerRequestsAvoided += 1;
  }
  for (const [day, cached] of cachedDays) {
    costs.days.set(day, cached.charges);
    if (cached.byResource) costs.byResource.set(day, cached.byResource);
    costs.currency = cached.currency;
  }
  return costs;
}

function maxDay(a: string, b: string): string {
  return a > b ? a : b;
}

/** The region's Lattice price list: cached for a week, else read from the Price List API. */
async function priceListOf(run: Run, region: string): Promise<PriceList | undefined> {
  const { cache } = run;
  try {
    const cached = cache ? await cache.readPriceList(region, run.today, USAGE_TYPES_MAX_AGE_DAYS) : undefined;
    const found = cached ?? (await readPriceListItems(run.clients.pricing, region));
    if (!cached && cache) await cache.writePriceList(region, run.today, found);
    const list = parsePriceList(
      [{ PriceList: found.items }],
      `the AWS Price List (${found.serviceCodes.join(', ')})`,
      'aws-price-list',
    );
    if (list.regions.size > 0) return list;
    // Not passed on to the analysis, so its warnings (no Lattice prices) are said here.
    run.warnings.push(...list.warnings);
    return undefined;
  } catch (error) {
    run.warnings.push(
      `VPC Lattice prices could not be read from the AWS Price List, so built-in prices are used: ${errorMessage(error)}`,
    );
    return undefined;
  }
}

async function usageTypesOf(run: Run, period: { start: string; end: string }): Promise<string[]> {
  const { cache, account } = run;
  const cached =
    cache && account ? await cache.readUsageTypes(account, run.today, USAGE_TYPES_MAX_AGE_DAYS) : undefined;
  if (cached) {
    cache!.stats.costExplorerRequestsAvoided += 1;
    return cached;
  }
  const found = await latticeUsageTypes(run.clients.costExplorer, period, run.requests);
  if (cache && account && found.length > 0) await cache.writeUsageTypes(account, run.today, found);
  return found;
}

function usd(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export async function analyzeAws(options: AwsAnalysis): Promise<AwsResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const today = todayUtc(now);
  checkDay(options.endDate, 'end-date');
  const end = options.endDate ?? today;
  if (end > today) {
    throw new UsageError(
      `end-date ${end} is after today (${today}, UTC); the window must hold whole days that have ended.`,
    );
  }
  const window = makeWindow(addDays(end, -options.lookbackDays), end);
  const previous = previousWindow(window);
  const days = dayRange(previous.start, window.end);
  const warnings: string[] = [];
  const clients = createClients(options.region, options.credentials);
  const run: Run = { options, clients, now, today, warnings, requests: { count: 0 } };
  try {
    if (options.cache) {
      run.cache = new DayCache(options.cache.dir, warnings);
      // Cache entries belong to one account: never mix another account's days in.
      run.account = await callerAccount(clients.sts);
    }
    const inventory = await readInventory(clients.lattice, {
      serviceNetwork: options.serviceNetwork,
      logGroupNames: options.logGroupNames,
    });
    warnings.push(...inventory.warnings);
    const { aggregates, problems, scan } = await logAggregates(run, inventory, days);
    warnings.push(...problemWarnings(problems));
    // Resource configurations are not services: they are named by the inventory only.
    const seen = [...aggregates.services.values()].filter((s) => s.kind === undefined);
    if (inventory.network) {
      const associated = new Set(inventory.services.map((s) => s.arn));
      const others = seen.filter((s) => !associated.has(s.arn));
      if (others.length > 0) {
        warnings.push(
          `${others.length} service(s) in the logs are not associated with ${inventory.network.name} now; they are included.`,
        );
      }
    }
    await describeServices(
      clients.lattice,
      seen.filter((s) => !inventory.services.some((i) => i.arn === s.arn)),
      warnings,
    );
    const windowRecords = [...aggregates.days.values()]
      .filter((d) => d.day >= window.start)
      .reduce((sum, d) => sum + d.requests, 0);
    if (windowRecords === 0)
      warnings.push('No access-log records in the window: either no traffic, or access logging was off.');

    // Each Cost Explorer step may fail on its own (a missing permission, an account without
    // Cost Explorer): the logs still tell a true story, and the report says what is missing.
    const costStep = async <T>(what: string, step: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await step();
      } catch (error) {
        warnings.push(`${what}: ${errorMessage(error)}`);
        return undefined;
      }
    };
    const period = { start: previous.start, end: window.end };
    const priceList = await priceListOf(run, options.region);
    const usageTypes = await costStep(
      'Cost Explorer could not be read, so costs are modelled from list prices',
      () => usageTypesOf(run, period),
    );
    let billedAmounts: BilledCosts | undefined;
    let awsAnomalies: Anomaly[] = [];
    let forecast: Report['forecast'] | null | undefined;
    if (usageTypes?.length === 0) {
      warnings.push(
        'Cost Explorer lists no VPC Lattice usage type for these days, so costs are modelled from list prices.',
      );
    } else if (usageTypes) {
      billedAmounts = await costStep(
        'Cost Explorer costs could not be read, so costs are modelled from list prices',
        () => billed(run, period, usageTypes, priceList?.usageTypes ?? new Map()),
      );
      awsAnomalies =
        (await costStep('Cost Anomaly Detection could not be read', () =>
          latticeAnomalies(clients.costExplorer, window, usageTypes, run.requests),
        )) ?? [];
      forecast = await monthForecast(
        clients.costExplorer,
        today,
        usageTypes,
        options.costMetric,
        run.requests,
        warnings,
      );
    }
    let backend = new Map<string, number>();
    if (options.costTagKey) {
      const tagKey = options.costTagKey;
      backend =
        (await costStep(`Backend costs by the tag ${tagKey} could not be read`, () =>
          backendCosts(
            clients.costExplorer,
            window,
            tagKey,
            options.costMetric,
            [...inventory.services, ...seen],
            run.requests,
          ),
        )) ?? backend;
    }

    const bytesScanned = scan.bytesScanned;
    const stats = run.cache?.stats;
    const report = describeReport(
      buildAnalysis({
        aggregates,
        inventory: [...inventory.services, ...inventory.resources],
        window,
        coveredDays: new Set(days),
        billed: billedAmounts,
        ...(priceList ? { priceList } : {}),
        thresholds: options.thresholds,
        source: {
          kind: 'aws',
          ...(inventory.network ? { serviceNetwork: inventory.network.name } : {}),
          logGroups: inventory.logGroups,
          queryIds: scan.queryIds,
          files: [],
          records: [...aggregates.days.values()].reduce((sum, d) => sum + d.requests, 0),
          malformed: 0,
          malformedSamples: [],
        },
        run: {
          insights: { queries: scan.queries, bytesScanned },
          costExplorer: { requests: run.requests.count },
          estimatedRunCostUsd: usd(
            (bytesScanned / BYTES_PER_GB) * INSIGHTS_USD_PER_GB +
              run.requests.count * COST_EXPLORER_USD_PER_REQUEST,
          ),
          ...(stats
            ? {
                cache: {
                  logDaysHit: stats.logDaysHit,
                  logDaysScanned: scan.chunks.size,
                  bytesAvoided: stats.bytesAvoided,
                  costDaysHit: stats.costDaysHit,
                  costExplorerRequestsAvoided: stats.costExplorerRequestsAvoided,
                  savedUsd: usd(
                    (stats.bytesAvoided / BYTES_PER_GB) * INSIGHTS_USD_PER_GB +
                      stats.costExplorerRequestsAvoided * COST_EXPLORER_USD_PER_REQUEST,
                  ),
                },
              }
            : {}),
        },
        awsAnomalies,
        backendCosts: backend,
        ...(forecast ? { forecast } : {}),
        warnings,
        generatedAt: now.toISOString(),
        tool: { ...TOOL },
      }),
    );
    return {
      report: assertValidReport(report),
      stats: {
        seconds: (performance.now() - started) / 1000,
        cacheWritten: run.cache?.stats.written ?? 0,
      },
    };
  } finally {
    clients.destroy();
  }
}
