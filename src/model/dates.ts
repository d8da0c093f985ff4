/** UTC calendar days as YYYY-MM-DD strings. */

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDay(value: string): boolean {
  if (!ISO_DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2024-02-31 over to March; a real day survives the round trip.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Number of days from `start` (inclusive) to `end` (exclusive). */
function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / DAY_MS);
}

/** Every day from `start` (inclusive) to `end` (exclusive). */
export function dayRange(start: string, end: string): string[] {
  const days: string[] = [];
  for (let d = start; d < end; d = addDays(d, 1)) days.push(d);
  return days;
}

export function todayUtc(now = new Date()): string {
  return now.toISOString().slice(0, 10);
}

export interface Window {
  start: string;
  /** Exclusive. */
  end: string;
  days: number;
}

export function makeWindow(start: string, end: string): Window {
  return { start, end, days: daysBetween(start, end) };
}

/** The window of the same length just before `window`. */
export function previousWindow(window: Window): Window {
  return makeWindow(addDays(window.start, -window.days), window.start);
}
