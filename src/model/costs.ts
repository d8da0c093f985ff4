/** Lattice charges: the price table of one region and the amounts billed per charge type. */

export interface PriceTable {
  /** USD per service per hour or partial hour. */
  serviceHour: number;
  /** USD per GB processed (bytesReceived + bytesSent). */
  perGB: number;
  /** USD per million requests beyond the free allowance. */
  perMillionRequests: number;
  /** Requests per service per hour that are free. */
  freeRequestsPerHour: number;
}

/** Resource configurations (VPC resources): per resource-hour and per GB processed (first tier). */
export interface ResourcePriceTable {
  resourceHour: number;
  perGB: number;
}

/** Where a region's prices came from, as the report states it. */
export type PriceSource =
  'aws-price-list' | 'price-list-file' | 'price-file' | 'built-in' | 'us-east-1-fallback';

export interface RegionPrices {
  service: PriceTable;
  resource: ResourcePriceTable;
  source: PriceSource;
  /** The price list's publication date, YYYY-MM-DD, when it came from one. */
  published?: string;
}

/** AWS bills data in binary gigabytes. */
export const BYTES_PER_GB = 1024 ** 3;

export type ChargeType = 'hours' | 'data' | 'requests' | 'other';

export type ChargeAmounts = Record<ChargeType, number>;

export function zeroCharges(): ChargeAmounts {
  return { hours: 0, data: 0, requests: 0, other: 0 };
}

export interface BilledCosts {
  metric: string;
  currency: string;
  /** Amount per UTC day and charge type; never negative. */
  days: Map<string, ChargeAmounts>;
  /** Credits, refunds and other negative amounts per UTC day: their own line, never a service's. */
  credits: Map<string, number>;
  /** Days Cost Explorer still marks as Estimated. */
  estimatedDays: Set<string>;
  /** Each Lattice usage type seen, its charge, and whether the price list or its name said so. */
  usageTypes: Map<string, { charge: ChargeType; from: 'price-list' | 'name' }>;
  /**
   * Per UTC day, the amount per resource ID, where Cost Explorer gave resource-level data
   * (GetCostAndUsageWithResources). The day's totals in `days` include these.
   */
  byResource: Map<string, Map<string, ChargeAmounts>>;
  warnings: string[];
}
