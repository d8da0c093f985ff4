/**
 * The AWS pipeline: inventory from the Lattice API, day aggregates from Logs Insights, billed
 * amounts, anomalies and the forecast from Cost Explorer, then the same buildReport as offline.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { addDays, dayRange, makeWindow, previousWindow, todayUtc } from '../analysis/dates.js';
import type { BilledCosts } from '../analysis/billing.js';
import { BYTES_PER_GB } from '../analysis/pricing.js';
import type { Thresholds } from '../analysis/thresholds.js';
import { checkDay } from '../analysis/window.js';
import { createClients } from '../aws/clients.js';
import {
  type CostRequests,
  backendCosts,
  billedCosts,
  latticeAnomalies,
  latticeUsageTypes,
  monthForecast,
} from '../aws/costs.js';
import { errorMessage, UsageError } from '../errors.js';
import { nameServices, readInventory } from '../aws/inventory.js';
import { type ScanOptions, scanDays } from '../aws/insights.js';
import { publishMetrics } from '../aws/metrics.js';
import { buildReport } from '../report/build.js';
import type { Anomaly, Report } from '../report/model.js';
import { assertValidReport } from '../report/validate.js';
import { TOOL } from '../version.js';

/** Logs Insights list price per GB scanned (us-east-1). */
export const INSIGHTS_USD_PER_GB = 0.005;
/** Cost Explorer API price per request, each page included. */
export const COST_EXPLORER_USD_PER_REQUEST = 0.01;

export interface AwsAnalysis {
  region: string;
  /** From OIDC; without them the SDK's default credential chain is used. */
  credentials?: AwsCredentialIdentity;
  serviceNetwork?: string;
  logGroupNames: string[];
  lookbackDays: number;
  /** Exclusive end day; default today (UTC), so the window holds whole days. */
  endDate?: string;
  costMetric: string;
  costTagKey?: string;
  thresholds: Thresholds;
  publishMetrics: boolean;
  now?: Date;
  signal?: AbortSignal;
  log?: (message: string) => void;
  scan?: Pick<ScanOptions, 'concurrency' | 'pollMinMs' | 'pollMaxMs' | 'rowLimit'>;
}

export interface AwsResult {
  report: Report;
  stats: { seconds: number; metricRequests: number };
}

export async function analyzeAws(options: AwsAnalysis): Promise<AwsResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const today = todayUtc(now);
  const log = options.log ?? (() => {});
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
  try {
    const inventory = await readInventory(clients.lattice, {
      serviceNetwork: options.serviceNetwork,
      logGroupNames: options.logGroupNames,
    });
    warnings.push(...inventory.warnings);
    log(
      `Scanning ${days.length} days of ${inventory.logGroups.join(', ')}` +
        (inventory.network
          ? ` for service network ${inventory.network.name} (${inventory.services.length} services)`
          : ''),
    );
    const scan = await scanDays(clients.logs, {
      logGroups: inventory.logGroups,
      days,
      signal: options.signal,
      log,
      ...options.scan,
    });
    if (scan.problems.noDay > 0) {
      warnings.push(`${scan.problems.noDay} log records had no usable startTime and were left out.`);
    }
    if (scan.problems.noDuration > 0) {
      warnings.push(
        `${scan.problems.noDuration} requests had no usable duration: counted, but left out of latency.`,
      );
    }
    const seen = [...scan.aggregates.services.values()];
    if (inventory.network) {
      const associated = new Set(inventory.services.map((s) => s.arn));
      const others = seen.filter((s) => !associated.has(s.arn));
      if (others.length > 0) {
        warnings.push(
          `${others.length} service(s) in the logs are not associated with ${inventory.network.name} now; they are included.`,
        );
      }
    }
    await nameServices(
      clients.lattice,
      seen.filter((s) => !inventory.services.some((i) => i.arn === s.arn)),
      warnings,
    );
    const windowRecords = [...scan.aggregates.days.values()]
      .filter((d) => d.day >= window.start)
      .reduce((sum, d) => sum + d.requests, 0);
    if (windowRecords === 0) {
      warnings.push('No access-log records in the window: either no traffic, or access logging was off.');
    }

    const requests: CostRequests = { count: 0 };
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
    const usageTypes = await costStep(
      'Cost Explorer could not be read, so costs are modelled from list prices',
      () => latticeUsageTypes(clients.costExplorer, period, requests),
    );
    let billed: BilledCosts | undefined;
    let awsAnomalies: Anomaly[] = [];
    let forecast: Report['forecast'] | null | undefined;
    if (usageTypes?.length === 0) {
      warnings.push(
        'Cost Explorer lists no VPC Lattice usage type for these days, so costs are modelled from list prices.',
      );
    } else if (usageTypes) {
      billed = await costStep(
        'Cost Explorer costs could not be read, so costs are modelled from list prices',
        () => billedCosts(clients.costExplorer, period, usageTypes, options.costMetric, requests),
      );
      awsAnomalies =
        (await costStep('Cost Anomaly Detection could not be read', () =>
          latticeAnomalies(clients.costExplorer, window, usageTypes, requests),
        )) ?? [];
      forecast = await monthForecast(
        clients.costExplorer,
        today,
        usageTypes,
        options.costMetric,
        requests,
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
            requests,
          ),
        )) ?? backend;
    }

    const bytesScanned = scan.bytesScanned;
    const report = buildReport({
      aggregates: scan.aggregates,
      inventory: inventory.services,
      window,
      coveredDays: new Set(days),
      billed,
      thresholds: options.thresholds,
      source: {
        kind: 'aws',
        ...(inventory.network ? { serviceNetwork: inventory.network.name } : {}),
        logGroups: inventory.logGroups,
        queryIds: scan.queryIds,
        files: [],
        records: [...scan.aggregates.days.values()].reduce((sum, d) => sum + d.requests, 0),
        malformed: 0,
        malformedSamples: [],
      },
      run: {
        insights: { queries: scan.queries, bytesScanned },
        costExplorer: { requests: requests.count },
        estimatedRunCostUsd:
          Math.round(
            ((bytesScanned / BYTES_PER_GB) * INSIGHTS_USD_PER_GB +
              requests.count * COST_EXPLORER_USD_PER_REQUEST) *
              10_000,
          ) / 10_000,
      },
      awsAnomalies,
      ...(forecast ? { forecast } : {}),
      warnings,
      generatedAt: now.toISOString(),
      tool: { ...TOOL },
    });
    for (const s of report.services) {
      const amount = backend.get(s.arn);
      if (amount !== undefined) s.backendCost = amount;
    }

    let metricRequests = 0;
    if (options.publishMetrics) {
      try {
        metricRequests = await publishMetrics(clients.cloudwatch, report, now);
      } catch (error) {
        report.warnings.push(`Metrics were not published: ${errorMessage(error)}`);
      }
    }
    return {
      report: assertValidReport(report),
      stats: { seconds: (performance.now() - started) / 1000, metricRequests },
    };
  } finally {
    clients.destroy();
  }
}
