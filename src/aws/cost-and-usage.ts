/**
 * Billed Lattice amounts by day and charge type, read from a Cost Explorer GetCostAndUsage or
 * GetCostAndUsageWithResources response (the API's shape, as `aws ce get-cost-and-usage --output
 * json` prints it). Usage-type names are not hard-coded: the price list says what each one is,
 * and one it does not name is classified by the words AWS uses in it, which the report says.
 */
import { DataError } from '../errors.js';
import { type BilledCosts, type ChargeType, zeroCharges } from '../model/costs.js';
import { isIsoDay } from '../model/dates.js';

export function isLatticeUsageType(usageType: string): boolean {
  return /lattice/i.test(usageType);
}

/** Which Lattice charge a usage type is, from the words in its name: the fallback. @testseam */
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
  NextPageToken?: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Cost Explorer writes amounts as decimal strings ("12.3456", "1.2E-7"); nothing else is an amount. */
const DECIMAL = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The price model is in US dollars; a bill in another currency is never mixed with it. */
const MODEL_CURRENCY = 'USD';

/** How to ask Cost Explorer for Lattice amounts only, for messages. */
const LATTICE_FILTER_HINT =
  'Ask for VPC Lattice usage types only: list them with `aws ce get-dimension-values --dimension USAGE_TYPE ' +
  '--search-string Lattice --time-period Start=…,End=…`, then add `--filter \'{"Dimensions":{"Key":"USAGE_TYPE","Values":[…]}}\'` ' +
  'to `aws ce get-cost-and-usage`.';

/** A bill of no days yet, to which cached days are added. */
export function emptyBill(metric: string, warnings: string[] = []): BilledCosts {
  return {
    metric,
    currency: MODEL_CURRENCY,
    days: new Map(),
    credits: new Map(),
    estimatedDays: new Set(),
    usageTypes: new Map(),
    byResource: new Map(),
    warnings,
  };
}

/**
 * Reads one response or an array of pages. `source` names the input in errors (a file path).
 * `metric` picks the cost metric when several are present. `listed` is the price list's usage
 * types. Returns undefined, with a warning, when no usage type is a VPC Lattice one: such a bill
 * says nothing about Lattice, so costs are modelled.
 */
export function parseCostAndUsage(
  json: unknown,
  source: string,
  metric = 'UnblendedCost',
  warnings: string[] = [],
  listed: ReadonlyMap<string, ChargeType> = new Map(),
): BilledCosts | undefined {
  const isLattice = (usageType: string): boolean => listed.has(usageType) || isLatticeUsageType(usageType);
  const pages = Array.isArray(json) ? json : [json];
  const fail = (why: string): never => {
    throw new DataError(
      `${source}: not a usable Cost Explorer GetCostAndUsage response: ${why}. ` +
        'Expected the output of `aws ce get-cost-and-usage --granularity DAILY --metrics UnblendedCost ' +
        '--group-by Type=DIMENSION,Key=USAGE_TYPE --output json`.',
    );
  };

  const raw: Array<{
    day: string;
    usageType: string;
    resource?: string;
    amount: number;
    estimated: boolean;
  }> = [];
  const seen = new Set<string>();
  /** Days answered per resource, groups or not: a day with none billed every resource $0. */
  const resourceDays = new Set<string>();
  let metricUsed: string | undefined;
  for (const value of pages as unknown[]) {
    if (!isObject(value) || !Array.isArray(value.ResultsByTime)) fail('it has no ResultsByTime array');
    const page = value as CostAndUsageResponse;
    const definitions = Array.isArray(page.GroupDefinitions) ? page.GroupDefinitions : [];
    const groupKeys = definitions.map((g) => (isObject(g) ? String(g.Key) : ''));
    const usageIndex = groupKeys.indexOf('USAGE_TYPE');
    if (usageIndex < 0) fail('it is not grouped by the USAGE_TYPE dimension');
    const resourceIndex = groupKeys.indexOf('RESOURCE_ID');

    for (const result of page.ResultsByTime!) {
      const start = result.TimePeriod?.Start;
      const end = result.TimePeriod?.End;
      if (typeof start !== 'string' || typeof end !== 'string' || !isIsoDay(start) || !isIsoDay(end)) {
        fail('a TimePeriod has no YYYY-MM-DD Start and End');
      }
      const days = (Date.parse(end as string) - Date.parse(start as string)) / 86_400_000;
      if (days !== 1) fail(`the period ${start}..${end} is not one day; use --granularity DAILY`);
      if (resourceIndex >= 0) resourceDays.add(start as string);
      for (const group of result.Groups ?? []) {
        const keys = Array.isArray(group.Keys) ? group.Keys : [];
        const usageType = keys[usageIndex];
        if (typeof usageType !== 'string') fail(`a group on ${start} has no USAGE_TYPE key`);
        const resource = resourceIndex < 0 ? undefined : keys[resourceIndex];
        if (resourceIndex >= 0 && typeof resource !== 'string')
          fail(`a group on ${start} has no RESOURCE_ID key`);
        // The same day and usage type twice (a page given twice) would count it twice.
        const key = `${start}\n${usageType}\n${resource ?? ''}`;
        if (seen.has(key)) fail(`${start} holds usage type ${usageType} twice (the same page given twice?)`);
        seen.add(key);
        const metrics = isObject(group.Metrics) ? group.Metrics : {};
        const names = Object.keys(metrics);
        const chosen = names.includes(metric) ? metric : names.length === 1 ? names[0]! : undefined;
        if (!chosen) fail(`metric ${metric} is missing (found ${names.join(', ') || 'none'})`);
        if (metricUsed && metricUsed !== chosen)
          fail(`pages use different metrics (${metricUsed}, ${chosen})`);
        metricUsed = chosen;
        const value = metrics[chosen!]!;
        const text = typeof value.Amount === 'number' ? String(value.Amount) : value.Amount;
        if (typeof text !== 'string' || !DECIMAL.test(text)) {
          fail(
            `the ${chosen} amount of ${usageType} on ${start} is not a decimal number (${JSON.stringify(value.Amount)})`,
          );
        }
        const unit = typeof value.Unit === 'string' ? value.Unit : MODEL_CURRENCY;
        const amount = Number(text);
        if (unit !== MODEL_CURRENCY && amount !== 0) {
          throw new DataError(
            `${source}: amounts are in ${unit}, but the price model is in ${MODEL_CURRENCY} and the two are never mixed. ` +
              `Give Cost Explorer amounts in ${MODEL_CURRENCY}.`,
          );
        }
        raw.push({
          day: start as string,
          usageType: usageType as string,
          ...(typeof resource === 'string' ? { resource } : {}),
          amount,
          estimated: result.Estimated === true,
        });
      }
    }
  }
  const last = pages.at(-1) as CostAndUsageResponse | undefined;
  if (last && typeof last.NextPageToken === 'string' && last.NextPageToken !== '') {
    warnings.push(
      `${source} is incomplete: its last page has a NextPageToken. Request the next pages and give them all (a JSON array of the responses).`,
    );
  }

  if (raw.length > 0 && !raw.some((r) => isLattice(r.usageType))) {
    warnings.push(
      `${source} was not used: none of its ${new Set(raw.map((r) => r.usageType)).size} usage types is a VPC Lattice one, ` +
        `so every cost is modelled from list prices. ${LATTICE_FILTER_HINT}`,
    );
    return undefined;
  }
  const costs = emptyBill(metricUsed ?? metric, warnings);
  const ignored = new Set<string>();
  for (const r of raw) {
    if (!isLattice(r.usageType)) {
      ignored.add(r.usageType);
      continue;
    }
    if (r.estimated) costs.estimatedDays.add(r.day);
    // Credits and refunds are their own line: never allocated to a service or taken as a saving.
    if (r.amount < 0) {
      costs.credits.set(r.day, (costs.credits.get(r.day) ?? 0) + r.amount);
      continue;
    }
    const fromList = listed.get(r.usageType);
    const type = fromList ?? classifyUsageType(r.usageType);
    costs.usageTypes.set(r.usageType, { charge: type, from: fromList ? 'price-list' : 'name' });
    const day = costs.days.get(r.day) ?? zeroCharges();
    day[type] += r.amount;
    costs.days.set(r.day, day);
    if (r.resource !== undefined) {
      let resources = costs.byResource.get(r.day);
      if (!resources) costs.byResource.set(r.day, (resources = new Map()));
      const charges = resources.get(r.resource) ?? zeroCharges();
      charges[type] += r.amount;
      resources.set(r.resource, charges);
    }
  }
  for (const day of resourceDays) if (!costs.byResource.has(day)) costs.byResource.set(day, new Map());
  const byName = [...costs.usageTypes].filter(([, c]) => c.from === 'name').map(([u]) => u);
  if (byName.length > 0 && listed.size > 0) {
    warnings.push(
      `${byName.length} VPC Lattice usage types are not in the price list and were classified by their names: ${byName.slice(0, 5).join(', ')}.`,
    );
  }
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

/** Adds the days of `more` that `into` does not have: two answers for different days of one bill. */
export function mergeBills(into: BilledCosts, more: BilledCosts): BilledCosts {
  for (const [day, charges] of more.days) if (!into.days.has(day)) into.days.set(day, charges);
  for (const [day, amount] of more.credits) into.credits.set(day, amount);
  for (const day of more.estimatedDays) into.estimatedDays.add(day);
  for (const [usageType, kind] of more.usageTypes) into.usageTypes.set(usageType, kind);
  for (const [day, resources] of more.byResource) into.byResource.set(day, resources);
  into.warnings.push(...more.warnings);
  if (more.days.size > 0) into.currency = more.currency;
  return into;
}
