/**
 * Lattice prices by region: from the AWS Price List when one is given, else built in. A price
 * file can override or add regions; an unknown region falls back to us-east-1 with a warning.
 * When Cost Explorer amounts are given, prices only set the mix between charge types: within one
 * charge type the split follows usage alone.
 */
import { UsageError } from '../errors.js';
import type { PriceTable, RegionPrices, ResourcePriceTable } from '../model/costs.js';
import { isRegionName } from '../model/names.js';
import type { PriceList } from './price-list.js';

/** Source: https://aws.amazon.com/vpc/lattice/pricing/ (US East, N. Virginia example). */
export const DEFAULT_PRICES: Readonly<Record<string, PriceTable>> = {
  'us-east-1': { serviceHour: 0.025, perGB: 0.025, perMillionRequests: 0.1, freeRequestsPerHour: 300_000 },
};

export const FALLBACK_REGION = 'us-east-1';

/**
 * What a price may be. The caps are far above any Lattice price, yet low enough that a window's
 * costs stay finite; the free allowance is a request count, a whole number in the report.
 */
const LIMITS: Readonly<Record<keyof PriceTable, { max: number; integer: boolean; unit: string }>> = {
  serviceHour: { max: 1000, integer: false, unit: 'USD per service-hour' },
  perGB: { max: 1000, integer: false, unit: 'USD per GB' },
  perMillionRequests: { max: 100_000, integer: false, unit: 'USD per million requests' },
  freeRequestsPerHour: { max: 1e12, integer: true, unit: 'requests per hour' },
};

const KEYS = Object.keys(LIMITS) as Array<keyof PriceTable>;

const EXAMPLE =
  '{"us-east-1": {"serviceHour": 0.025, "perGB": 0.025, "perMillionRequests": 0.1, "freeRequestsPerHour": 300000}}';

/** What a JSON value is, for a message: the number itself, or its type and a short quote. */
function valueText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return `a string ${text.length > 40 ? `${text.slice(0, 36)}..."` : text}`;
  }
  return typeof value === 'boolean' ? `a boolean ${value}` : typeof value;
}

/** Why `price` is not a valid value for `key`, or undefined when it is. */
function priceProblem(key: keyof PriceTable, price: unknown): string | undefined {
  const { max, integer, unit } = LIMITS[key];
  const ok =
    typeof price === 'number' &&
    Number.isFinite(price) &&
    price >= 0 &&
    price <= max &&
    (!integer || Number.isSafeInteger(price));
  if (ok) return undefined;
  const kind = integer ? 'a whole number' : 'a number';
  return `must be ${kind} between 0 and ${max} ${unit} (got ${valueText(price)})`;
}

/**
 * Validates a user's price table (JSON: region → prices) when the file is read, so a bad value is
 * named by its region and key rather than failing the report later. Missing fields fall back to
 * the region's built-in prices, or us-east-1's. Every problem is reported at once, one a line.
 */
export function parsePriceOverrides(json: unknown, source: string): Record<string, PriceTable> {
  const problems: string[] = [];
  const result: Record<string, PriceTable> = {};
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    problems.push(`the price file must be a JSON object of regions (got ${valueText(json)})`);
  } else {
    for (const [region, value] of Object.entries(json as Record<string, unknown>)) {
      if (!isRegionName(region)) {
        problems.push(`${JSON.stringify(region)} is not an AWS region name such as us-east-1`);
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${region} must be an object of prices (got ${valueText(value)})`);
        continue;
      }
      const table: PriceTable = { ...(DEFAULT_PRICES[region] ?? DEFAULT_PRICES[FALLBACK_REGION]!) };
      for (const [key, price] of Object.entries(value as Record<string, unknown>)) {
        if (!(KEYS as string[]).includes(key)) {
          problems.push(`${region}.${key} is not a price; the known ones are ${KEYS.join(', ')}`);
          continue;
        }
        const problem = priceProblem(key as keyof PriceTable, price);
        if (problem) problems.push(`${region}.${key} ${problem}`);
        else table[key as keyof PriceTable] = price as number;
      }
      result[region] = table;
    }
  }
  if (problems.length > 0) {
    throw new UsageError(
      `${problems.map((problem) => `${source}: ${problem}.`).join('\n')}\n` +
        `Fix the price file; its shape is ${EXAMPLE}, and a price left out keeps its built-in value.`,
    );
  }
  return result;
}

/**
 * Resource configurations (VPC resources): per resource per hour, and per GB processed (the first
 * tier, up to 1 PB a month). Source: https://aws.amazon.com/vpc/lattice/pricing/, read through a
 * transcription of the page; the page gives $0.10 per resource-hour in its example.
 */
export const DEFAULT_RESOURCE_PRICES: Readonly<Record<string, ResourcePriceTable>> = {
  'us-east-1': { resourceHour: 0.1, perGB: 0.01 },
};

export interface ResolvedPrices {
  byRegion: Record<string, RegionPrices>;
  warnings: string[];
}

const SERVICE_NAMES: Record<string, string> = {
  serviceHour: 'service-hour',
  perGB: 'GB processed',
  perMillionRequests: 'request',
};
const RESOURCE_NAMES: Record<string, string> = { resourceHour: 'resource-hour', perGB: 'resource GB' };

/**
 * Prices for `regions`: a price file first, then the price list, then the built-in table, then
 * us-east-1 with a warning. The free request allowance is never in the price list: it is the
 * pricing page's 300,000 requests per service-hour.
 */
export function resolvePrices(
  regions: Iterable<string>,
  inputs: { overrides?: Record<string, PriceTable>; priceList?: PriceList } = {},
): ResolvedPrices {
  const byRegion: Record<string, RegionPrices> = {};
  const warnings: string[] = [];
  const { overrides = {}, priceList } = inputs;
  for (const region of [...new Set(regions)].sort()) {
    const builtIn = DEFAULT_PRICES[region];
    const fallback = builtIn ? undefined : FALLBACK_REGION;
    const base: RegionPrices = {
      service: { ...(builtIn ?? DEFAULT_PRICES[FALLBACK_REGION]!) },
      resource: { ...(DEFAULT_RESOURCE_PRICES[region] ?? DEFAULT_RESOURCE_PRICES[FALLBACK_REGION]!) },
      source: fallback ? 'us-east-1-fallback' : 'built-in',
    };
    const listed = priceList?.regions.get(region);
    if (listed) {
      const missing = [
        ...Object.keys(SERVICE_NAMES)
          .filter((k) => listed.service[k as keyof typeof listed.service] === undefined)
          .map((k) => SERVICE_NAMES[k]),
        ...Object.keys(RESOURCE_NAMES)
          .filter((k) => listed.resource[k as keyof ResourcePriceTable] === undefined)
          .map((k) => RESOURCE_NAMES[k]),
      ];
      Object.assign(base.service, listed.service);
      Object.assign(base.resource, listed.resource);
      base.source = priceList!.origin;
      if (priceList!.published) base.published = priceList!.published;
      if (missing.length > 0) {
        warnings.push(
          `The price list gives no ${missing.join(', ')} price for ${region}; ` +
            `the built-in ${fallback ?? region} price was used for it.`,
        );
      }
    } else if (priceList) {
      warnings.push(
        `The price list has no VPC Lattice prices for ${region}; used the built-in ${fallback ?? region} prices.`,
      );
    } else if (fallback && !overrides[region]) {
      warnings.push(
        `No VPC Lattice prices are known for region ${region}; used ${FALLBACK_REGION} prices. ` +
          "Give the region's price list (aws pricing get-products) or prices with --prices FILE for an accurate model.",
      );
    }
    const override = overrides[region];
    if (override) {
      base.service = { ...override };
      base.source = 'price-file';
      delete base.published;
    }
    byRegion[region] = base;
  }
  return { byRegion, warnings };
}
