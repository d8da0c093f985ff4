/**
 * Cost Explorer: which usage types are Lattice's, what they cost per day (this window and the one
 * before, in one request), the anomalies Cost Anomaly Detection found, and the month's forecast.
 * Every request costs $0.01, so each one is counted and none is made without need.
 */
import {
  type CostExplorerClient,
  type Expression,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandOutput,
  GetCostAndUsageWithResourcesCommand,
  GetCostForecastCommand,
  GetDimensionValuesCommand,
  type Metric,
  paginateGetAnomalies,
} from '@aws-sdk/client-cost-explorer';
import type { ServiceIdentity } from '../model/aggregate.js';
import type { BilledCosts, ChargeType } from '../model/costs.js';
import { emptyBill, isLatticeUsageType, parseCostAndUsage } from './cost-and-usage.js';
import { addDays } from '../model/dates.js';
import type { Anomaly } from '../model/findings.js';
import type { Report } from '../model/report.js';
import { awsCall } from './errors.js';

export interface CostRequests {
  count: number;
}

export interface Period {
  start: string;
  /** Exclusive. */
  end: string;
}

/**
 * Every page of one Cost Explorer request, each counted: the CE paginators are not used so
 * that each page is counted as the request it is billed as.
 */
async function pages<T extends { NextPageToken?: string }>(
  requests: CostRequests,
  action: string,
  what: string,
  send: (token: string | undefined) => Promise<T>,
): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    requests.count += 1;
    const page = await awsCall(action, what, () => send(token));
    all.push(page);
    token = page.NextPageToken;
  } while (token);
  return all;
}

/** The USAGE_TYPE values with "Lattice" in them, found at run time rather than hard-coded. */
export async function latticeUsageTypes(
  ce: CostExplorerClient,
  period: Period,
  requests: CostRequests,
  linkedAccount?: string,
): Promise<string[]> {
  const types = new Set<string>();
  const answers = await pages(
    requests,
    'ce:GetDimensionValues',
    'Finding the VPC Lattice usage types in Cost Explorer',
    (token) =>
      ce.send(
        new GetDimensionValuesCommand({
          TimePeriod: { Start: period.start, End: period.end },
          Dimension: 'USAGE_TYPE',
          SearchString: 'Lattice',
          Context: 'COST_AND_USAGE',
          ...(linkedAccount ? { Filter: linkedAccountFilter(linkedAccount) } : {}),
          NextPageToken: token,
        }),
      ),
  );
  for (const page of answers) {
    for (const v of page.DimensionValues ?? [])
      if (v.Value && isLatticeUsageType(v.Value)) types.add(v.Value);
  }
  return [...types].sort();
}

/**
 * One account's costs. Documented (Cost Explorer API reference, GetCostAndUsage and Dimension):
 * LINKED_ACCOUNT is a dimension, and the management account's Cost Explorer holds every member
 * account's costs; so a fleet run asks for each account's own, whether from its own Cost Explorer
 * or from the management account's (`cost-source: payer`).
 */
function linkedAccountFilter(account: string): Expression {
  return { Dimensions: { Key: 'LINKED_ACCOUNT', Values: [account] } };
}

function usageFilter(usageTypes: string[], linkedAccount?: string): Expression {
  return {
    And: [
      { Dimensions: { Key: 'USAGE_TYPE', Values: usageTypes } },
      { Dimensions: { Key: 'RECORD_TYPE', Values: ['Usage'] } },
      ...(linkedAccount ? [linkedAccountFilter(linkedAccount)] : []),
    ],
  };
}

function costAndUsagePages(
  ce: CostExplorerClient,
  input: ConstructorParameters<typeof GetCostAndUsageCommand>[0],
  requests: CostRequests,
  what: string,
): Promise<GetCostAndUsageCommandOutput[]> {
  return pages(requests, 'ce:GetCostAndUsage', what, (token) =>
    ce.send(new GetCostAndUsageCommand({ ...input, NextPageToken: token })),
  );
}

/**
 * Daily Lattice amounts by usage type, for the whole period in one paged request; with
 * `perResource`, by resource too (GetCostAndUsageWithResources). Documented in the Cost Explorer
 * API reference: that is an opt-in feature (Cost Explorer settings), daily, within the last 14
 * days, with a Filter. That Lattice's charges carry the service's ARN as their resource ID is an
 * assumption; a charge that names no known service stays unallocated, so a wrong guess shows as
 * a shared line, never as another service's cost.
 */
export async function billedCosts(
  ce: CostExplorerClient,
  period: Period,
  usageTypes: string[],
  metric: string,
  requests: CostRequests,
  options: { listed?: ReadonlyMap<string, ChargeType>; perResource?: boolean; linkedAccount?: string } = {},
): Promise<BilledCosts> {
  const input = {
    TimePeriod: { Start: period.start, End: period.end },
    Granularity: 'DAILY' as const,
    Metrics: [metric],
    Filter: usageFilter(usageTypes, options.linkedAccount),
  };
  const usageType = { Type: 'DIMENSION' as const, Key: 'USAGE_TYPE' };
  const answers = options.perResource
    ? await pages(
        requests,
        'ce:GetCostAndUsageWithResources',
        'Reading VPC Lattice costs per resource from Cost Explorer',
        (token) =>
          ce.send(
            new GetCostAndUsageWithResourcesCommand({
              ...input,
              GroupBy: [{ Type: 'DIMENSION', Key: 'RESOURCE_ID' }, usageType],
              NextPageToken: token,
            }),
          ),
      )
    : await costAndUsagePages(
        ce,
        { ...input, GroupBy: [usageType] },
        requests,
        'Reading VPC Lattice costs from Cost Explorer',
      );
  // Only Lattice usage types were asked for, so the answer is a Lattice bill, if an empty one.
  const warnings: string[] = [];
  return (
    parseCostAndUsage(answers, 'Cost Explorer', metric, warnings, options.listed) ??
    emptyBill(metric, warnings)
  );
}

/** Each service's backend cost: all costs tagged `tagKey` = the service's name, id or ARN. */
export async function backendCosts(
  ce: CostExplorerClient,
  period: Period,
  tagKey: string,
  metric: string,
  services: ServiceIdentity[],
  requests: CostRequests,
): Promise<Map<string, number>> {
  const answers = await costAndUsagePages(
    ce,
    {
      TimePeriod: { Start: period.start, End: period.end },
      Granularity: 'MONTHLY',
      Metrics: [metric],
      GroupBy: [{ Type: 'TAG', Key: tagKey }],
    },
    requests,
    `Reading costs by the cost-allocation tag ${tagKey}`,
  );
  const byValue = new Map<string, number>();
  for (const page of answers) {
    for (const result of page.ResultsByTime ?? []) {
      for (const group of result.Groups ?? []) {
        // Tag group keys are "<key>$<value>"; untagged cost is "<key>$".
        const value = group.Keys?.[0]?.split('$').slice(1).join('$') ?? '';
        const amount = Number(group.Metrics?.[metric]?.Amount ?? 0);
        if (value && Number.isFinite(amount)) byValue.set(value, (byValue.get(value) ?? 0) + amount);
      }
    }
  }
  const result = new Map<string, number>();
  for (const s of services) {
    const amount = byValue.get(s.arn) ?? byValue.get(s.id) ?? (s.name ? byValue.get(s.name) : undefined);
    if (amount !== undefined) result.set(s.arn, Math.round(amount * 100) / 100);
  }
  return result;
}

/**
 * Cost Anomaly Detection's anomalies in the period with a root cause in VPC Lattice: a Lattice usage
 * type, or a service named Lattice. Lattice may be billed under Amazon Virtual Private Cloud (an
 * assumption: the product code AmazonVPC is shared), so that service name alone would also take in
 * VPC endpoints and public IPv4 addresses; it is not enough.
 */
export async function latticeAnomalies(
  ce: CostExplorerClient,
  period: Period,
  usageTypes: string[],
  requests: CostRequests,
): Promise<Anomaly[]> {
  const known = new Set(usageTypes);
  const anomalies: Anomaly[] = [];
  await awsCall('ce:GetAnomalies', 'Reading Cost Anomaly Detection anomalies', async () => {
    const pages = paginateGetAnomalies(
      { client: ce },
      { DateInterval: { StartDate: period.start, EndDate: addDays(period.end, -1) } },
    );
    for await (const page of pages) {
      requests.count += 1;
      for (const a of page.Anomalies ?? []) {
        const cause = (a.RootCauses ?? []).find(
          (c) =>
            (c.UsageType && (known.has(c.UsageType) || isLatticeUsageType(c.UsageType))) ||
            /lattice/i.test(c.Service ?? ''),
        );
        if (!cause) continue;
        const expected = a.Impact?.TotalExpectedSpend ?? 0;
        const actual = a.Impact?.TotalActualSpend ?? expected + (a.Impact?.TotalImpact ?? 0);
        const anomaly: Anomaly = {
          date: (a.AnomalyStartDate ?? a.AnomalyEndDate ?? period.start).slice(0, 10),
          metric: 'cost',
          expected,
          actual,
          impact: a.Impact?.TotalImpact ?? actual - expected,
          impactUsd: a.Impact?.TotalImpact ?? actual - expected,
          score: a.AnomalyScore?.MaxScore ?? 0,
          source: 'aws-cad',
        };
        const where = cause.UsageType ?? cause.Service;
        if (where) anomaly.where = where;
        anomalies.push(anomaly);
      }
    }
  });
  return anomalies;
}

const FORECAST_METRIC: Record<string, Metric> = {
  UnblendedCost: 'UNBLENDED_COST',
  AmortizedCost: 'AMORTIZED_COST',
  BlendedCost: 'BLENDED_COST',
  NetUnblendedCost: 'NET_UNBLENDED_COST',
  NetAmortizedCost: 'NET_AMORTIZED_COST',
};

/** Lattice cost forecast from `today` to the end of its month; null when AWS has no forecast. */
export async function monthForecast(
  ce: CostExplorerClient,
  today: string,
  usageTypes: string[],
  metric: string,
  requests: CostRequests,
  warnings: string[],
  linkedAccount?: string,
): Promise<Report['forecast'] | null> {
  const monthEnd = `${addDays(`${today.slice(0, 7)}-28`, 4).slice(0, 7)}-01`;
  const forecastMetric = FORECAST_METRIC[metric];
  if (!forecastMetric || today >= monthEnd) return null;
  requests.count += 1;
  try {
    const response = await ce.send(
      new GetCostForecastCommand({
        TimePeriod: { Start: today, End: monthEnd },
        Metric: forecastMetric,
        Granularity: 'MONTHLY',
        Filter: usageFilter(usageTypes, linkedAccount),
        PredictionIntervalLevel: 80,
      }),
    );
    const amount = Number(response.Total?.Amount);
    if (!Number.isFinite(amount)) return null;
    const interval = response.ForecastResultsByTime?.[0];
    return {
      start: today,
      end: monthEnd,
      amount: Math.round(amount * 100) / 100,
      ...(interval?.PredictionIntervalLowerBound
        ? { lower: Number(interval.PredictionIntervalLowerBound) }
        : {}),
      ...(interval?.PredictionIntervalUpperBound
        ? { upper: Number(interval.PredictionIntervalUpperBound) }
        : {}),
    };
  } catch (error) {
    const name = (error as { name?: string }).name;
    // New accounts and sparse usage have no forecast; that is a note, not a failure.
    warnings.push(
      name === 'DataUnavailableException'
        ? 'Cost Explorer has too little history to forecast the rest of the month.'
        : `No month forecast: Cost Explorer GetCostForecast failed (${name ?? 'error'}).`,
    );
    return null;
  }
}
