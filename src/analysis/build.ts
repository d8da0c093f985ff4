/**
 * Every number of the report (schema v1) from day aggregates, billed costs and thresholds, with
 * the findings as data. Pure: no I/O, no clock (the caller passes `generatedAt`), so the same
 * input always gives the same analysis.
 */
import {
  type AggregateSet,
  type DayAggregate,
  type ServiceIdentity,
  emptyDay,
  errorRate,
  mergeDay,
  serverErrors,
} from '../model/aggregate.js';
import { attributeCosts, chargeTotal, sumCharges } from './attribution.js';
import { networkCallers, serviceCallers } from './callers.js';
import { billableHours, createdAfterRecord, firstRecordHour } from './service-hours.js';
import type { BilledCosts, ChargeAmounts, PriceTable, RegionPrices } from '../model/costs.js';
import { addDays, dayRange, previousWindow, type Window } from '../model/dates.js';
import {
  type DailyPoint,
  type ServiceAnalysis,
  compareFindings,
  costOutliers,
  detectServiceAnomalies,
  incidentFindings,
  serviceFindings,
} from './findings.js';
import { LatencyHistogram } from '../model/histogram.js';
import { BYTES_PER_GB } from '../model/costs.js';
import { resolvePrices } from './prices.js';
import type { PriceList } from './price-list.js';
import { allocateCents, roundTo } from './money.js';
import type { Thresholds } from './thresholds.js';
import type { Anomaly } from '../model/findings.js';
import type {
  AccountSummary,
  Analysis,
  CostBreakdown,
  Coverage,
  LatencySummary,
  Report,
  ResourceConfigurationReport,
  ServiceNumbers,
  ServiceReport,
  SharedCost,
} from '../model/report.js';

/** One account of a multi-account run, as the pipeline read it. */
export interface AccountInput {
  account: string;
  label?: string;
  status: AccountSummary['status'];
  /** Its own Lattice bill; absent when Cost Explorer could not be read (then modelled). */
  billed?: BilledCosts;
  run: AccountSummary['run'];
}

export interface BuildInput {
  aggregates: AggregateSet;
  /** Services known to exist (from the Lattice API); they are billed even without traffic. */
  inventory?: ServiceIdentity[];
  window: Window;
  /** Days the log source covers; a window is compared only when all its days are covered. */
  coveredDays: ReadonlySet<string>;
  billed?: BilledCosts;
  /**
   * Multi-account runs: each service is billed from its owner's bill, reconciled per account and
   * day, and `billed` is not used. Services of accounts not listed are modelled.
   */
  accounts?: AccountInput[];
  coverage?: Coverage;
  priceOverrides?: Record<string, PriceTable>;
  /** The AWS Price List's Lattice products, from the API or a file. */
  priceList?: PriceList;
  thresholds: Thresholds;
  source: Report['source'];
  run?: Report['run'];
  awsAnomalies?: Anomaly[];
  /** Backend (compute) cost per service ARN, from the cost-allocation tag. */
  backendCosts?: ReadonlyMap<string, number>;
  forecast?: Report['forecast'];
  warnings?: string[];
  generatedAt: string;
  tool: Report['tool'];
  /**
   * The caller is done with `aggregates`: its days are emptied, and each service's are dropped once
   * its report is built, so the days and the whole report are never in memory together.
   */
  releaseDays?: boolean;
  /** Called as each service's report is done: where the CLI collects the days it released. */
  afterService?: () => void;
}

function latencySummary(h: LatencyHistogram): LatencySummary | null {
  if (h.count === 0) return null;
  const q = (p: number): number => roundTo(h.quantile(p)!, 2);
  return { p50: q(0.5), p90: q(0.9), p95: q(0.95), p99: q(0.99), mean: roundTo(h.mean!, 2) };
}

function mergeDays(serviceArn: string, days: Array<DayAggregate | undefined>): DayAggregate {
  const total = emptyDay(serviceArn, '');
  for (const d of days) if (d) mergeDay(total, d);
  return total;
}

function numbers(agg: DayAggregate, cost: CostBreakdown): ServiceNumbers {
  return {
    requests: agg.requests,
    connections: agg.connections,
    grpcCalls: agg.grpcCalls,
    status: { ...agg.status },
    grpcErrors: agg.grpcErrors,
    authDenied: agg.authDenied,
    errorRate: roundTo(errorRate(agg.requests, agg.connections, serverErrors(agg)), 6),
    latencyMs: latencySummary(agg.latency),
    connectionMs: latencySummary(agg.connectionMs),
    bytesIn: agg.bytesIn,
    bytesOut: agg.bytesOut,
    cost,
    costPerMillionRequests: agg.requests > 0 ? roundTo((cost.total / agg.requests) * 1e6, 2) : null,
  };
}

/** Window cost per service and shared, in cents that add up to the window's total. */
function windowCosts(
  services: ServiceIdentity[],
  perService: Map<string, Map<string, ChargeAmounts>>,
  shared: Map<string, ChargeAmounts>,
  days: string[],
  credits: ReadonlyMap<string, number> = new Map(),
): { services: Map<string, CostBreakdown>; shared: SharedCost } {
  const sums = services.map((s) =>
    sumCharges(days.map((d) => perService.get(s.arn)?.get(d)).filter((c) => c !== undefined)),
  );
  const sharedSum = sumCharges(days.map((d) => shared.get(d)).filter((c) => c !== undefined));
  const flat = [
    ...sums.flatMap((c) => [c.hours, c.data, c.requests]),
    sharedSum.hours,
    sharedSum.data,
    sharedSum.requests,
    sharedSum.other,
  ];
  const cents = allocateCents(flat);
  const result = new Map<string, CostBreakdown>();
  services.forEach((s, i) => {
    const [hours, data, requests] = cents.slice(i * 3, i * 3 + 3) as [number, number, number];
    result.set(s.arn, { total: roundTo(hours + data + requests, 2), hours, data, requests });
  });
  const [hours, data, requests, other] = cents.slice(services.length * 3) as [number, number, number, number];
  return {
    services: result,
    shared: {
      total: roundTo(hours + data + requests + other, 2),
      hours,
      data,
      requests,
      other,
      credits: roundTo(
        days.reduce((sum, d) => sum + (credits.get(d) ?? 0), 0),
        2,
      ),
    },
  };
}

/** Resource configurations over the window, their cost modelled from the resource price table. */
function resourceConfigurations(
  resources: ServiceIdentity[],
  windowDays: string[],
  day: (arn: string, d: string) => DayAggregate | undefined,
  prices: Record<string, RegionPrices>,
  hours: (identity: ServiceIdentity, d: string) => number,
  owner: (identity: ServiceIdentity) => Owner,
): ResourceConfigurationReport[] {
  const reports = resources.map((r) => {
    const agg = mergeDays(
      r.arn,
      windowDays.map((d) => day(r.arn, d)),
    );
    const { resource } = prices[r.region]!;
    const resourceHours = windowDays.reduce((sum, d) => sum + hours(r, d), 0);
    const hourCost = roundTo(resourceHours * resource.resourceHour, 2);
    const data = roundTo(((agg.bytesIn + agg.bytesOut) / BYTES_PER_GB) * resource.perGB, 2);
    return {
      arn: r.arn,
      id: r.id,
      name: r.name ?? r.id,
      region: r.region,
      ...owner(r),
      connections: agg.connections,
      authDenied: agg.authDenied,
      connectionMs: latencySummary(agg.connectionMs),
      bytesIn: agg.bytesIn,
      bytesOut: agg.bytesOut,
      cost: { total: roundTo(hourCost + data, 2), hours: hourCost, data },
    };
  });
  return reports.sort((a, b) => b.cost.total - a.cost.total || a.name.localeCompare(b.name));
}

/** A bill and the services it pays for: the run's, or one account's. */
interface CostGroup {
  account?: AccountInput;
  services: ServiceIdentity[];
  billed?: BilledCosts;
}

type WindowCosts = ReturnType<typeof windowCosts>;

/** The groups' window costs as one: every service, and the shared lines added up. */
function combineCosts(groups: WindowCosts[]): WindowCosts {
  const services = new Map(groups.flatMap((g) => [...g.services]));
  const shared: SharedCost = { total: 0, hours: 0, data: 0, requests: 0, other: 0, credits: 0 };
  for (const g of groups) {
    for (const key of Object.keys(shared) as Array<keyof SharedCost>)
      shared[key] = roundTo(shared[key] + g.shared[key], 2);
  }
  return { services, shared };
}

type Owner = Pick<ServiceReport, 'account' | 'accountLabel'>;

/** One account's totals: its services and its shared line; region subtotals hold services only. */
function accountSummary(a: AccountInput, services: ServiceReport[], shared: SharedCost): AccountSummary {
  const regions = [...new Set(services.map((s) => s.region))].sort().map((region) => {
    const inRegion = services.filter((s) => s.region === region);
    return {
      region,
      services: inRegion.length,
      requests: inRegion.reduce((sum, s) => sum + s.requests, 0),
      cost: roundTo(
        inRegion.reduce((sum, s) => sum + s.cost.total, 0),
        2,
      ),
    };
  });
  return {
    account: a.account,
    ...(a.label ? { label: a.label } : {}),
    status: a.status,
    requests: services.reduce((sum, s) => sum + s.requests, 0),
    cost: roundTo(services.reduce((sum, s) => sum + s.cost.total, 0) + shared.total + shared.credits, 2),
    shared,
    regions,
    run: a.run,
  };
}

/** A day without traffic, in a service's series: no aggregate is made for it. */
const NO_TRAFFIC: Omit<DailyPoint, 'date' | 'cost'> = {
  requests: 0,
  connections: 0,
  errors: 0,
  authDenied: 0,
  latencySamples: 0,
  p99: null,
  bytesIn: 0,
  bytesOut: 0,
};

export function buildAnalysis(input: BuildInput): Analysis {
  const { aggregates, window, thresholds: t } = input;
  const warnings = [...(input.warnings ?? [])];
  const windowDays = dayRange(window.start, window.end);
  const previous = previousWindow(window);
  const previousDays = dayRange(previous.start, previous.end);
  const previousCovered = previousDays.every((d) => input.coveredDays.has(d));

  const byArn = new Map<string, ServiceIdentity>();
  for (const s of input.inventory ?? []) byArn.set(s.arn, { ...s });
  for (const s of aggregates.services.values()) {
    const known = byArn.get(s.arn);
    if (!known) {
      byArn.set(s.arn, { ...s });
      continue;
    }
    if (!known.name && s.name) known.name = s.name;
    if (!known.createdAt && s.createdAt) known.createdAt = s.createdAt;
  }
  const everything = [...byArn.values()].sort((a, b) => a.arn.localeCompare(b.arn));
  // Rows name their account only when the run covers accounts, so one-account reports stay as they were.
  const labels = new Map(input.accounts?.map((a) => [a.account, a.label]));
  const ownerOf = (s: ServiceIdentity): Owner => {
    if (!input.accounts) return {};
    const label = labels.get(s.account);
    return { account: s.account, ...(label ? { accountLabel: label } : {}) };
  };
  const services = everything.filter((s) => s.kind === undefined);
  const resources = everything.filter((s) => s.kind === 'resource-configuration');

  const uncovered = windowDays.filter((d) => !input.coveredDays.has(d));
  if (uncovered.length > 0) {
    warnings.push(
      `No access-log data for ${uncovered.length} day(s) of the window (${uncovered.join(', ')}): traffic numbers for them are zero.`,
    );
  }

  // Days to cost: the window, the previous window and the detector's history, where logs exist.
  const historyStart = addDays(window.start, -Math.max(window.days, t.detector.lookbackDays));
  const costDays = [
    ...dayRange(historyStart, window.start).filter((d) => input.coveredDays.has(d)),
    ...windowDays,
  ];
  const prices = resolvePrices(
    everything.map((s) => s.region),
    { overrides: input.priceOverrides, priceList: input.priceList },
  );
  warnings.push(...(input.priceList?.warnings ?? []));
  warnings.push(...prices.warnings);
  // One group per bill: the whole run's (one account), or each account's own.
  const groups: CostGroup[] = input.accounts
    ? [
        ...input.accounts.map((a) => ({
          account: a,
          services: services.filter((s) => s.account === a.account),
          billed: a.billed,
        })),
        { services: services.filter((s) => !input.accounts!.some((a) => a.account === s.account)) },
      ]
    : [{ services, billed: input.billed }];
  const orphans = input.accounts ? groups.at(-1)!.services : [];
  if (orphans.length > 0) {
    const owners = [...new Set(orphans.map((s) => s.account))].sort();
    warnings.push(
      `${orphans.length} service(s) seen in the logs belong to ${owners.length === 1 ? 'an account' : 'accounts'} this run does not cover (${owners.join(', ')}): their costs are list-price estimates, on nobody's bill here.`,
    );
  }
  const bills = groups.map((g) => g.billed).filter((b): b is BilledCosts => b !== undefined);
  for (const b of bills) warnings.push(...b.warnings);
  // One index by service, so a lookup builds no key string (services x days lookups).
  const byService = new Map<string, Map<string, DayAggregate>>();
  for (const agg of aggregates.days.values()) {
    let days = byService.get(agg.serviceArn);
    if (!days) byService.set(agg.serviceArn, (days = new Map()));
    days.set(agg.day, agg);
  }
  // The index holds the only references to the days now: each service's go once it is reported.
  if (input.releaseDays) aggregates.days.clear();
  const day = (arn: string, d: string): DayAggregate | undefined => byService.get(arn)?.get(d);
  const firstRecord = new Map<string, string>();
  for (const [arn, days] of byService) {
    const hour = firstRecordHour(days.values());
    if (hour !== undefined) firstRecord.set(arn, hour);
  }
  const hours = (s: ServiceIdentity, d: string): number =>
    billableHours(d, s.createdAt, firstRecord.get(s.arn));
  // Local files name no creation times, so the rule is stated only where the inventory could know them.
  const unknownCreation = input.inventory ? services.filter((s) => s.createdAt === undefined).length : 0;
  if (unknownCreation > 0) {
    warnings.push(
      `${unknownCreation} service(s) are billed 24 service-hours a day: their creation time is unknown (seen only in the logs, and not readable from the Lattice API).`,
    );
  }
  const recordsFirst = services.filter((s) => createdAfterRecord(s.createdAt, firstRecord.get(s.arn))).length;
  if (recordsFirst > 0) {
    warnings.push(
      `${recordsFirst} service(s) have log records before their createdAt; billed from their first record.`,
    );
  }
  const attributions = groups.map((g) =>
    attributeCosts({
      services: g.services,
      days: costDays,
      dayAggregate: day,
      prices: Object.fromEntries(Object.entries(prices.byRegion).map(([r, p]) => [r, p.service])),
      billed: g.billed,
      billableHours: hours,
    }),
  );
  const perServiceCharges = new Map(attributions.flatMap((a) => [...a.services]));
  const missingDays = [
    ...new Set(attributions.flatMap((a, i) => (groups[i]!.billed ? a.missingDays : []))),
  ].sort();
  const missingWindowDays = missingDays.filter((d) => d >= window.start);
  if (bills.length > 0 && missingWindowDays.length > 0) {
    warnings.push(
      `Cost Explorer has no amounts for ${missingWindowDays.join(', ')}; those days use the price model.`,
    );
  }
  if (bills.length > 0 && previousCovered && missingDays.some((d) => previousDays.includes(d))) {
    warnings.push(
      'Cost Explorer does not cover the whole previous window; its missing days use the price model.',
    );
  }
  const billedPerResourceDays = [
    ...new Set(attributions.flatMap((a) => a.billedPerResourceDays.filter((d) => d >= window.start))),
  ].sort();
  const method: Analysis['costBasis']['method'] =
    bills.length === 0 ? 'modelled' : billedPerResourceDays.length > 0 ? 'billed-per-resource' : 'reconciled';

  // Each group's window in cents of its own, so an account's total is its bill to the cent.
  const costsOf = (days: string[]) =>
    groups.map((g, i) =>
      windowCosts(g.services, attributions[i]!.services, attributions[i]!.shared, days, g.billed?.credits),
    );
  const currentByGroup = costsOf(windowDays);
  const current = combineCosts(currentByGroup);
  const before = previousCovered ? combineCosts(costsOf(previousDays)) : null;
  const attribution = { services: perServiceCharges };

  // Each service's day series is used and dropped here, so memory holds one service's at a time.
  let noDuration = 0;
  const analyses = services.map((s) => {
    const windowAgg = mergeDays(
      s.arn,
      windowDays.map((d) => day(s.arn, d)),
    );
    const serviceNumbers = numbers(windowAgg, current.services.get(s.arn)!);
    const dayCost = (d: string): number => chargeTotal(attribution.services.get(s.arn)!.get(d)!);
    const series: DailyPoint[] = costDays.map((d) => {
      const agg = day(s.arn, d);
      if (!agg) return { ...NO_TRAFFIC, date: d, cost: dayCost(d) };
      return {
        date: d,
        requests: agg.requests,
        connections: agg.connections,
        errors: serverErrors(agg),
        authDenied: agg.authDenied,
        latencySamples: agg.latency.count,
        p99: agg.latency.quantile(0.99),
        bytesIn: agg.bytesIn,
        bytesOut: agg.bytesOut,
        cost: dayCost(d),
      };
    });
    const report: ServiceReport = {
      arn: s.arn,
      id: s.id,
      name: s.name ?? s.id,
      region: s.region,
      ...ownerOf(s),
      ...serviceNumbers,
      previous: before
        ? numbers(
            mergeDays(
              s.arn,
              previousDays.map((d) => day(s.arn, d)),
            ),
            before.services.get(s.arn)!,
          )
        : null,
      // A literal, not a spread: thousands of services' days cost a third of the memory this way.
      daily: series
        .filter((p) => p.date >= window.start)
        .map((p) => ({
          date: p.date,
          requests: p.requests,
          authDenied: p.authDenied,
          p99: p.p99 === null ? null : roundTo(p.p99, 2),
          bytesIn: p.bytesIn,
          bytesOut: p.bytesOut,
          cost: roundTo(p.cost, 4),
          errors5xx: day(s.arn, p.date)?.status['5xx'] ?? 0,
        })),
    };
    const backendCost = input.backendCosts?.get(s.arn);
    if (backendCost !== undefined) report.backendCost = backendCost;
    noDuration += windowAgg.noDuration;
    const callers = serviceCallers(windowAgg.callers, serviceNumbers.cost);
    if (callers.length > 0) report.callers = callers;
    const analysis: ServiceAnalysis = {
      service: report,
      serviceHours: windowDays.reduce((sum, d) => sum + hours(s, d), 0),
      requestsOverLatencyThreshold: windowAgg.latency.countAbove(t.latencyP99Ms),
      series,
    };
    const done = {
      service: report,
      findings: serviceFindings(analysis, window.days, t),
      anomalies: detectServiceAnomalies(analysis, t),
    };
    if (input.releaseDays) byService.delete(s.arn);
    input.afterService?.();
    return done;
  });

  const serviceReports = analyses
    .map((a) => a.service)
    .sort((a, b) => b.cost.total - a.cost.total || a.name.localeCompare(b.name));
  const ourAnomalies = analyses.flatMap((a) => a.anomalies);
  const anomalies = [...(input.awsAnomalies ?? []), ...ourAnomalies].sort(
    (a, b) =>
      a.date.localeCompare(b.date) ||
      (a.service ?? '').localeCompare(b.service ?? '') ||
      a.metric.localeCompare(b.metric),
  );
  const names = new Map(serviceReports.map((s) => [s.arn, s.name]));
  const findings = [
    ...analyses.flatMap((a) => a.findings),
    ...costOutliers(serviceReports, window.days, t),
    ...incidentFindings(anomalies, t),
  ].sort(compareFindings((arn) => names.get(arn) ?? arn));

  if (noDuration > 0) {
    warnings.push(
      `${noDuration} requests reached a target but had no duration ("-"): they are counted, but left out of latency.`,
    );
  }
  const resourceReports = resourceConfigurations(resources, windowDays, day, prices.byRegion, hours, ownerOf);
  // Cost Explorer's resource charges are in the shared line; the modelled ones count only when nothing is billed.
  const resourceCost =
    method === 'modelled'
      ? roundTo(
          resourceReports.reduce((s, r) => s + r.cost.total, 0),
          2,
        )
      : 0;

  const sumOf = (list: ServiceNumbers[], pick: (n: ServiceNumbers) => number): number =>
    list.reduce((s, n) => s + pick(n), 0);
  const totalCost = (list: ServiceNumbers[], shared: SharedCost): number =>
    roundTo(sumOf(list, (n) => n.cost.total) + shared.total + shared.credits, 2);
  const previousList = serviceReports.map((s) => s.previous).filter((p): p is ServiceNumbers => p !== null);
  const usageTypes = new Map(bills.flatMap((b) => [...b.usageTypes]));
  const callers = networkCallers(serviceReports);
  const accounts = input.accounts?.map((a, i) =>
    accountSummary(
      a,
      serviceReports.filter((s) => s.account === a.account),
      currentByGroup[i]!.shared,
    ),
  );

  return {
    schemaVersion: 1,
    generatedAt: input.generatedAt,
    tool: input.tool,
    window: { start: window.start, end: window.end, days: window.days },
    source: input.source,
    costBasis: {
      method,
      ...(bills[0] ? { metric: bills[0].metric } : {}),
      currency: bills[0]?.currency ?? 'USD',
      estimatedDays: windowDays.filter((d) => bills.some((b) => b.estimatedDays.has(d))),
      missingDays: missingWindowDays,
      ...(billedPerResourceDays.length > 0 ? { billedPerResourceDays } : {}),
      ...(usageTypes.size > 0
        ? {
            usageTypes: [...usageTypes]
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([usageType, c]) => ({ usageType, charge: c.charge, from: c.from })),
          }
        : {}),
      prices: Object.fromEntries(
        Object.entries(prices.byRegion).map(([region, p]) => [
          region,
          {
            ...p.service,
            resourceHour: p.resource.resourceHour,
            resourcePerGB: p.resource.perGB,
            source: p.source,
            ...(p.published ? { published: p.published } : {}),
          },
        ]),
      ),
    },
    totals: {
      requests: sumOf(serviceReports, (n) => n.requests),
      cost: roundTo(totalCost(serviceReports, current.shared) + resourceCost, 2),
      bytesIn: sumOf(serviceReports, (n) => n.bytesIn),
      bytesOut: sumOf(serviceReports, (n) => n.bytesOut),
      previous: before
        ? {
            requests: sumOf(previousList, (n) => n.requests),
            cost: totalCost(previousList, before.shared),
            bytesIn: sumOf(previousList, (n) => n.bytesIn),
            bytesOut: sumOf(previousList, (n) => n.bytesOut),
          }
        : null,
    },
    shared: current.shared,
    ...(accounts ? { accounts } : {}),
    ...(input.coverage ? { coverage: input.coverage } : {}),
    ...(callers ? { callers } : {}),
    services: serviceReports,
    resourceConfigurations: resourceReports,
    findings,
    anomalies,
    ...(input.forecast ? { forecast: input.forecast } : {}),
    run: input.run ?? {
      insights: { queries: 0, bytesScanned: 0 },
      costExplorer: { requests: 0 },
      estimatedRunCostUsd: 0,
    },
    warnings,
  };
}
