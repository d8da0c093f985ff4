/** UTC calendar days as YYYY-MM-DD strings. */

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The years a log day may fall in. Lattice launched in 2023 and logs are read for reports of
 * recent weeks, so a day outside is a corrupt timestamp; accepting it once stretched a window over
 * decades. Every engine (exact parser, fast scanner, Logs Insights rows) checks days with isIsoDay.
 */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/**
 * Longest run of days any loop may walk (about ten years). Windows are far shorter; reaching it
 * means a bug upstream, which must fail rather than loop for hours.
 */
const MAX_RANGE_DAYS = 3_700;

/** A real calendar day, any four-digit year: what day arithmetic may start from. */
function isCalendarDay(value: string): boolean {
  if (!ISO_DAY.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  // Date.parse rolls 2024-02-31 over to March; a real day survives the round trip.
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

/** A valid day of data or input: a real calendar day in the years MIN_YEAR to MAX_YEAR. */
export function isIsoDay(value: string): boolean {
  // The year test first: it is the cheap one, and it keeps Date away from years 0-99.
  const year = Number(value.slice(0, 4));
  return year >= MIN_YEAR && year <= MAX_YEAR && isCalendarDay(value);
}

function dayMs(day: string): number {
  if (!isCalendarDay(day)) throw new Error(`Internal error: ${JSON.stringify(day)} is not a YYYY-MM-DD day`);
  return Date.parse(`${day}T00:00:00Z`);
}

function dayOf(ms: number): string {
  const day = Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : '';
  // Outside 0000-9999 toISOString gives "-000001-12-31" or "+010000-01-01".
  if (!ISO_DAY.test(day)) throw new Error(`Internal error: a day computation left the years 0000-9999`);
  return day;
}

export function addDays(day: string, n: number): string {
  if (!Number.isInteger(n)) throw new Error(`Internal error: cannot add ${n} days`);
  return dayOf(dayMs(day) + n * DAY_MS);
}

/** Number of days from `start` (inclusive) to `end` (exclusive). */
function daysBetween(start: string, end: string): number {
  return Math.round((dayMs(end) - dayMs(start)) / DAY_MS);
}

/** Every day from `start` (inclusive) to `end` (exclusive); a bad or huge range throws. */
export function dayRange(start: string, end: string): string[] {
  const count = daysBetween(start, end);
  if (count < 0) throw new Error(`Internal error: day range ${start} to ${end} ends before it starts`);
  if (count > MAX_RANGE_DAYS) {
    throw new Error(`Internal error: day range ${start} to ${end} is longer than ${MAX_RANGE_DAYS} days`);
  }
  const first = dayMs(start);
  return Array.from({ length: count }, (_, i) => dayOf(first + i * DAY_MS));
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
