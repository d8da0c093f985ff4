/**
 * Service-hours: Lattice bills a service "for each hour or partial hour that it is running"
 * (https://aws.amazon.com/vpc/lattice/pricing/), so a service created during a day is billed from
 * the hour it was created in.
 *
 * Deletion is not known: the inventory lists only services that exist now, so a service deleted
 * during the window is billed to the window's end, as before.
 */
import type { DayAggregate } from '../model/aggregate.js';

const HOUR_MS = 3_600_000;

/** The start of the first UTC hour with a record among `days` (one service's), or undefined. */
export function firstRecordHour(days: Iterable<DayAggregate>): string | undefined {
  let first: DayAggregate | undefined;
  for (const d of days) if (d.requests > 0 && (!first || d.day < first.day)) first = d;
  if (!first) return undefined;
  // Records without an hour (a Logs Insights row that did not add up) may be from any hour of the day.
  const known = first.hourly.reduce((sum, n) => sum + n, 0);
  const hour = known === first.requests ? first.hourly.findIndex((n) => n > 0) : 0;
  return new Date(Date.parse(`${first.day}T00:00:00Z`) + Math.max(0, hour) * HOUR_MS).toISOString();
}

/**
 * The service's moment of creation as `billableHours` uses it: the earlier of `createdAt` and the
 * first record's hour, since a record proves the service existed (a later createdAt is a wrong
 * clock, or an emulator). Without createdAt it is unknown: a first record says nothing of the
 * hours before it (logging may have started later).
 */
function existsFrom(createdAt?: string, firstRecord?: string): number | undefined {
  const created = createdAt === undefined ? NaN : Date.parse(createdAt);
  if (Number.isNaN(created)) return undefined;
  const seen = firstRecord === undefined ? NaN : Date.parse(firstRecord);
  return Number.isNaN(seen) ? created : Math.min(created, seen);
}

/**
 * Hours or partial hours of UTC `day` in which the service existed: 0 to 24. Created at 10:30, it
 * is billed hours 10 to 23 (14); with no creation time known, all 24.
 */
export function billableHours(day: string, createdAt?: string, firstRecord?: string): number {
  const from = existsFrom(createdAt, firstRecord);
  if (from === undefined) return 24;
  const hoursBefore = Math.floor((from - Date.parse(`${day}T00:00:00Z`)) / HOUR_MS);
  return Math.min(24, Math.max(0, 24 - hoursBefore));
}

/** Whether `createdAt` falls in a later hour than the first record: the record wins, with a warning. */
export function createdAfterRecord(createdAt?: string, firstRecord?: string): boolean {
  if (createdAt === undefined || firstRecord === undefined) return false;
  return Date.parse(createdAt) >= Date.parse(firstRecord) + HOUR_MS;
}
