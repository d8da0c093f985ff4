/**
 * Billed Lattice amounts by day and charge type, read from a Cost Explorer GetCostAndUsage
 * response (the API's shape, as `aws ce get-cost-and-usage --output json` prints it).
 * Usage-type names are not hard-coded: they are classified by the words AWS uses in them.
 */
import { DataError } from '../errors.js';
import { type BilledCosts, type ChargeType, zeroCharges } from '../model/costs.js';
import { isIsoDay } from '../model/dates.js';

export function isLatticeUsageType(usageType: string): boolean {
  return /lattice/i.test(usageType);
}

/** Which Lattice charge a usage type is, from the words in its name. @testseam */
export function classifyUsageType(usageType: string): ChargeType {
  const name = usageType.toLowerCase();
  // Resource configurations and gateways are billed per hour and GB too, but are not services.
  if (/resource/.test(name)) return 'other';
  if (/hour|hrs/.test(name)) return 'hours';
  if (/byte|gb\b|-gb|dataprocess|data-process/.test(name)) return 'data';
  if (/request|conn/.test(name)) return 'requests';
  return 'other';
}

interface MetricValue {
  Amount?: unknown;
  Unit?: unknown;
}
interface Group {
  Keys?: unknown;
  Metrics?: Record<string, MetricValue>;
}
interface ResultByTime {
  TimePeriod?: { Start?: unknown; End?: unknown };
  Groups?: Group[];
  Estimated?: unknown;
}
interface CostAndUsageResponse {
  GroupDefinitions?: Array<{ Type?: unknown; Key?: unknown }>;
  ResultsByTime?: ResultByTime[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one response or an array of pages. `source` names the input in errors (a file path).
 * `metric` picks the cost metric when several are present.
 */
export function parseCostAndUsage(json: unknown, source: string, metric = 'UnblendedCost'): BilledCosts {
  const pages = Array.isArray(json) ? json : [json];
  const fail = (why: string): never => {
    throw new DataError(
      `${source}: not a usable Cost Explorer GetCostAndUsage response: ${why}. ` +
        'Expected the output of `aws ce get-cost-and-usage --granularity DAILY --metrics UnblendedCost ' +
        '--group-by Type=DIMENSION,Key=USAGE_TYPE --output json`.',
    );
  };

  const raw: Array<{ day: string; usageType: string; amount: number; unit: string; estimated: boolean }> = [];
  let metricUsed: string | undefined;
  for (const value of pages as unknown[]) {
    if (!isObject(value) || !Array.isArray(value.ResultsByTime)) fail('it has no ResultsByTime array');
    const page = value as CostAndUsageResponse;
    const definitions = Array.isArray(page.GroupDefinitions) ? page.GroupDefinitions : [];
    const groupKeys = definitions.map((g) => (isObject(g) ? String(g.Key) : ''));
    const usageIndex = groupKeys.indexOf('USAGE_TYPE');
    if (usageIndex < 0) fail('it is not grouped by the USAGE_TYPE dimension');

    for (const result of page.ResultsByTime!) {
      const start = result.TimePeriod?.Start;
      const end = result.TimePeriod?.End;
      if (typeof start !== 'string' || typeof end !== 'string' || !isIsoDay(start) || !isIsoDay(end)) {
        fail('a TimePeriod has no YYYY-MM-DD Start and End');
      }
      const days = (Date.parse(end as string) - Date.parse(start as string)) / 86_400_000;
      if (days !== 1) fail(`the period ${start}..${end} is not one day; use --granularity DAILY`);
      for (const group of result.Groups ?? []) {
        const keys = Array.isArray(group.Keys) ? group.Keys : [];
        const usageType = keys[usageIndex];
        if (typeof usageType !== 'string') fail(`a group on ${start} has no USAGE_TYPE key`);
        const metrics = isObject(group.Metrics) ? group.Metrics : {};
        const names = Object.keys(metrics);
        const chosen = names.includes(metric) ? metric : names.length === 1 ? names[0]! : undefined;
        if (!chosen) fail(`metric ${metric} is missing (found ${names.join(', ') || 'none'})`);
        if (metricUsed && metricUsed !== chosen)
          fail(`pages use different metrics (${metricUsed}, ${chosen})`);
        metricUsed = chosen;
        const value = metrics[chosen!]!;
        const amount = Number(value.Amount);
        if (typeof value.Amount !== 'string' && typeof value.Amount !== 'number') {
          fail(`the ${chosen} amount on ${start} is missing`);
        }
        if (!Number.isFinite(amount)) fail(`the ${chosen} amount on ${start} is not a number`);
        raw.push({
          day: start as string,
          usageType: usageType as string,
          amount,
          unit: typeof value.Unit === 'string' ? value.Unit : 'USD',
          estimated: result.Estimated === true,
        });
      }
    }
  }

  const warnings: string[] = [];
  const anyLattice = raw.some((r) => isLatticeUsageType(r.usageType));
  const ignored = new Set<string>();
  if (!anyLattice && raw.length > 0) {
    const count = new Set(raw.map((r) => r.usageType)).size;
    warnings.push(
      `${source}: no usage type mentions Lattice; all ${count} usage types were treated as VPC Lattice charges.`,
    );
  }
  const costs: BilledCosts = {
    metric: metricUsed ?? metric,
    currency: 'USD',
    days: new Map(),
    estimatedDays: new Set(),
    usageTypes: new Map(),
    warnings,
  };
  const units = new Set<string>();
  for (const r of raw) {
    if (anyLattice && !isLatticeUsageType(r.usageType)) {
      ignored.add(r.usageType);
      continue;
    }
    const type = classifyUsageType(r.usageType);
    costs.usageTypes.set(r.usageType, type);
    const day = costs.days.get(r.day) ?? zeroCharges();
    day[type] += r.amount;
    costs.days.set(r.day, day);
    if (r.estimated) costs.estimatedDays.add(r.day);
    if (r.amount !== 0) units.add(r.unit);
  }
  if (units.size > 1) fail(`amounts use several currencies (${[...units].join(', ')})`);
  if (units.size === 1) costs.currency = [...units][0]!;
  if (ignored.size > 0) {
    warnings.push(
      `${source}: ignored ${ignored.size} usage types that are not VPC Lattice (${[...ignored].slice(0, 5).join(', ')}${ignored.size > 5 ? ', …' : ''}).`,
    );
  }
  // Days that Cost Explorer returned with no groups still count as billed $0 days.
  for (const page of pages as CostAndUsageResponse[]) {
    for (const result of page.ResultsByTime ?? []) {
      const start = result.TimePeriod?.Start as string;
      if (!costs.days.has(start)) costs.days.set(start, zeroCharges());
      if (result.Estimated === true) costs.estimatedDays.add(start);
    }
  }
  return costs;
}
