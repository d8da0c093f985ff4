/**
 * Settled UTC days, kept between runs so each log byte is scanned once and each settled cost day
 * is fetched once: Logs Insights results per (account, region, log groups, query) and day, Cost
 * Explorer amounts per (account, metric) and day, and the discovered Lattice usage types.
 *
 * Entries are plain JSON files in one directory (the CLI's --cache-dir, or the directory the
 * action restores with @actions/cache). An entry is trusted only if it validates against the
 * schema and names the same scope and format; anything else is ignored with a warning.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import {
  type AggregateSet,
  type DescribedServices,
  type DayAggregateJSON,
  type SourceProblems,
  dayToJSON,
} from '../model/aggregate.js';
import type { ChargeAmounts } from '../model/costs.js';
import { addDays } from '../model/dates.js';
import { compareText } from '../model/compare.js';
import { errorMessage } from '../errors.js';
import schema from './cache-entry.schema.json' with { type: 'json' };

/** Bump when an entry's meaning changes in a way the scope's fingerprint does not capture. */
// 2: record classes (connections, gRPC, resource configurations) in each day aggregate.
// 3: callers in each day aggregate (the schema requires them, so an entry without is ignored).
const CACHE_FORMAT = 3;

export interface LogScope {
  account: string;
  region: string;
  logGroups: string[];
  /** Names how the aggregates were made (the query and histogram), so old ones are never mixed in. */
  fingerprint: string;
}

export interface CostScope {
  account: string;
  metric: string;
}

export interface CachedScan {
  aggregates: DayAggregateJSON[];
  bytesScanned: number;
  problems: SourceProblems;
  /** Result rows per second of log time (insights.ts): absent in entries of earlier versions. */
  rowsPerSecond?: number;
}

interface AggregateEntry extends CachedScan {
  kind: 'aggregates';
  format: number;
  fingerprint: string;
  account: string;
  region: string;
  logGroups: string[];
  day: string;
}

interface CostEntry {
  kind: 'costs';
  format: number;
  account: string;
  metric: string;
  day: string;
  currency: string;
  charges: ChargeAmounts;
  /** Per resource ID, when Cost Explorer gave the day per resource. */
  byResource?: Record<string, ChargeAmounts>;
}

interface PriceListEntry {
  kind: 'price-list';
  format: number;
  region: string;
  fetched: string;
  serviceCodes: string[];
  items: string[];
}

/** Whether Cost Explorer answered per resource when last asked; a "no" is asked again a week later. */
interface ResourceLevelEntry {
  kind: 'resource-level';
  format: number;
  account: string;
  checked: string;
  available: boolean;
}

/** A settled day of Cost Explorer amounts. */
export interface CachedCosts {
  charges: ChargeAmounts;
  currency: string;
  byResource?: Map<string, ChargeAmounts>;
}

interface UsageTypesEntry {
  kind: 'usage-types';
  format: number;
  account: string;
  discovered: string;
  usageTypes: string[];
}

/** Services' names and creation times from GetService: facts that never change for an ARN. */
interface ServicesEntry {
  kind: 'services';
  format: number;
  account: string;
  region: string;
  services: Array<{ arn: string; name?: string; createdAt: string }>;
}

type Entry =
  AggregateEntry | CostEntry | UsageTypesEntry | PriceListEntry | ResourceLevelEntry | ServicesEntry;

/** A UTC day is settled once `settlingDays` have passed since it ended: late logs are in by then. */
export function isSettled(day: string, now: Date, settlingDays: number): boolean {
  const end = Date.parse(`${addDays(day, 1)}T00:00:00Z`);
  return now.getTime() >= end + settlingDays * 86_400_000;
}

const hash = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

export interface CacheStats {
  /** Log days read from the cache instead of scanned. */
  logDaysHit: number;
  /** Bytes those days cost to scan when they were first scanned. */
  bytesAvoided: number;
  /** Cost Explorer days read from the cache. */
  costDaysHit: number;
  /** Cost Explorer requests not made thanks to the cache. */
  costExplorerRequestsAvoided: number;
  /** Entries written in this run. */
  written: number;
}

export class DayCache {
  readonly stats: CacheStats = {
    logDaysHit: 0,
    bytesAvoided: 0,
    costDaysHit: 0,
    costExplorerRequestsAvoided: 0,
    written: 0,
  };
  private readonly validate = new Ajv({ allErrors: false }).compile<Entry>(schema);

  constructor(
    readonly dir: string,
    private readonly warnings: string[],
  ) {}

  private path(kind: string, scope: unknown, name: string): string {
    return join(this.dir, `v${CACHE_FORMAT}`, kind, hash(scope), `${name}.json`);
  }

  private async read<T extends Entry>(file: string, matches: (entry: T) => boolean): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return undefined;
    }
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      entry = undefined;
    }
    if (!this.validate(entry) || entry.format !== CACHE_FORMAT || !matches(entry as T)) {
      this.warnings.push(
        `Ignored the cache entry ${file}: it is not a valid entry of this version for this scope.`,
      );
      return undefined;
    }
    return entry as T;
  }

  private async write(file: string, entry: Entry): Promise<void> {
    try {
      await mkdir(dirname(file), { recursive: true });
      // Write then rename, so a reader never sees half an entry.
      const partial = `${file}.${process.pid}.tmp`;
      await writeFile(partial, JSON.stringify(entry));
      await rename(partial, file);
      this.stats.written += 1;
    } catch (error) {
      this.warnings.push(`Could not write the cache entry ${file}: ${errorMessage(error)}`);
    }
  }

  private logMatches(scope: LogScope, day: string) {
    return (e: AggregateEntry): boolean =>
      e.kind === 'aggregates' &&
      e.fingerprint === scope.fingerprint &&
      e.account === scope.account &&
      e.region === scope.region &&
      JSON.stringify(e.logGroups) === JSON.stringify([...scope.logGroups].sort()) &&
      e.day === day;
  }

  private logPath(scope: LogScope, day: string): string {
    return this.path(
      'aggregates',
      [scope.account, scope.region, [...scope.logGroups].sort(), scope.fingerprint],
      day,
    );
  }

  /** The scan of `day` (by event timestamp), or undefined when it must be scanned. */
  async readScan(scope: LogScope, day: string): Promise<CachedScan | undefined> {
    const entry = await this.read(this.logPath(scope, day), this.logMatches(scope, day));
    if (!entry) return undefined;
    this.stats.logDaysHit += 1;
    this.stats.bytesAvoided += entry.bytesScanned;
    return {
      aggregates: entry.aggregates,
      bytesScanned: entry.bytesScanned,
      problems: entry.problems,
      ...(entry.rowsPerSecond !== undefined ? { rowsPerSecond: entry.rowsPerSecond } : {}),
    };
  }

  async writeScan(
    scope: LogScope,
    day: string,
    scan: {
      aggregates: AggregateSet;
      bytesScanned: number;
      problems: CachedScan['problems'];
      rowsPerSecond?: number;
    },
  ): Promise<void> {
    await this.write(this.logPath(scope, day), {
      kind: 'aggregates',
      format: CACHE_FORMAT,
      fingerprint: scope.fingerprint,
      account: scope.account,
      region: scope.region,
      logGroups: [...scope.logGroups].sort(),
      day,
      aggregates: [...scan.aggregates.days.values()].map(dayToJSON),
      bytesScanned: scan.bytesScanned,
      problems: { ...scan.problems },
      ...(scan.rowsPerSecond !== undefined ? { rowsPerSecond: scan.rowsPerSecond } : {}),
    });
  }

  /** Settled Cost Explorer amounts of `day`, by charge type. */
  async readCosts(scope: CostScope, day: string): Promise<CachedCosts | undefined> {
    const entry = await this.read<CostEntry>(
      this.path('costs', [scope.account, scope.metric], day),
      (e) => e.kind === 'costs' && e.account === scope.account && e.metric === scope.metric && e.day === day,
    );
    if (!entry) return undefined;
    this.stats.costDaysHit += 1;
    return {
      charges: entry.charges,
      currency: entry.currency,
      ...(entry.byResource ? { byResource: new Map(Object.entries(entry.byResource)) } : {}),
    };
  }

  async writeCosts(scope: CostScope, day: string, costs: CachedCosts): Promise<void> {
    const { charges, currency, byResource } = costs;
    await this.write(this.path('costs', [scope.account, scope.metric], day), {
      kind: 'costs',
      format: CACHE_FORMAT,
      account: scope.account,
      metric: scope.metric,
      day,
      currency,
      charges: { ...charges },
      ...(byResource ? { byResource: Object.fromEntries(byResource) } : {}),
    });
  }

  /** The Lattice usage types discovered within `maxAgeDays` before `today`. */
  async readUsageTypes(account: string, today: string, maxAgeDays: number): Promise<string[] | undefined> {
    const entry = await this.read<UsageTypesEntry>(
      this.path('usage-types', [account], 'latest'),
      (e) => e.kind === 'usage-types' && e.account === account,
    );
    if (!entry || entry.discovered < addDays(today, -maxAgeDays)) return undefined;
    return entry.usageTypes;
  }

  async writeUsageTypes(account: string, today: string, usageTypes: string[]): Promise<void> {
    await this.write(this.path('usage-types', [account], 'latest'), {
      kind: 'usage-types',
      format: CACHE_FORMAT,
      account,
      discovered: today,
      usageTypes,
    });
  }

  /** The Lattice products of `region`'s price list, fetched within `maxAgeDays` before `today`. */
  async readPriceList(
    region: string,
    today: string,
    maxAgeDays: number,
  ): Promise<{ items: string[]; serviceCodes: string[]; fetched: string } | undefined> {
    const entry = await this.read<PriceListEntry>(
      this.path('price-list', [region], 'latest'),
      (e) => e.kind === 'price-list' && e.region === region,
    );
    if (!entry || entry.fetched < addDays(today, -maxAgeDays)) return undefined;
    return { items: entry.items, serviceCodes: entry.serviceCodes, fetched: entry.fetched };
  }

  async writePriceList(
    region: string,
    today: string,
    list: { items: string[]; serviceCodes: string[] },
  ): Promise<void> {
    await this.write(this.path('price-list', [region], 'latest'), {
      kind: 'price-list',
      format: CACHE_FORMAT,
      region,
      fetched: today,
      serviceCodes: list.serviceCodes,
      items: list.items,
    });
  }

  /** Whether Cost Explorer resource-level data was unavailable within `maxAgeDays` before `today`. */
  async resourceLevelUnavailable(account: string, today: string, maxAgeDays: number): Promise<boolean> {
    const entry = await this.read<ResourceLevelEntry>(
      this.path('resource-level', [account], 'latest'),
      (e) => e.kind === 'resource-level' && e.account === account,
    );
    return !!entry && !entry.available && entry.checked >= addDays(today, -maxAgeDays);
  }

  async writeResourceLevel(account: string, today: string, available: boolean): Promise<void> {
    await this.write(this.path('resource-level', [account], 'latest'), {
      kind: 'resource-level',
      format: CACHE_FORMAT,
      account,
      checked: today,
      available,
    });
  }

  /** Services of `account` in `region` described by earlier runs (inventory.ts describeServices). */
  async readServices(account: string, region: string): Promise<DescribedServices> {
    const entry = await this.read<ServicesEntry>(
      this.path('services', [account, region], 'latest'),
      (e) => e.kind === 'services' && e.account === account && e.region === region,
    );
    return new Map((entry?.services ?? []).map(({ arn, ...known }) => [arn, known]));
  }

  /** Keeps `services`, sorted by ARN; the caller passes only those it still has. */
  async writeServices(account: string, region: string, services: DescribedServices): Promise<void> {
    await this.write(this.path('services', [account, region], 'latest'), {
      kind: 'services',
      format: CACHE_FORMAT,
      account,
      region,
      services: [...services]
        .sort(([a], [b]) => compareText(a, b))
        .map(([arn, known]) => ({ arn, ...known })),
    });
  }
}
