/**
 * Accounts and regions of a report: the groups the services table shows, their subtotals, and what
 * the report covers. Subtotals come from `report.accounts` (the whole data), never from the rows a
 * size budget leaves on the page, so they stay right when rows are cut.
 */
import { identityFromArn } from '../model/aggregate.js';
import type {
  AccountSummary,
  Coverage,
  RegionSubtotal,
  Report,
  ServiceReport,
  SharedCost,
} from '../model/report.js';
import { formatInteger, plural } from './format.js';
import { compareText } from '../model/compare.js';

interface RegionGroup {
  region: string;
  /** False for a region of the account that could not be read. */
  read: boolean;
  /** The region's services, all of them; `count` is what the summary says it had. */
  services: ServiceReport[];
  count: number;
  requests: number;
  /** Sum of the region's services' costs; the account's shared line is not split by region. */
  cost: number;
  bytes: number;
}

export interface AccountGroup {
  account: string;
  label?: string;
  status: AccountSummary['status'];
  requests: number;
  /** The account's whole bill: services, shared line and credits. */
  cost: number;
  bytes: number;
  /** Absent when the report has no per-account summaries: the report's shared line then stands alone. */
  shared?: SharedCost;
  regions: RegionGroup[];
}

/** A service's (or finding's) owning account and region, from the report or else its ARN. */
export function placeOf(service: { arn: string; account?: string; region?: string }): {
  account: string;
  region: string;
} {
  const fromArn = identityFromArn(service.arn);
  return { account: service.account ?? fromArn.account, region: service.region || fromArn.region };
}

/** Accounts and regions the report spans: from its summaries when present, else its services. */
function reportScope(report: Report): { accounts: number; regions: number } {
  const accounts = new Set<string>();
  const regions = new Set<string>();
  for (const summary of report.accounts ?? []) {
    accounts.add(summary.account);
    for (const region of summary.regions) regions.add(region.region);
  }
  for (const service of report.services) {
    const place = placeOf(service);
    accounts.add(place.account);
    regions.add(place.region);
  }
  return { accounts: accounts.size, regions: regions.size };
}

/** Group by account and region when there is more than one of either; one of each reads as before. */
export function isGrouped(report: Report): boolean {
  const scope = reportScope(report);
  return scope.accounts > 1 || scope.regions > 1;
}

/** "across 2 accounts and 3 regions", or '' for one account in one region. */
export function scopePhrase(report: Report): string {
  if (!isGrouped(report)) return '';
  const { accounts, regions } = reportScope(report);
  return `across ${plural(accounts, 'account')} and ${plural(regions, 'region')}`;
}

/** "2 of 3 accounts, 3 of 6 account-regions" when the coverage is incomplete, else undefined. */
export function coverageCounts(coverage: Coverage | undefined): string | undefined {
  if (coverage === undefined || coverage.complete) return undefined;
  const parts: string[] = [];
  const { accounts, regions } = coverage;
  if (accounts.read < accounts.expected) {
    parts.push(`${formatInteger(accounts.read)} of ${plural(accounts.expected, 'account')}`);
  }
  if (regions.read < regions.expected) {
    parts.push(`${formatInteger(regions.read)} of ${plural(regions.expected, 'account-region')}`);
  }
  // Incomplete without a shortfall in the counts must still not read as complete.
  return parts.length > 0 ? parts.join(', ') : 'not every account and region';
}

/** "covers 2 of 3 accounts, 3 of 6 account-regions" when the coverage is incomplete, else undefined. */
export function coveragePhrase(coverage: Coverage | undefined): string | undefined {
  const counts = coverageCounts(coverage);
  return counts === undefined ? undefined : `covers ${counts}`;
}

const byCost = (a: { cost: number; region?: string }, b: { cost: number; region?: string }): number =>
  b.cost - a.cost || compareText(a.region ?? '', b.region ?? '');

/**
 * Accounts in the order of the `accounts` input (then any account only the services name), each
 * with its regions by cost, each with its services by cost.
 */
export function accountGroups(
  report: Report,
  compareServices: (a: ServiceReport, b: ServiceReport) => number,
): AccountGroup[] {
  const servicesByAccount = new Map<string, Map<string, ServiceReport[]>>();
  for (const service of report.services) {
    const { account, region } = placeOf(service);
    const regions = servicesByAccount.get(account) ?? new Map<string, ServiceReport[]>();
    regions.set(region, [...(regions.get(region) ?? []), service]);
    servicesByAccount.set(account, regions);
  }
  const bytes = (services: ServiceReport[]): number =>
    services.reduce((sum, s) => sum + s.bytesIn + s.bytesOut, 0);
  const unreadRegions = (account: string): string[] =>
    (report.coverage?.unreachable ?? [])
      .filter((u) => u.account === account && u.region !== undefined)
      .map((u) => u.region as string);

  const groups: AccountGroup[] = [];
  const summarised = new Set<string>();
  for (const summary of report.accounts ?? []) {
    summarised.add(summary.account);
    const services = servicesByAccount.get(summary.account) ?? new Map<string, ServiceReport[]>();
    const regions: RegionGroup[] = summary.regions.map((subtotal: RegionSubtotal) => {
      const inRegion = services.get(subtotal.region) ?? [];
      return {
        region: subtotal.region,
        read: true,
        services: [...inRegion].sort(compareServices),
        count: subtotal.services,
        requests: subtotal.requests,
        cost: subtotal.cost,
        bytes: bytes(inRegion),
      };
    });
    // A region with services that the summary does not list still shows, with its own sums.
    for (const [region, inRegion] of services) {
      if (!regions.some((r) => r.region === region))
        regions.push(computedRegion(region, inRegion, compareServices));
    }
    regions.sort(byCost);
    for (const region of unreadRegions(summary.account)) {
      if (!regions.some((r) => r.region === region)) {
        regions.push({ region, read: false, services: [], count: 0, requests: 0, cost: 0, bytes: 0 });
      }
    }
    groups.push({
      account: summary.account,
      ...(summary.label !== undefined ? { label: summary.label } : {}),
      status: summary.status,
      requests: summary.requests,
      cost: summary.cost,
      bytes: regions.reduce((sum, r) => sum + r.bytes, 0),
      shared: summary.shared,
      regions,
    });
  }
  const others: AccountGroup[] = [];
  for (const [account, services] of servicesByAccount) {
    if (summarised.has(account)) continue;
    const regions = [...services].map(([region, inRegion]) =>
      computedRegion(region, inRegion, compareServices),
    );
    regions.sort(byCost);
    const label = [...services.values()].flat().find((s) => s.accountLabel !== undefined)?.accountLabel;
    others.push({
      account,
      ...(label !== undefined ? { label } : {}),
      status: 'read',
      requests: regions.reduce((sum, r) => sum + r.requests, 0),
      cost: regions.reduce((sum, r) => sum + r.cost, 0),
      bytes: regions.reduce((sum, r) => sum + r.bytes, 0),
      regions,
    });
  }
  others.sort((a, b) => b.cost - a.cost || compareText(a.account, b.account));
  return [...groups, ...others];
}

function computedRegion(
  region: string,
  services: ServiceReport[],
  compareServices: (a: ServiceReport, b: ServiceReport) => number,
): RegionGroup {
  return {
    region,
    read: true,
    services: [...services].sort(compareServices),
    count: services.length,
    requests: services.reduce((sum, s) => sum + s.requests, 0),
    cost: services.reduce((sum, s) => sum + s.cost.total, 0),
    bytes: services.reduce((sum, s) => sum + s.bytesIn + s.bytesOut, 0),
  };
}

/** The label of an account wherever the report names it: its summary, else a service's label. */
export function accountLabel(report: Report, account: string): string | undefined {
  return (
    report.accounts?.find((a) => a.account === account)?.label ??
    report.services.find((s) => s.accountLabel !== undefined && placeOf(s).account === account)?.accountLabel
  );
}
