/** Chooses the report window from the user's dates and the days the data covers. */
import { DataError, UsageError } from '../errors.js';
import { addDays, isIsoDay, makeWindow, type Window } from '../model/dates.js';

export interface WindowRequest {
  /** Inclusive start day, as given by the user. */
  start?: string;
  /** Exclusive end day, as given by the user. */
  end?: string;
  /** Names of the two options, for error messages (`--start`, `lookback-days`...). */
  startName: string;
  endName: string;
}

/** Fails with a message naming the option when `value` is given and is not a real YYYY-MM-DD day. */
export function checkDay(value: string | undefined, name: string): void {
  if (value !== undefined && !isIsoDay(value)) {
    throw new UsageError(`${name} must be a date as YYYY-MM-DD (got ${JSON.stringify(value)}).`);
  }
}

/** Without dates the window is every whole day that has data. */
export function chooseWindow(
  request: WindowRequest,
  covered: { first: string; last: string } | null,
): Window {
  checkDay(request.start, request.startName);
  checkDay(request.end, request.endName);
  if (!covered && (request.start === undefined || request.end === undefined)) {
    throw new DataError('The logs hold no valid access-log record, so there is no window to report on.');
  }
  const start = request.start ?? covered!.first;
  const end = request.end ?? addDays(covered!.last, 1);
  if (start >= end) {
    throw new UsageError(
      `${request.startName} (${start}) must be before ${request.endName} (${end}); the end date is exclusive.`,
    );
  }
  return makeWindow(start, end);
}
