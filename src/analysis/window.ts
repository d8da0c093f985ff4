/** Chooses the report window from the user's dates and the days the data covers. */
import { DataError, UsageError } from '../errors.js';
import {
  MAX_YEAR,
  MIN_YEAR,
  addDays,
  isIsoDay,
  makeWindow,
  previousWindow,
  type Window,
} from '../model/dates.js';

/**
 * Length of the window when the user gives no start or no end: the most the action's
 * lookback-days allows, so a stray old or far-future record cannot widen it.
 */
export const DEFAULT_WINDOW_DAYS = 90;
/**
 * Services x days the default window may hold. The report, its cost model and its JSON grow with
 * that product; this keeps any input of 1 MB (up to ~8,000 services of one record each) within
 * 300 MB and seconds. 1,000 services still get a 30-day window.
 */
const DEFAULT_WINDOW_CELLS = 30_000;
/** The default window is at least a day. */
const MIN_DEFAULT_WINDOW_DAYS = 1;

/** The default window's length for `services` services. */
export function defaultWindowDays(services: number): number {
  return Math.max(
    MIN_DEFAULT_WINDOW_DAYS,
    Math.min(DEFAULT_WINDOW_DAYS, Math.floor(DEFAULT_WINDOW_CELLS / Math.max(1, services))),
  );
}

/** Longest window --start/--end may ask for: a year, compared with the year before it. */
export const MAX_WINDOW_DAYS = 366;
/** Days named in the warning about records left out; the rest are counted only. */
const NAMED_DAYS = 5;

export interface WindowRequest {
  /** Inclusive start day, as given by the user. */
  start?: string;
  /** Exclusive end day, as given by the user. */
  end?: string;
  /** Names of the two options, for error messages (`--start`, `lookback-days`...). */
  startName: string;
  endName: string;
}

/** Fails with a message naming the option when `value` is given and is not a valid day. */
export function checkDay(value: string | undefined, name: string): void {
  if (value !== undefined && !isIsoDay(value)) {
    throw new UsageError(
      `${name} must be a date as YYYY-MM-DD in the years ${MIN_YEAR}-${MAX_YEAR} (got ${JSON.stringify(value)}).`,
    );
  }
}

/**
 * The window for `request`. A missing end is the day after the latest data day (one up to
 * `today` when there is one: a record from the future is a wrong clock); a missing start is the
 * earliest data day at most `defaultDays` before the end. Days are never walked, so a
 * stray record decades away costs nothing.
 */
export function chooseWindow(
  request: WindowRequest,
  dataDays: Iterable<string>,
  today?: string,
  defaultDays = DEFAULT_WINDOW_DAYS,
): Window {
  checkDay(request.start, request.startName);
  checkDay(request.end, request.endName);
  const days = [...dataDays].sort();
  if (days.length === 0) {
    throw new DataError('The logs hold no valid access-log record, so there is no window to report on.');
  }
  const { start, end } = request;
  if (start !== undefined && end !== undefined) {
    if (start >= end) {
      throw new UsageError(
        `${request.startName} (${start}) must be before ${request.endName} (${end}); the end date is exclusive.`,
      );
    }
    const window = makeWindow(start, end);
    if (window.days > MAX_WINDOW_DAYS) {
      throw new UsageError(
        `${request.startName} ${start} to ${request.endName} ${end} is ${window.days} days; ` +
          `a window may be at most ${MAX_WINDOW_DAYS} days.`,
      );
    }
    return window;
  }
  if (start !== undefined) {
    const limit = addDays(start, defaultDays);
    const last = days.findLast((d) => d >= start && d < limit);
    // No data from `start` on: a one-day window, which the caller reports as empty.
    return makeWindow(start, addDays(last ?? start, 1));
  }
  let windowEnd = end;
  if (windowEnd === undefined) {
    const past = today === undefined ? undefined : days.findLast((d) => d <= today);
    windowEnd = addDays(past ?? days.at(-1)!, 1);
  }
  const from = addDays(windowEnd, -defaultDays);
  const first = days.find((d) => d >= from && d < windowEnd);
  return makeWindow(first ?? from, windowEnd);
}

/**
 * A day no earlier than the first day kept (the window chooseWindow will choose, and the one
 * before it), knowing only part of the data: `services` so far, and `latestPastDay`, the latest day
 * at or before today with a record so far. A reader may drop the days before it while it scans.
 * Undefined when it cannot tell yet.
 *
 * It holds for all the data because, as more is read, the default length only shrinks (more
 * services) and the default end only moves later; the window is at most that length, so the
 * first day kept is at least its end minus twice the length (its start minus one length when the
 * start is given).
 */
export function keptFromAtLeast(
  request: Pick<WindowRequest, 'start' | 'end'>,
  services: number,
  latestPastDay: string | undefined,
): string | undefined {
  const { start, end } = request;
  // Bad dates fail in chooseWindow, with the message; nothing is dropped meanwhile.
  if ((start !== undefined && !isIsoDay(start)) || (end !== undefined && !isIsoDay(end))) return undefined;
  if (start !== undefined && end !== undefined) {
    return start < end ? previousWindow(makeWindow(start, end)).start : undefined;
  }
  const length = defaultWindowDays(services);
  if (start !== undefined) return addDays(start, -length);
  const windowEnd = end ?? (latestPastDay === undefined ? undefined : addDays(latestPastDay, 1));
  return windowEnd === undefined ? undefined : addDays(windowEnd, -2 * length);
}

/**
 * The one warning about records outside the window and the previous window, which are left out
 * of the report: how many, from how many days, and the first few of those days.
 */
export function leftOutWarning(window: Window, outside: ReadonlyMap<string, number>): string | undefined {
  if (outside.size === 0) return undefined;
  const days = [...outside.keys()].sort();
  const records = [...outside.values()].reduce((sum, n) => sum + n, 0);
  const plural = (n: number, word: string): string =>
    `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const named = days
    .slice(0, NAMED_DAYS)
    .map((d) => `${d} (${plural(outside.get(d)!, 'record')})`)
    .join(', ');
  const more = days.length > NAMED_DAYS ? ` and ${days.length - NAMED_DAYS} more` : '';
  return (
    `${plural(records, 'record')} from ${plural(days.length, 'day')} outside the window ` +
    `${window.start} to ${window.end} and the ${plural(window.days, 'day')} before it ` +
    `${records === 1 ? 'was' : 'were'} left out: ${named}${more}.`
  );
}
