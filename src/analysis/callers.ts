/**
 * Who drives each service's cost (showback): a service's callers over the window, each with the
 * share of the service's variable charges it drove, and the same callers across the network.
 *
 * A caller's cost is the service's data charge split by bytes plus its request charge split by
 * requests, allocated in cents (largest remainder), so a service's callers add up to its
 * cost.data + cost.requests exactly. The hourly charge is the owner's: a service costs it whoever
 * calls, so it is not split. Pure: no I/O, no SDK.
 */
import {
  CALLERS_PER_SERVICE_DAY,
  type CallerCounts,
  OTHER_CALLER,
  addCounts,
  parseCallerKey,
} from '../model/callers.js';
import type { CallerReport, CallerSummary, Report } from '../model/report.js';
import { allocateCents, roundTo } from './money.js';
import { compareText } from '../model/compare.js';

/** Callers a service lists in the report, "other" included; the rest are merged into "other". */
const SERVICE_CALLERS = CALLERS_PER_SERVICE_DAY;
/** Callers the network list keeps, "other" included. @testseam */
export const NETWORK_CALLERS = 50;

interface Weighted {
  key: string;
  counts: CallerCounts;
  cents: number;
}

const identity = (key: string): Pick<CallerReport, 'vpcId' | 'vpcAccount' | 'principalAccount'> => {
  const caller = parseCallerKey(key);
  return {
    vpcId: caller?.vpcId ?? null,
    vpcAccount: caller?.vpcAccount ?? null,
    principalAccount: caller?.principalAccount ?? null,
  };
};

/** Cost, then requests, bytes and key; "other" last, whatever it holds. */
function compareWeighted(a: Weighted, b: Weighted): number {
  if ((a.key === OTHER_CALLER) !== (b.key === OTHER_CALLER)) return a.key === OTHER_CALLER ? 1 : -1;
  return (
    b.cents - a.cents ||
    b.counts.requests - a.counts.requests ||
    b.counts.bytes - a.counts.bytes ||
    compareText(a.key, b.key)
  );
}

/** Keeps `max` entries, "other" included, merging the rest into a fresh "other". */
function cap<T extends Weighted>(
  list: T[],
  max: number,
  fresh: () => T,
  merge: (into: T, from: T) => void,
): T[] {
  const sorted = [...list].sort(compareWeighted);
  if (sorted.length <= max) return sorted;
  const named = sorted.filter((w) => w.key !== OTHER_CALLER);
  const other = fresh();
  for (const w of sorted) if (w.key === OTHER_CALLER) merge(other, w);
  for (const w of named.slice(max - 1)) merge(other, w);
  return [...named.slice(0, max - 1), other];
}

const zero = (): CallerCounts => ({ requests: 0, bytes: 0, errors: 0 });

function addWeighted(into: Weighted, from: Weighted): void {
  addCounts(into.counts, from.counts);
  into.cents += from.cents;
}

/**
 * A service's callers over the window, heaviest first, at most SERVICE_CALLERS (the rest in
 * "other"). `callers` are the service's day callers summed over the window; `cost` its window
 * cost in cents-exact USD. Their costs add up to cost.data + cost.requests.
 */
export function serviceCallers(
  callers: ReadonlyMap<string, CallerCounts>,
  cost: { data: number; requests: number },
): CallerReport[] {
  const list = [...callers].filter(([, c]) => c.requests > 0);
  if (list.length === 0) return [];
  const requests = list.reduce((s, [, c]) => s + c.requests, 0);
  const bytes = list.reduce((s, [, c]) => s + c.bytes, 0);
  // Without bytes (none logged), the data charge follows requests: every cent still has a caller.
  const dataWeight = (c: CallerCounts): number => (bytes > 0 ? c.bytes / bytes : c.requests / requests);
  const data = allocateCents(
    list.map(([, c]) => cost.data * dataWeight(c)),
    Math.round(cost.data * 100),
  );
  const perRequest = allocateCents(
    list.map(([, c]) => (cost.requests * c.requests) / requests),
    Math.round(cost.requests * 100),
  );
  const weighted: Weighted[] = list.map(([key, counts], i) => ({
    key,
    counts: { ...counts },
    cents: Math.round(data[i]! * 100) + Math.round(perRequest[i]! * 100),
  }));
  const variableCents = Math.round(cost.data * 100) + Math.round(cost.requests * 100);
  const fresh = (): Weighted => ({ key: OTHER_CALLER, counts: zero(), cents: 0 });
  return cap(weighted, SERVICE_CALLERS, fresh, addWeighted).map((w) => ({
    key: w.key,
    ...identity(w.key),
    requests: w.counts.requests,
    bytes: w.counts.bytes,
    errors: w.counts.errors,
    cost: w.cents / 100,
    share: variableCents > 0 ? roundTo(w.cents / variableCents, 6) : 0,
  }));
}

interface NetworkWeighted extends Weighted {
  services: Set<string>;
}

/**
 * The network's callers: each caller's requests, bytes, errors and cost summed over the services
 * it called (from their capped lists, so "other" is every service's "other"), heaviest first, at
 * most NETWORK_CALLERS. Returns undefined when no service has callers.
 */
export function networkCallers(
  services: ReadonlyArray<{ arn: string; callers?: CallerReport[] }>,
): Report['callers'] {
  const byKey = new Map<string, NetworkWeighted>();
  let variableCents = 0;
  for (const s of services) {
    for (const c of s.callers ?? []) {
      let w = byKey.get(c.key);
      if (!w) {
        w = { key: c.key, counts: zero(), cents: 0, services: new Set() };
        byKey.set(c.key, w);
      }
      const cents = Math.round(c.cost * 100);
      addWeighted(w, { key: c.key, counts: c, cents });
      w.services.add(s.arn);
      variableCents += cents;
    }
  }
  if (byKey.size === 0) return undefined;
  const fresh = (): NetworkWeighted => ({ key: OTHER_CALLER, counts: zero(), cents: 0, services: new Set() });
  const merge = (into: NetworkWeighted, from: NetworkWeighted): void => {
    addWeighted(into, from);
    for (const arn of from.services) into.services.add(arn);
  };
  const callers: CallerSummary[] = cap([...byKey.values()], NETWORK_CALLERS, fresh, merge).map((w) => ({
    key: w.key,
    ...identity(w.key),
    services: w.services.size,
    requests: w.counts.requests,
    bytes: w.counts.bytes,
    errors: w.counts.errors,
    cost: w.cents / 100,
    share: variableCents > 0 ? roundTo(w.cents / variableCents, 6) : 0,
  }));
  return { bound: CALLERS_PER_SERVICE_DAY, variableCost: variableCents / 100, callers };
}
