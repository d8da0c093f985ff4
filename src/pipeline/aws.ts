/**
 * The AWS pipeline: inventory from the Lattice API, day aggregates from Logs Insights, billed
 * amounts, anomalies and the forecast from Cost Explorer, then the same buildReport as offline.
 * With a cache, settled days come from earlier runs and only the rest is queried.
 */
import {
  AggregateSet,
  type ServiceIdentity,
  type SourceProblems,
  addProblems,
  boundDayCallers,
  dayFromJSON,
  noProblems,
} from '../model/aggregate.js';
import { type BilledCosts, BYTES_PER_GB, type ChargeType } from '../model/costs.js';
import { type Window, addDays, dayRange, makeWindow, previousWindow, todayUtc } from '../model/dates.js';
import type { Thresholds } from '../analysis/thresholds.js';
import { checkDay } from '../analysis/window.js';
import { assumeMemberRole, memberRoleArn, organizationAccounts, partitionOf } from '../aws/accounts.js';
import { type AwsClients, createClients, createOrganizationsClient } from '../aws/clients.js';
import { pool } from '../aws/pool.js';
import {
  type CostRequests,
  backendCosts,
  billedCosts,
  latticeAnomalies,
  latticeUsageTypes,
  monthForecast,
} from '../aws/costs.js';
import { type AwsCredentials, callerAccount } from '../aws/credentials.js';
import { type ChunkResult, type ScanOptions, scanDays } from '../aws/insights.js';
import { type S3ScanResult, athenaCostUsd, emptyS3Scan, scanS3Days } from '../aws/athena-scan.js';
import { createAthenaClient } from '../aws/athena.js';
import { type S3Location, createGlueClient, ensureAccessLogTable, s3Uri } from '../aws/athena-table.js';
import { firehoseDestination, firehoseS3Location, s3Destination } from '../aws/log-destinations.js';
import { createS3Client, discoverDayRoots, s3ObjectSource } from '../aws/s3-logs.js';
import { readDayObjects } from '../logs/day-objects.js';
import { ATHENA_FINGERPRINT } from '../aws/athena-query.js';
import { emptyBill, mergeBills } from '../aws/cost-and-usage.js';
import { readPriceListItems } from '../aws/price-list.js';
import { type PriceList, parsePriceList } from '../analysis/price-list.js';
import { AGGREGATE_FINGERPRINT } from '../aws/insights-query.js';
import { type Inventory, describeServices, readInventory } from '../aws/inventory.js';
import { type CachedCosts, DayCache, type LogScope, isSettled } from '../cache/day-cache.js';
import { UsageError, errorMessage } from '../errors.js';
import { type AccountInput, buildAnalysis } from '../analysis/build.js';
import { isFleet } from './fleet.js';
import { describeReport } from '../report/findings.js';
import type { Anomaly } from '../model/findings.js';
import type { Coverage, Report } from '../model/report.js';
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

/** Where the access logs are read: Logs Insights, S3 through Athena, or where the subscription sends them. */
export type LogSource = { kind: 'cloudwatch' } | { kind: 'auto' } | { kind: 's3'; location: S3Location };

/** How logs in S3 are read. */
export interface AthenaSettings {
  workGroup: string;
  database: string;
  table: string;
  /** Make the Glue database and table when missing, and keep a table made so up to date. */
  createTable: boolean;
  /** A delivery day of at most this many MB of objects is read on the runner; 0: never. */
  directReadMb: number;
}

const DEFAULT_ATHENA: AthenaSettings = {
  workGroup: 'lattice-cost-report',
  database: 'lattice_cost_report',
  table: 'access_logs',
  createTable: false,
  directReadMb: 0,
};

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
  /** Default cloudwatch. */
  logSource?: LogSource;
  athena?: AthenaSettings;
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
  /** Hides a secret in the log (core.setSecret): member accounts' credentials. */
  mask?: (value: string) => void;
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
  /** S3 locations a pair of this run reads: shared by every pair, so a bucket several deliver to is read once. */
  s3Claims: Set<string>;
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

/** The cached settled days of `days` in one set; the others are `missing`, to be read. */
async function cachedDays(run: Run, scope: LogScope | undefined, days: readonly string[]) {
  const { cache, options } = run;
  const aggregates = new AggregateSet();
  const problems = noProblems();
  const missing: string[] = [];
  let rowsPerSecond = 0;
  let bytesAvoided = 0;
  for (const day of days) {
    const settled = isSettled(day, run.now, options.cache?.settlingDays ?? 0);
    const cached = cache && scope && settled ? await cache.readScan(scope, day) : undefined;
    if (!cached) {
      missing.push(day);
      continue;
    }
    for (const json of cached.aggregates) aggregates.addDay(dayFromJSON(json));
    addProblems(problems, cached.problems);
    rowsPerSecond = Math.max(rowsPerSecond, cached.rowsPerSecond ?? 0);
    bytesAvoided += cached.bytesScanned;
  }
  return { aggregates, problems, missing, rowsPerSecond, bytesAvoided };
}

/** Keeps the settled days of a scan in the cache. */
async function cacheSettled(run: Run, scope: LogScope | undefined, chunks: ReadonlyMap<string, ChunkResult>) {
  const { cache, options } = run;
  if (!cache || !scope) return;
  for (const [day, chunk] of chunks) {
    if (isSettled(day, run.now, options.cache!.settlingDays)) await cache.writeScan(scope, day, chunk);
  }
}

/** Day aggregates of `days`: cached settled days, the rest from Logs Insights. */
async function logAggregates(run: Run, inventory: Inventory, days: string[]) {
  const { account, options } = run;
  const scope = account
    ? { account, region: options.region, logGroups: inventory.logGroups, fingerprint: AGGREGATE_FINGERPRINT }
    : undefined;
  const { aggregates, problems, missing, rowsPerSecond } = await cachedDays(run, scope, days);
  options.log?.(
    `Scanning ${missing.length} of ${days.length} days of ${inventory.logGroups.join(', ')}` +
      (inventory.network ? ` for ${inventory.network.name} (${inventory.services.length} services)` : ''),
  );
  const scan = await scanDays(run.clients.logs, {
    logGroups: inventory.logGroups,
    days: missing,
    signal: options.signal,
    log: options.log,
    // The cached days' density plans the new ones at once, so a warm run scans them once too.
    ...(rowsPerSecond > 0 ? { rowsPerSecond } : {}),
    ...options.scan,
  });
  aggregates.merge(scan.aggregates);
  // Cached and scanned days together are complete: the one bound, as the local reader applies it.
  boundDayCallers(aggregates.days.values());
  addProblems(problems, scan.problems);
  await cacheSettled(run, scope, scan.chunks);
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
  linkedAccount?: string,
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
          ...(linkedAccount ? { linkedAccount } : {}),
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
        await billedCosts(ce, older, usageTypes, options.costMetric, run.requests, {
          listed,
          ...(linkedAccount ? { linkedAccount } : {}),
        }),
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

/** The regions' Lattice price list: each region cached for a week, else read from the Price List API. */
async function priceListOf(run: Run, regions: string[]): Promise<PriceList | undefined> {
  const { cache } = run;
  try {
    const items: unknown[] = [];
    const codes = new Set<string>();
    for (const region of regions) {
      const cached = cache
        ? await cache.readPriceList(region, run.today, USAGE_TYPES_MAX_AGE_DAYS)
        : undefined;
      const found = cached ?? (await readPriceListItems(run.clients.pricing, region));
      if (!cached && cache) await cache.writePriceList(region, run.today, found);
      items.push(...found.items);
      for (const code of found.serviceCodes) codes.add(code);
    }
    const list = parsePriceList(
      [{ PriceList: items }],
      `the AWS Price List (${[...codes].join(', ')})`,
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

async function usageTypesOf(
  run: Run,
  period: { start: string; end: string },
  linkedAccount?: string,
): Promise<string[]> {
  const { cache, account } = run;
  const cached =
    cache && account ? await cache.readUsageTypes(account, run.today, USAGE_TYPES_MAX_AGE_DAYS) : undefined;
  if (cached) {
    cache!.stats.costExplorerRequestsAvoided += 1;
    return cached;
  }
  const found = await latticeUsageTypes(run.clients.costExplorer, period, run.requests, linkedAccount);
  if (cache && account && found.length > 0) await cache.writeUsageTypes(account, run.today, found);
  return found;
}

function usd(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** (account, region) pairs read at once: each has its own Logs Insights quota, and the SDK backs off. */
const PAIR_CONCURRENCY = 4;
const MEMBER_SESSION_NAME = 'lattice-cost-report';

/** An account of the run, reachable or not. */
interface Target {
  account?: string;
  label?: string;
  credentials?: AwsCredentials;
  /** Why the account could not be reached. */
  error?: string;
}

/** What one (account, region) pair gave. */
interface Pair {
  target: Target;
  region: string;
  run: Run;
  inventory?: Inventory;
  aggregates?: AggregateSet;
  problems?: SourceProblems;
  scan?: Awaited<ReturnType<typeof scanDays>>;
  /** When the logs were read from S3. */
  s3?: {
    scan: S3ScanResult;
    location: S3Location;
    table: string;
    workGroup: string;
    roots: string[];
    /** Athena bytes of the days taken from the cache. */
    bytesAvoided: number;
  };
  error?: string;
}

/** "payments (222222222222)", or the id alone. */
function accountName(target: Target): string {
  return target.label ? `${target.label} (${target.account})` : (target.account ?? 'this account');
}

/** The accounts to read: the hub's own, the listed ones, or the organization's; each with credentials. */
async function resolveTargets(hub: Run): Promise<Target[]> {
  const { options } = hub;
  const listed =
    options.accounts === 'organization'
      ? (await organizationAccounts(createOrganizationsClient(options.region, options.credentials))).map(
          (a) => ({ id: a.id, label: a.name }) as AccountSpec,
        )
      : (options.accounts ?? []);
  if (listed.length === 0) return [{ account: hub.account, credentials: options.credentials }];
  const targets: Target[] = [];
  await pool(listed, PAIR_CONCURRENCY, async (spec) => {
    const target: Target = { account: spec.id, ...(spec.label ? { label: spec.label } : {}) };
    targets.push(target);
    if (spec.id === hub.account && !spec.roleArn) {
      target.credentials = options.credentials;
      return;
    }
    try {
      target.credentials = await assumeMemberRole(
        {
          roleArn:
            spec.roleArn ??
            memberRoleArn(
              spec.id,
              options.memberRoleName ?? 'lattice-cost-report-member',
              partitionOf(options.region),
            ),
          sessionName: MEMBER_SESSION_NAME,
          region: options.region,
          ...(options.credentials ? { hubCredentials: options.credentials } : {}),
        },
        { mask: options.mask ?? (() => {}), ...(options.log ? { log: options.log } : {}) },
      );
    } catch (error) {
      target.error = errorMessage(error);
    }
  });
  // The input's order, whatever order the roles answered in.
  return listed.map((spec) => targets.find((t) => t.account === spec.id)!);
}

/** A Run for one account in one region: its own clients, the shared cache and clock. */
function pairRun(hub: Run, target: Target, region: string): Run {
  return {
    ...hub,
    options: { ...hub.options, region },
    clients: createClients(region, target.credentials),
    ...(target.account ? { account: target.account } : {}),
    warnings: [],
    requests: { count: 0 },
  };
}

function isNetworkMissing(error: unknown): boolean {
  return error instanceof UsageError && /was not found|does not exist/.test(error.message);
}

/** Inventory and day aggregates of one pair. In a fleet, a failure is the pair's, not the run's. */
async function readPair(pair: Pair, days: string[], fleet: boolean): Promise<void> {
  const { run } = pair;
  try {
    let inventory: Inventory;
    // Names and creation times never change: what earlier runs described is not asked again.
    const { cache, account } = run;
    const described = cache && account ? await cache.readServices(account, run.options.region) : undefined;
    const before = described?.size ?? 0;
    try {
      inventory = await readInventory(run.clients.lattice, {
        serviceNetwork: run.options.serviceNetwork,
        logGroupNames: run.options.logGroupNames,
        logSource: run.options.logSource?.kind ?? 'cloudwatch',
        ...(fleet ? { logsOptional: true } : {}),
        ...(described ? { described } : {}),
      });
      if (cache && account && described && described.size > before) {
        const current = new Set(inventory.services.map((s) => s.arn));
        for (const arn of described.keys()) if (!current.has(arn)) described.delete(arn);
        await cache.writeServices(account, run.options.region, described);
      }
    } catch (error) {
      // A network lives in some regions and is shared with some accounts: elsewhere there is nothing to read.
      if (!fleet || !isNetworkMissing(error)) throw error;
      inventory = { services: [], resources: [], logGroups: [], destinations: [], warnings: [] };
    }
    pair.inventory = inventory;
    run.warnings.push(...inventory.warnings);
    const location = await s3LocationOf(run, inventory);
    if (location && run.s3Claims.has(s3Uri(location))) {
      // Another pair reads this bucket, every account's and region's roots in it included.
      pair.aggregates = new AggregateSet();
      pair.problems = noProblems();
      return;
    }
    if (location) {
      run.s3Claims.add(s3Uri(location));
      const read = await s3Aggregates(run, location, days);
      Object.assign(pair, { aggregates: read.aggregates, problems: read.problems, s3: read.s3 });
      return;
    }
    if (inventory.logGroups.length === 0) {
      pair.aggregates = new AggregateSet();
      pair.problems = noProblems();
      return;
    }
    const { aggregates, problems, scan } = await logAggregates(run, inventory, days);
    Object.assign(pair, { aggregates, problems, scan });
  } catch (error) {
    if (!fleet) throw error;
    pair.error = errorMessage(error);
  }
}

/**
 * The S3 location to read, or undefined for Logs Insights: log-source s3, or with auto a
 * subscription that sends the logs to a bucket or to a Firehose stream (a log group is preferred:
 * it needs no table).
 */
async function s3LocationOf(run: Run, inventory: Inventory): Promise<S3Location | undefined> {
  const source = run.options.logSource ?? { kind: 'cloudwatch' };
  if (source.kind === 's3') return source.location;
  if (source.kind !== 'auto' || inventory.logGroups.length > 0) return undefined;
  const buckets = inventory.destinations.map(s3Destination).filter((d) => d !== undefined);
  if (buckets.length > 1) {
    run.warnings.push(
      `The access logs go to ${buckets.length} S3 locations; this report reads ${s3Uri(buckets[0]!)}. Set log-source to choose.`,
    );
  }
  if (buckets[0]) return buckets[0];
  const stream = inventory.destinations.map(firehoseDestination).find((d) => d !== undefined);
  return stream ? firehoseS3Location(stream, run.options.credentials) : undefined;
}

/** The S3 path's cache entries: the same days from another table, roots or query are other entries. */
function s3Scope(run: Run, location: S3Location, table: string, roots: readonly string[]) {
  return run.account
    ? {
        account: run.account,
        region: run.options.region,
        logGroups: [s3Uri(location), `athena:${table}`, ...roots.map((r) => s3Uri(location, r))],
        fingerprint: ATHENA_FINGERPRINT,
      }
    : undefined;
}

/**
 * Day aggregates of the logs under `location`: the roots found in the bucket, the table checked
 * (or made), then each delivery day cached, read on the runner or queried with Athena. Delivery
 * days run to the day after the last one reported, so a record delivered after midnight counts.
 */
async function s3Aggregates(run: Run, location: S3Location, days: string[]) {
  const { options } = run;
  const athena = options.athena ?? DEFAULT_ATHENA;
  const table = `${athena.database}.${athena.table}`;
  const s3 = createS3Client(options.region, options.credentials);
  const athenaClient = createAthenaClient(options.region, options.credentials);
  const glue = createGlueClient(options.region, options.credentials);
  try {
    const found = await discoverDayRoots(s3, location, options.signal ? { signal: options.signal } : {});
    run.warnings.push(...found.warnings);
    const empty = {
      aggregates: new AggregateSet(),
      problems: noProblems(),
      s3: {
        scan: emptyS3Scan(),
        location,
        table,
        workGroup: athena.workGroup,
        roots: [] as string[],
        bytesAvoided: 0,
      },
    };
    if (found.roots.length === 0) {
      run.warnings.push(
        `No access logs were found under ${s3Uri(location)}: no key there has day folders (YYYY/MM/DD/). ` +
          'Check log-source against the access-log subscription, or wait for the first delivery (within minutes).',
      );
      return empty;
    }
    const state = await ensureAccessLogTable(glue, {
      database: athena.database,
      table: athena.table,
      location,
      roots: found.roots,
      rootsComplete: found.warnings.length === 0,
      create: athena.createTable,
    });
    run.warnings.push(...state.warnings);
    const last = days.at(-1);
    const after = last ? addDays(last, 1) : undefined;
    const delivery = after && after <= run.today ? [...days, after] : [...days];
    const scope = s3Scope(run, location, table, state.roots);
    const { aggregates, problems, missing, bytesAvoided } = await cachedDays(run, scope, delivery);
    options.log?.(
      `Reading ${missing.length} of ${delivery.length} delivery days of ${s3Uri(location)} (${plural(state.roots.length, 'log root')}) with ${table}`,
    );
    const scan = await scanS3Days(
      { s3, athena: athenaClient },
      {
        location,
        days: missing,
        roots: state.roots,
        table,
        workGroup: athena.workGroup,
        directReadBytes: athena.directReadMb * 1024 * 1024,
        readDirect: (objects, signal) =>
          readDayObjects(s3ObjectSource(s3, location.bucket), objects, signal ? { signal } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.scan?.pollMinMs !== undefined ? { pollMinMs: options.scan.pollMinMs } : {}),
        ...(options.scan?.pollMaxMs !== undefined ? { pollMaxMs: options.scan.pollMaxMs } : {}),
      },
    );
    aggregates.merge(scan.aggregates);
    // The first delivery day holds the tail of the day before the period: not this report's.
    if (days[0]) aggregates.dropDaysBefore(days[0]);
    boundDayCallers(aggregates.days.values());
    addProblems(problems, scan.problems);
    await cacheSettled(run, scope, scan.chunks);
    return { aggregates, problems, s3: { ...empty.s3, scan, roots: state.roots, bytesAvoided } };
  } finally {
    s3.destroy();
    athenaClient.destroy();
    glue.destroy();
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The pairs' day aggregates as one: a service's day seen by two logs (network and service level) counts once. */
function mergePairs(pairs: Pair[]): { aggregates: AggregateSet; overlaps: number } {
  const aggregates = new AggregateSet();
  let overlaps = 0;
  for (const pair of pairs) {
    if (pair.aggregates) overlaps += aggregates.mergeSeenOnce(pair.aggregates);
  }
  return { aggregates, overlaps };
}

interface AccountCosts {
  billed?: BilledCosts;
  anomalies: Anomaly[];
  forecast?: Report['forecast'];
  /** Backend cost per service ARN, from the cost-allocation tag. */
  backend: Map<string, number>;
}

/** Billed amounts, anomalies, forecast and backend costs of one account; each step may fail alone. */
async function accountCosts(
  run: Run,
  period: { start: string; end: string },
  window: Window,
  priceList: PriceList | undefined,
  /** The account's services, known once the logs are read: only the backend costs wait for them. */
  services: Promise<ServiceIdentity[]>,
  scope: { linkedAccount?: string; anomalies: boolean },
): Promise<AccountCosts> {
  const { linkedAccount } = scope;
  const { options, clients, warnings } = run;
  const step = async <T>(what: string, task: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await task();
    } catch (error) {
      warnings.push(`${what}: ${errorMessage(error)}`);
      return undefined;
    }
  };
  const usageTypes = await step(
    'Cost Explorer could not be read, so costs are modelled from list prices',
    () => usageTypesOf(run, period, linkedAccount),
  );
  if (!usageTypes) return { anomalies: [], backend: new Map() };
  if (usageTypes.length === 0) {
    warnings.push(
      'Cost Explorer lists no VPC Lattice usage type for these days, so costs are modelled from list prices.',
    );
    return { anomalies: [], backend: new Map() };
  }
  const billedAmounts = await step(
    'Cost Explorer costs could not be read, so costs are modelled from list prices',
    () => billed(run, period, usageTypes, priceList?.usageTypes ?? new Map(), linkedAccount),
  );
  // Anomalies are the monitor owner's: in payer mode the hub's, read once for the whole run.
  const anomalies = !scope.anomalies
    ? []
    : ((await step('Cost Anomaly Detection could not be read', () =>
        latticeAnomalies(clients.costExplorer, window, usageTypes, run.requests),
      )) ?? []);
  const forecast = await monthForecast(
    clients.costExplorer,
    run.today,
    usageTypes,
    options.costMetric,
    run.requests,
    warnings,
    linkedAccount,
  );
  const tagKey = options.costTagKey;
  const backend = tagKey
    ? await step(`Backend costs by the tag ${tagKey} could not be read`, () =>
        services.then((list) =>
          backendCosts(clients.costExplorer, window, tagKey, options.costMetric, list, run.requests),
        ),
      )
    : undefined;
  return {
    ...(billedAmounts ? { billed: billedAmounts } : {}),
    anomalies,
    ...(forecast ? { forecast } : {}),
    backend: backend ?? new Map(),
  };
}

/** A promise and the function that settles it, for a value another step finds later. */
function settable<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function uniqueByArn(list: ServiceIdentity[]): ServiceIdentity[] {
  return uniqueBy(list, (s) => s.arn);
}

function uniqueBy<T>(list: T[], key: (item: T) => string): T[] {
  return [...new Map(list.map((item) => [key(item), item])).values()];
}

/** The month's forecast of the whole run: the accounts' amounts add up; their intervals do not. */
function sumForecasts(list: Array<Report['forecast'] | undefined>): Report['forecast'] | undefined {
  const found = list.filter((f) => f !== undefined);
  if (found.length === 0) return undefined;
  return {
    start: found[0]!.start,
    end: found[0]!.end,
    amount: Math.round(found.reduce((sum, f) => sum + f.amount, 0) * 100) / 100,
  };
}

/** Each account that could not be reached once, else each pair that failed, with the reason. */
function unreachablePairs(pairs: Pair[]): Coverage['unreachable'] {
  const out: Coverage['unreachable'] = [];
  for (const pair of pairs) {
    if (!pair.error) continue;
    const who = { account: pair.target.account!, ...(pair.target.label ? { label: pair.target.label } : {}) };
    if (pair.target.error) {
      if (!out.some((u) => u.account === who.account && u.region === undefined))
        out.push({ ...who, reason: pair.error });
    } else out.push({ ...who, region: pair.region, reason: pair.error });
  }
  return out;
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
  const fleet = isFleet(options);
  const clients = createClients(options.region, options.credentials);
  const hub: Run = { options, clients, now, today, warnings, requests: { count: 0 }, s3Claims: new Set() };
  const pairs: Pair[] = [];
  const costRuns = new Map<Target, Run>();
  const knownServices = settable<ServiceIdentity[]>();
  try {
    if (options.cache) hub.cache = new DayCache(options.cache.dir, warnings);
    // Cache entries belong to one account, and a fleet names its accounts.
    if (options.cache || fleet) hub.account = await callerAccount(clients.sts);
    const targets = fleet
      ? await resolveTargets(hub)
      : [{ account: hub.account, credentials: options.credentials } as Target];
    const regions = fleet ? [...new Set([options.region, ...(options.regions ?? [])])] : [options.region];
    for (const target of targets) {
      for (const region of regions) {
        pairs.push(
          target.error
            ? ({ target, region, run: hub, error: target.error } as Pair)
            : fleet
              ? { target, region, run: pairRun(hub, target, region) }
              : { target, region, run: hub },
        );
      }
    }
    const period = { start: previous.start, end: window.end };
    const reachable = targets.filter((t) => !t.error);
    const payer = fleet && options.costSource === 'payer';
    /** Prices, then each account's bill; in a fleet this runs while the logs are read. */
    const readCosts = async () => {
      const priceList = await priceListOf(hub, regions);
      const costs = new Map<Target, AccountCosts>();
      await pool(reachable, PAIR_CONCURRENCY, async (target) => {
        const run = !fleet
          ? hub
          : payer
            ? {
                ...hub,
                requests: { count: 0 },
                warnings: [],
                ...(target.account ? { account: target.account } : {}),
              }
            : pairRun(hub, target, options.region);
        costRuns.set(target, run);
        const mine = knownServices.promise.then((all) =>
          all.filter((s) => !fleet || s.account === target.account),
        );
        // A management account's Cost Explorer holds its members' costs too: each account asks for its own.
        const scope = fleet ? { linkedAccount: target.account, anomalies: !payer } : { anomalies: true };
        costs.set(target, await accountCosts(run, period, window, priceList, mine, scope));
        if (fleet) warnings.push(...run.warnings.map((w) => `${accountName(target)}: ${w}`));
      });
      if (payer) {
        const payerAnomalies = await latticeAnomalies(clients.costExplorer, window, [], hub.requests).catch(
          (error: unknown) => {
            warnings.push(`Cost Anomaly Detection could not be read: ${errorMessage(error)}`);
            return [];
          },
        );
        if (reachable[0]) costs.get(reachable[0])?.anomalies.push(...payerAnomalies);
      }
      return { priceList, costs };
    };
    // Cost Explorer needs nothing from the logs but the services' names for backend costs.
    const costsRead = fleet ? readCosts() : undefined;
    costsRead?.catch(() => undefined);
    await pool(
      pairs.filter((p) => !p.error),
      PAIR_CONCURRENCY,
      (pair) => readPair(pair, days, fleet),
    );
    const read = pairs.filter((p) => p.inventory);
    if (fleet && options.serviceNetwork && read.length > 0 && read.every((p) => !p.inventory!.network)) {
      throw new UsageError(
        `service-network "${options.serviceNetwork}" was found in none of the ${read.length} account-region pairs read; give its name, id or ARN.`,
      );
    }
    if (fleet) {
      // Each pair's warnings name the account and region they are about.
      for (const pair of pairs) {
        if (pair.run === hub) continue;
        warnings.push(...pair.run.warnings.map((w) => `${accountName(pair.target)} ${pair.region}: ${w}`));
      }
    }
    const { aggregates, overlaps } = mergePairs(read);
    if (overlaps > 0) {
      warnings.push(
        `${overlaps} service-day(s) appeared in the access logs of two accounts (the network owner's and the service owner's): each was counted once, from the log that saw more of its requests.`,
      );
    }
    const problems = noProblems();
    for (const pair of read) if (pair.problems) addProblems(problems, pair.problems);
    warnings.push(...problemWarnings(problems));
    const inventoryServices = uniqueByArn(read.flatMap((p) => p.inventory!.services));
    const inventoryResources = uniqueByArn(read.flatMap((p) => p.inventory!.resources));
    // Resource configurations are not services: they are named by the inventory only.
    const seen = [...aggregates.services.values()].filter((s) => s.kind === undefined);
    const network = read.find((p) => p.inventory!.network)?.inventory!.network;
    const inventoried = new Set(inventoryServices.map((s) => s.arn));
    if (network) {
      const others = seen.filter((s) => !inventoried.has(s.arn));
      if (others.length > 0) {
        warnings.push(
          `${others.length} service(s) in the logs are not associated with ${network.name} now; they are included.`,
        );
      }
    }
    // Names and creation times from the owner's account and region where this run reads it.
    const unknown = seen.filter((s) => !inventoried.has(s.arn));
    for (const pair of read) {
      const owned = unknown.filter(
        (s) => !fleet || (s.account === pair.target.account && s.region === pair.region),
      );
      if (owned.length > 0) await describeServices(pair.run.clients.lattice, owned, warnings);
    }
    const windowRecords = [...aggregates.days.values()]
      .filter((d) => d.day >= window.start)
      .reduce((sum, d) => sum + d.requests, 0);
    if (windowRecords === 0 && read.length > 0)
      warnings.push('No access-log records in the window: either no traffic, or access logging was off.');

    knownServices.resolve([...inventoryServices, ...seen]);
    const { priceList, costs } = await (costsRead ?? readCosts());
    const allCosts = [...costs.values()];
    const forecast = fleet ? sumForecasts(allCosts.map((c) => c.forecast)) : allCosts[0]?.forecast;
    const backend = new Map(allCosts.flatMap((c) => [...c.backend]));

    const scans = read.map((p) => p.scan).filter((s) => s !== undefined);
    const bytesScanned = scans.reduce((sum, s) => sum + s.bytesScanned, 0);
    const queries = scans.reduce((sum, s) => sum + s.queries, 0);
    const s3Reads = read.map((p) => p.s3).filter((s) => s !== undefined);
    const athenaRun = {
      queries: s3Reads.reduce((sum, s) => sum + s.scan.queries, 0),
      bytesScanned: s3Reads.reduce((sum, s) => sum + s.scan.bytesScanned, 0),
      estimatedCostUsd: usd(athenaCostUsd(s3Reads.reduce((sum, s) => sum + s.scan.billedBytes, 0))),
    };
    const athenaAvoided = s3Reads.reduce((sum, s) => sum + s.bytesAvoided, 0);
    const direct = {
      days: s3Reads.reduce((sum, s) => sum + s.scan.direct.days, 0),
      objects: s3Reads.reduce((sum, s) => sum + s.scan.direct.objects, 0),
      bytesRead: s3Reads.reduce((sum, s) => sum + s.scan.direct.bytes, 0),
    };
    const ceRequests =
      hub.requests.count +
      [...costRuns.values()].filter((r) => r !== hub).reduce((sum, r) => sum + r.requests.count, 0);
    const stats = hub.cache?.stats;
    const accountInputs: AccountInput[] | undefined = fleet
      ? targets.map((target) => {
          const mine = pairs.filter((p) => p.target === target);
          const ok = mine.filter((p) => !p.error).length;
          const status: AccountInput['status'] =
            ok === mine.length ? 'read' : ok === 0 ? 'unreachable' : 'partial';
          const billedAmounts = costs.get(target)?.billed;
          const ownScans = [...mine.map((p) => p.scan), ...mine.map((p) => p.s3?.scan)].filter(
            (s) => s !== undefined,
          );
          return {
            account: target.account!,
            ...(target.label ? { label: target.label } : {}),
            status,
            ...(billedAmounts ? { billed: billedAmounts } : {}),
            run: {
              bytesScanned: ownScans.reduce((sum, s) => sum + s.bytesScanned, 0),
              queries: ownScans.reduce((sum, s) => sum + s.queries, 0),
              costExplorerRequests: costRuns.get(target)?.requests.count ?? 0,
            },
          };
        })
      : undefined;
    const coverage: Coverage | undefined = accountInputs
      ? {
          accounts: {
            expected: accountInputs.length,
            read: accountInputs.filter((a) => a.status === 'read').length,
          },
          regions: { expected: pairs.length, read: pairs.filter((p) => !p.error).length },
          complete: pairs.every((p) => !p.error),
          unreachable: unreachablePairs(pairs),
        }
      : undefined;
    const report = describeReport(
      buildAnalysis({
        aggregates,
        inventory: [...inventoryServices, ...inventoryResources],
        window,
        coveredDays: new Set(days),
        ...(accountInputs ? { accounts: accountInputs } : {}),
        ...(coverage ? { coverage } : {}),
        billed: fleet ? undefined : allCosts[0]?.billed,
        ...(priceList ? { priceList } : {}),
        thresholds: options.thresholds,
        source: {
          kind: 'aws',
          ...(network ? { serviceNetwork: network.name } : {}),
          logGroups: [...new Set(read.filter((p) => !p.s3).flatMap((p) => p.inventory!.logGroups))].sort(),
          ...(s3Reads.length > 0
            ? {
                s3: uniqueBy(
                  s3Reads.map((s) => ({
                    location: s3Uri(s.location),
                    table: s.table,
                    workGroup: s.workGroup,
                    roots: s.roots,
                  })),
                  (s) => `${s.location} ${s.table}`,
                ),
              }
            : {}),
          queryIds: [...scans.flatMap((s) => s.queryIds), ...s3Reads.flatMap((s) => s.scan.queryIds)],
          files: [],
          records: [...aggregates.days.values()].reduce((sum, d) => sum + d.requests, 0),
          malformed: 0,
          malformedSamples: [],
        },
        run: {
          insights: { queries, bytesScanned },
          ...(s3Reads.length > 0 ? { athena: athenaRun, s3Direct: direct } : {}),
          costExplorer: { requests: ceRequests },
          estimatedRunCostUsd: usd(
            (bytesScanned / BYTES_PER_GB) * INSIGHTS_USD_PER_GB +
              athenaRun.estimatedCostUsd +
              ceRequests * COST_EXPLORER_USD_PER_REQUEST,
          ),
          ...(stats
            ? {
                cache: {
                  logDaysHit: stats.logDaysHit,
                  logDaysScanned:
                    scans.reduce((sum, s) => sum + s.chunks.size, 0) +
                    s3Reads.reduce((sum, s) => sum + s.scan.chunks.size, 0),
                  bytesAvoided: stats.bytesAvoided,
                  costDaysHit: stats.costDaysHit,
                  costExplorerRequestsAvoided: stats.costExplorerRequestsAvoided,
                  savedUsd: usd(
                    ((stats.bytesAvoided - athenaAvoided) / BYTES_PER_GB) * INSIGHTS_USD_PER_GB +
                      athenaCostUsd(athenaAvoided) +
                      stats.costExplorerRequestsAvoided * COST_EXPLORER_USD_PER_REQUEST,
                  ),
                },
              }
            : {}),
        },
        awsAnomalies: allCosts.flatMap((c) => c.anomalies),
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
        cacheWritten: hub.cache?.stats.written ?? 0,
      },
    };
  } finally {
    knownServices.resolve([]);
    for (const run of new Set([...pairs.map((p) => p.run), ...costRuns.values()]))
      if (run.clients !== clients) run.clients.destroy();
    clients.destroy();
  }
}
