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
  /** Each Lattice usage type seen and how it was classified. */
  usageTypes: Map<string, ChargeType>;
  warnings: string[];
}
