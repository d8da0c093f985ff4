/** Validates a user's price table (JSON: region → prices) into complete PriceTables. */
import { UsageError } from '../errors.js';
import { DEFAULT_PRICES, FALLBACK_REGION, type PriceTable } from './pricing.js';

const KEYS: ReadonlyArray<keyof PriceTable> = [
  'serviceHour',
  'perGB',
  'perMillionRequests',
  'freeRequestsPerHour',
];

/** Missing fields fall back to the region's built-in prices, or us-east-1's. */
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
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) fail(`"${region}" is not an AWS region name`);
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
