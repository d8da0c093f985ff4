/**
 * What a pull request's Lattice changes do, in the numbers the report has: the cost a removed
 * service stops costing and the traffic it still serves, the list price of an added one, the
 * traffic an auth or logging change touches. Pure: the changes and the report in, data out.
 */
import type { LatticeChange, ResourceRef } from '../model/changes.js';
import type { PriceTable } from '../model/costs.js';
import type { Report, ServiceReport } from '../model/report.js';
import { HOURS_PER_MONTH, monthlyCost } from './findings.js';
import { resolvePrices } from './prices.js';

/** The list prices an added resource pays: the report's for its region, else the built-in ones. */
export function regionPrices(
  region: string,
  report: Report | undefined,
): { region: string; table: PriceTable } {
  return {
    region,
    table: report?.costBasis.prices[region] ?? resolvePrices([region]).byRegion[region]!.service,
  };
}

type ImpactEffect =
  /** A service, or its association with the network, goes: its cost stops, its traffic too. */
  | {
      kind: 'removes-service';
      associationOnly: boolean;
      /** An association removed along with its service: the service's row holds the saving. */
      withService: boolean;
      requestsPerDay: number;
      errors5xxPerDay: number;
      loud: boolean;
    }
  /** A new service: billed by the hour from creation; traffic unknown until it serves. */
  | { kind: 'adds-service'; hourlyPrice: number; region: string }
  /** Who may call changes: the requests that reach the service or network today. */
  | { kind: 'changes-access'; requestsPerDay: number; share: number; authDeniedPerDay: number }
  /** Access logs stop or go elsewhere: the report no longer sees this traffic. */
  | { kind: 'changes-logging'; requestsPerDay: number; removed: boolean }
  /** HTTP to TLS passthrough or back: what the report can measure changes. */
  | { kind: 'changes-protocol'; from?: string; to?: string }
  | { kind: 'other' };

export interface ChangeImpact {
  change: LatticeChange;
  /** What runs today that the change is about; `certain` is false when the code's name did not resolve or matched twice. */
  match?: { arn: string; name: string; certain: boolean };
  /** USD per month (730 hours), negative when it saves; absent when not estimated. */
  monthlyCostDelta?: number;
  effect: ImpactEffect;
}

export interface ImpactSummary {
  impacts: ChangeImpact[];
  /** Sum of the estimates, USD per month. */
  monthlyCostDelta: number;
  /** Whether live usage (a report from AWS) was there to match against. */
  usage: boolean;
}

function perDay(n: number, report: Report): number {
  return n / report.window.days;
}

/** The running services a reference can mean, by ARN, id or name (names can repeat across accounts). */
function servicesFor(
  ref: ResourceRef | undefined,
  name: string | undefined,
  report: Report,
): ServiceReport[] {
  if (ref?.arn) return report.services.filter((s) => s.arn === ref.arn);
  if (ref?.id) return report.services.filter((s) => s.id === ref.id);
  const wanted = ref?.name ?? name;
  return wanted ? report.services.filter((s) => s.name === wanted) : [];
}

/** The service a change is about: the service itself, or the one its association, listener or policy targets. */
function serviceOf(change: LatticeChange): { ref?: ResourceRef; name?: string; unresolved: boolean } {
  const resource = change.before ?? change.after!;
  if (change.kind === 'service') return { name: resource.name, unresolved: resource.unresolved };
  const ref = resource.targets.find((t) => t.kind === 'service');
  return { ...(ref ? { ref } : {}), unresolved: resource.unresolved };
}

/** A change to the network itself, or to something attached to the network rather than to one service. */
function networkWide(change: LatticeChange): boolean {
  const resource = change.before ?? change.after!;
  return change.kind === 'service-network' || !resource.targets.some((t) => t.kind === 'service');
}

function matchOf(change: LatticeChange, report: Report | undefined): ChangeImpact['match'] {
  if (!report) return undefined;
  const target = serviceOf(change);
  const found = servicesFor(target.ref, target.name, report);
  if (found.length === 0) return undefined;
  const s = found[0]!;
  return { arn: s.arn, name: s.name, certain: found.length === 1 && !target.unresolved };
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Each change with its impact; `prices` are the region's list prices, for what is added. */
export function changeImpacts(
  changes: LatticeChange[],
  report: Report | undefined,
  prices: { region: string; table: PriceTable },
  quietRequestsPerDay: number,
): ImpactSummary {
  const removedServices = new Set(
    changes
      .filter((c) => c.kind === 'service' && c.action === 'remove')
      .map((c) => matchOf(c, report)?.arn)
      .filter((arn) => arn !== undefined),
  );
  const impacts = changes.map((change): ChangeImpact => {
    const match = matchOf(change, report);
    const service = match && report ? report.services.find((s) => s.arn === match.arn) : undefined;
    const base = { change, ...(match ? { match } : {}) };
    const removing = change.action === 'remove';
    if ((change.kind === 'service' || change.kind === 'service-association') && removing) {
      const associationOnly = change.kind === 'service-association';
      const withService = associationOnly && match !== undefined && removedServices.has(match.arn);
      const requestsPerDay = service && report ? perDay(service.requests, report) : 0;
      // Without the association the service still exists and is billed by the hour: only its usage goes.
      const saved =
        service && report && !withService
          ? associationOnly
            ? monthlyCost(service.cost.data + service.cost.requests, report.window.days)
            : monthlyCost(service.cost.total, report.window.days)
          : undefined;
      return {
        ...base,
        ...(saved !== undefined ? { monthlyCostDelta: -round2(saved) } : {}),
        effect: {
          kind: 'removes-service',
          associationOnly,
          withService,
          requestsPerDay,
          errors5xxPerDay: service && report ? perDay(service.status['5xx'], report) : 0,
          loud: requestsPerDay >= quietRequestsPerDay,
        },
      };
    }
    if (change.kind === 'service' && change.action === 'add') {
      return {
        ...base,
        monthlyCostDelta: round2(prices.table.serviceHour * HOURS_PER_MONTH),
        effect: { kind: 'adds-service', hourlyPrice: prices.table.serviceHour, region: prices.region },
      };
    }
    const settings = change.changed;
    if (
      change.kind === 'auth-policy' ||
      ((change.kind === 'service' || change.kind === 'service-network') && settings.includes('authType'))
    ) {
      const scope = service ? [service] : networkWide(change) ? (report?.services ?? []) : [];
      const requests = scope.reduce((sum, s) => sum + s.requests, 0);
      const total = report?.totals.requests ?? 0;
      return {
        ...base,
        effect: {
          kind: 'changes-access',
          requestsPerDay: report ? perDay(requests, report) : 0,
          share: total > 0 ? requests / total : 0,
          authDeniedPerDay: report
            ? perDay(
                scope.reduce((sum, s) => sum + s.authDenied, 0),
                report,
              )
            : 0,
        },
      };
    }
    if (change.kind === 'access-log-subscription' && (removing || settings.includes('destination'))) {
      const scope = service ? [service] : networkWide(change) ? (report?.services ?? []) : [];
      return {
        ...base,
        effect: {
          kind: 'changes-logging',
          requestsPerDay: report
            ? perDay(
                scope.reduce((sum, s) => sum + s.requests, 0),
                report,
              )
            : 0,
          removed: removing,
        },
      };
    }
    if (change.kind === 'listener' && settings.includes('protocol')) {
      const from = change.before?.settings.protocol;
      const to = change.after?.settings.protocol;
      return {
        ...base,
        effect: { kind: 'changes-protocol', ...(from ? { from } : {}), ...(to ? { to } : {}) },
      };
    }
    return { ...base, effect: { kind: 'other' } };
  });
  return {
    impacts,
    monthlyCostDelta: round2(impacts.reduce((sum, i) => sum + (i.monthlyCostDelta ?? 0), 0)),
    usage: report !== undefined,
  };
}
