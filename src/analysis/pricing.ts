/**
 * Lattice list prices by region. A price file can override or add regions; an unknown region
 * falls back to us-east-1 with a warning. When Cost Explorer amounts are given, prices only set
 * the mix between charge types: within one charge type the split follows usage alone.
 */

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

/** Source: https://aws.amazon.com/vpc/lattice/pricing/ (US East, N. Virginia example). */
export const DEFAULT_PRICES: Readonly<Record<string, PriceTable>> = {
  'us-east-1': { serviceHour: 0.025, perGB: 0.025, perMillionRequests: 0.1, freeRequestsPerHour: 300_000 },
};

export const FALLBACK_REGION = 'us-east-1';
