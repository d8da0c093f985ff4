/**
 * Lattice list prices by region. A price file can override or add regions; an unknown region
 * falls back to us-east-1 with a warning. When Cost Explorer amounts are given, prices only set
 * the mix between charge types: within one charge type the split follows usage alone.
 */
import { UsageError } from '../errors.js';
import type { PriceTable } from '../model/costs.js';
import { isRegionName } from '../model/names.js';

/** Source: https://aws.amazon.com/vpc/lattice/pricing/ (US East, N. Virginia example). */
export const DEFAULT_PRICES: Readonly<Record<string, PriceTable>> = {
  'us-east-1': { serviceHour: 0.025, perGB: 0.025, perMillionRequests: 0.1, freeRequestsPerHour: 300_000 },
};

export const FALLBACK_REGION = 'us-east-1';

const KEYS: ReadonlyArray<keyof PriceTable> = [
  'serviceHour',
  'perGB',
  'perMillionRequests',
  'freeRequestsPerHour',
];

/**
 * Validates a user's price table (JSON: region → prices). Missing fields fall back to the region's
 * built-in prices, or us-east-1's.
 */
export function parsePriceOverrides(json: unknown, source: string): Record<string, PriceTable> {
  const fail = (why: string): never => {
    throw new UsageError(
      `${source}: ${why}. Expected {"<region>": {"serviceHour": 0.025, "perGB": 0.025, "perMillionRequests": 0.1, "freeRequestsPerHour": 300000}}.`,
    );
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    fail('the price file must be a JSON object');
  const result: Record<string, PriceTable> = {};
  for (const [region, value] of Object.entries(json as Record<string, unknown>)) {
    if (!isRegionName(region)) fail(`"${region}" is not an AWS region name`);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      fail(`prices for ${region} must be an object`);
    const table: PriceTable = { ...(DEFAULT_PRICES[region] ?? DEFAULT_PRICES[FALLBACK_REGION]!) };
    for (const [key, price] of Object.entries(value as Record<string, unknown>)) {
      if (!KEYS.includes(key as keyof PriceTable))
        fail(`unknown price "${key}" for ${region} (known: ${KEYS.join(', ')})`);
      if (typeof price !== 'number' || !Number.isFinite(price) || price < 0)
        fail(`${region}.${key} must be a non-negative number`);
      table[key as keyof PriceTable] = price as number;
    }
    result[region] = table;
  }
  return result;
}

/**
 * Resource configurations (VPC resources): per resource per hour, and per GB processed (the first
 * tier, up to 1 PB a month). Source: https://aws.amazon.com/vpc/lattice/pricing/, read through a
 * transcription of the page; the page gives $0.10 per resource-hour in its example.
 */
export const DEFAULT_RESOURCE_PRICES: Readonly<Record<string, { resourceHour: number; perGB: number }>> = {
  'us-east-1': { resourceHour: 0.1, perGB: 0.01 },
};
