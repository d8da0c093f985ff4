/**
 * Cost per service and day: each service's charges are modelled from its own usage, then, when
 * Cost Explorer amounts are known, each charge type is scaled so the services add up to the bill.
 * Billed cost that no service's usage explains (or that is not a per-service charge) is shared.
 */
import type { DayAggregate, ServiceIdentity } from '../model/aggregate.js';
import {
  type BilledCosts,
  BYTES_PER_GB,
  type ChargeAmounts,
  type PriceTable,
  zeroCharges,
} from '../model/costs.js';
import { DEFAULT_PRICES, FALLBACK_REGION } from './prices.js';

const SHARED_TYPES = ['hours', 'data', 'requests'] as const;

/** One service's modelled charges for one day, in which it existed `hours` hours. @testseam */
export function modelDayCost(day: DayAggregate | undefined, prices: PriceTable, hours = 24): ChargeAmounts {
  const cost = zeroCharges();
  cost.hours = hours * prices.serviceHour;
  if (!day) return cost;
  cost.data = ((day.bytesIn + day.bytesOut) / BYTES_PER_GB) * prices.perGB;
  let billable = 0;
  for (const n of day.hourly) billable += Math.max(0, n - prices.freeRequestsPerHour);
  cost.requests = (billable / 1e6) * prices.perMillionRequests;
  return cost;
}

export interface Attribution {
  method: 'modelled' | 'reconciled' | 'billed-per-resource';
  /** serviceArn → day → charges. */
  services: Map<string, Map<string, ChargeAmounts>>;
  /** day → charges not attributable to a service. */
  shared: Map<string, ChargeAmounts>;
  /** Days asked for that Cost Explorer did not cover; these are modelled. */
  missingDays: string[];
  /** Days on which at least one service's cost is what AWS billed for its ARN. */
  billedPerResourceDays: string[];
}

export interface AttributionInput {
  services: ServiceIdentity[];
  days: string[];
  dayAggregate: (serviceArn: string, day: string) => DayAggregate | undefined;
  prices: Record<string, PriceTable>;
  billed?: BilledCosts;
  /** Hours or partial hours of `day` the service existed; 24 when not given. */
  billableHours?: (service: ServiceIdentity, day: string) => number;
}

/**
 * Scales each charge type of `modelled` so they add up to `billed`, in place; what no service's
 * usage explains goes to `shared`.
 */
function reconcile(modelled: ChargeAmounts[], billed: ChargeAmounts, shared: ChargeAmounts): void {
  for (const type of SHARED_TYPES) {
    const modelledTotal = modelled.reduce((s, m) => s + m[type], 0);
    if (modelledTotal <= 0) {
      shared[type] += billed[type];
      continue;
    }
    // A service-hour costs the same for every service, so hours billed beyond the services
    // seen belong to services without logs, not to the ones seen: keep them unallocated.
    const scale = type === 'hours' ? Math.min(1, billed.hours / modelledTotal) : billed[type] / modelledTotal;
    for (const m of modelled) m[type] *= scale;
    shared[type] += billed[type] - modelledTotal * scale;
  }
  shared.other += billed.other;
}

/**
 * Cost Explorer's name for charges it ties to no resource. Assumed: the API reference does not
 * list the value, so the console's wording and an empty key are taken too.
 */
function isNoResource(id: string): boolean {
  return /^(|noresourceid|no resource id)$/i.test(id.trim());
}

function addCharges(to: ChargeAmounts, from: ChargeAmounts): void {
  for (const type of Object.keys(to) as Array<keyof ChargeAmounts>) to[type] += from[type];
}

export function attributeCosts(input: AttributionInput): Attribution {
  const services = new Map<string, Map<string, ChargeAmounts>>();
  const shared = new Map<string, ChargeAmounts>();
  const missingDays: string[] = [];
  const billedPerResourceDays: string[] = [];
  // A resource ID is the service's ARN; its id alone is accepted too, as an assumption.
  const indexOf = new Map<string, number>();
  input.services.forEach((s, i) => {
    indexOf.set(s.arn, i);
    indexOf.set(s.id, i);
  });

  for (const day of input.days) {
    const modelled = input.services.map((s) =>
      modelDayCost(
        input.dayAggregate(s.arn, day),
        input.prices[s.region] ?? DEFAULT_PRICES[FALLBACK_REGION]!,
        input.billableHours?.(s, day),
      ),
    );
    const billed = input.billed?.days.get(day);
    const perResource = input.billed?.byResource.get(day);
    const dayShared = zeroCharges();
    if (input.billed && !billed) missingDays.push(day);

    if (billed && perResource) {
      // Each service AWS names is billed what AWS says; the rest is modelled against what is left.
      const named = new Map<number, ChargeAmounts>();
      const unassigned = zeroCharges();
      for (const [id, charges] of perResource) {
        const i = indexOf.get(id);
        if (i !== undefined) addCharges(named.get(i) ?? named.set(i, zeroCharges()).get(i)!, charges);
        else if (isNoResource(id)) addCharges(unassigned, charges);
        else addCharges(dayShared, charges);
      }
      for (const [i, charges] of named) modelled[i] = charges;
      reconcile(
        modelled.filter((_, i) => !named.has(i)),
        unassigned,
        dayShared,
      );
      if (named.size > 0) billedPerResourceDays.push(day);
    } else if (billed) {
      reconcile(modelled, billed, dayShared);
    }
    input.services.forEach((s, i) => {
      let perDay = services.get(s.arn);
      if (!perDay) services.set(s.arn, (perDay = new Map()));
      perDay.set(day, modelled[i]!);
    });
    shared.set(day, dayShared);
  }
  const method = !input.billed
    ? 'modelled'
    : billedPerResourceDays.length > 0
      ? 'billed-per-resource'
      : 'reconciled';
  return { method, services, shared, missingDays, billedPerResourceDays };
}

export function chargeTotal(c: ChargeAmounts): number {
  return c.hours + c.data + c.requests + c.other;
}

export function sumCharges(list: Iterable<ChargeAmounts>): ChargeAmounts {
  const total = zeroCharges();
  for (const c of list) {
    total.hours += c.hours;
    total.data += c.data;
    total.requests += c.requests;
    total.other += c.other;
  }
  return total;
}
