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

export interface ResolvedPrices {
  byRegion: Record<string, PriceTable>;
  warnings: string[];
}

/** Price tables for `regions`: overrides first, then the built-in table, then us-east-1 with a warning. */
export function resolvePrices(
  regions: Iterable<string>,
  overrides: Record<string, PriceTable> = {},
): ResolvedPrices {
  const byRegion: Record<string, PriceTable> = {};
  const warnings: string[] = [];
  for (const region of [...new Set(regions)].sort()) {
    const table = overrides[region] ?? DEFAULT_PRICES[region];
    if (table) {
      byRegion[region] = table;
    } else {
      byRegion[region] = DEFAULT_PRICES[FALLBACK_REGION]!;
      warnings.push(
        `No VPC Lattice prices are known for region ${region}; used ${FALLBACK_REGION} prices. ` +
          "Give the region's prices to the CLI with --prices FILE for an accurate model.",
      );
    }
  }
  return { byRegion, warnings };
}

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
  method: 'modelled' | 'reconciled';
  /** serviceArn → day → charges. */
  services: Map<string, Map<string, ChargeAmounts>>;
  /** day → charges not attributable to a service. */
  shared: Map<string, ChargeAmounts>;
  /** Days asked for that Cost Explorer did not cover; these are modelled. */
  missingDays: string[];
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

export function attributeCosts(input: AttributionInput): Attribution {
  const services = new Map<string, Map<string, ChargeAmounts>>();
  const shared = new Map<string, ChargeAmounts>();
  const missingDays: string[] = [];

  for (const day of input.days) {
    const modelled = input.services.map((s) =>
      modelDayCost(
        input.dayAggregate(s.arn, day),
        input.prices[s.region] ?? DEFAULT_PRICES[FALLBACK_REGION]!,
        input.billableHours?.(s, day),
      ),
    );
    const billed = input.billed?.days.get(day);
    const dayShared = zeroCharges();
    if (input.billed && !billed) missingDays.push(day);

    if (billed) {
      for (const type of SHARED_TYPES) {
        const modelledTotal = modelled.reduce((s, m) => s + m[type], 0);
        if (modelledTotal <= 0) {
          dayShared[type] += billed[type];
          continue;
        }
        // A service-hour costs the same for every service, so hours billed beyond the services
        // seen belong to services without logs, not to the ones seen: keep them unallocated.
        const scale =
          type === 'hours' ? Math.min(1, billed.hours / modelledTotal) : billed[type] / modelledTotal;
        for (const m of modelled) m[type] *= scale;
        dayShared[type] += billed[type] - modelledTotal * scale;
      }
      dayShared.other += billed.other;
    }
    input.services.forEach((s, i) => {
      let perDay = services.get(s.arn);
      if (!perDay) services.set(s.arn, (perDay = new Map()));
      perDay.set(day, modelled[i]!);
    });
    shared.set(day, dayShared);
  }
  return { method: input.billed ? 'reconciled' : 'modelled', services, shared, missingDays };
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
