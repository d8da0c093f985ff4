/** The hidden marker that finds this report's issue or comment again, and nobody else's. */
import { createHash } from 'node:crypto';

/**
 * A key per report target: two reports in one repository (other networks, regions or log groups)
 * get different keys, so they never overwrite each other.
 */
export function reportKey(parts: {
  region: string;
  serviceNetwork?: string;
  logGroups: readonly string[];
  /** A run over other regions or accounts is another report; absent for one account and region. */
  fleet?: { regions: readonly string[]; accounts: readonly string[] | 'organization' };
}): string {
  const identity = JSON.stringify([
    parts.region,
    parts.serviceNetwork ?? '',
    [...parts.logGroups].sort(),
    ...(parts.fleet
      ? [
          [...parts.fleet.regions].sort(),
          parts.fleet.accounts === 'organization' ? 'organization' : [...parts.fleet.accounts].sort(),
        ]
      : []),
  ]);
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 10);
  const label = (parts.serviceNetwork ?? 'logs')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .slice(0, 40);
  return `${label}.${parts.region}.${hash}`;
}
