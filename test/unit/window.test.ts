/** The report window from the user's dates and the days with data, and the warning for the rest. */
import { describe, expect, it } from '@jest/globals';
import { DataError, UsageError } from '../../src/errors.js';
import {
  DEFAULT_WINDOW_DAYS,
  MAX_WINDOW_DAYS,
  chooseWindow,
  defaultWindowDays,
  keptFromAtLeast,
  leftOutWarning,
} from '../../src/analysis/window.js';
import { addDays, dayRange, makeWindow, previousWindow } from '../../src/model/dates.js';
import fc from 'fast-check';

const names = { startName: '--start', endName: '--end' };
const TODAY = '2026-11-25';
const choose = (days: string[], dates: { start?: string; end?: string } = {}) =>
  chooseWindow({ ...names, ...dates }, days, TODAY);

describe('chooseWindow', () => {
  it('is every day with data when they fit in the default length', () => {
    expect(choose(['2026-11-21', '2026-11-16', '2026-11-22'])).toEqual(
      makeWindow('2026-11-16', '2026-11-23'),
    );
  });

  it('counts back from the latest data day, not forward from the earliest', () => {
    expect(DEFAULT_WINDOW_DAYS).toBe(90);
    expect(choose(['2001-01-01', '2026-11-20', '2026-11-21'])).toEqual(
      makeWindow('2026-11-20', '2026-11-22'),
    );
    const daily = dayRange('2026-01-01', '2026-11-23');
    expect(choose(daily)).toEqual(makeWindow('2026-08-25', '2026-11-23'));
  });

  it('ends at the latest day up to today; days after it are a wrong clock', () => {
    expect(choose(['2026-11-20', '2026-11-25', '2099-06-01'])).toEqual(
      makeWindow('2026-11-20', '2026-11-26'),
    );
    // Without any day up to today, the latest day it is.
    expect(choose(['2027-03-01', '2027-03-02'])).toEqual(makeWindow('2027-03-01', '2027-03-03'));
  });

  it('bounds a window with one date given to the default length', () => {
    const days = ['2001-01-01', '2026-06-01', '2026-11-20', '2026-11-21'];
    expect(choose(days, { end: '2026-11-21' })).toEqual(makeWindow('2026-11-20', '2026-11-21'));
    expect(choose(days, { end: '2026-11-01' })).toEqual(makeWindow('2026-08-03', '2026-11-01'));
    expect(choose(days, { start: '2026-06-01' })).toEqual(makeWindow('2026-06-01', '2026-06-02'));
    expect(choose(days, { start: '2026-09-01' })).toEqual(makeWindow('2026-09-01', '2026-11-22'));
    expect(choose(days, { start: '2000-01-01' })).toEqual(makeWindow('2000-01-01', '2000-01-02'));
  });

  it('takes both dates as given, up to the longest window', () => {
    expect(choose(['2026-11-20'], { start: '2026-01-01', end: '2027-01-01' }).days).toBe(365);
    expect(MAX_WINDOW_DAYS).toBe(366);
    expect(() => choose(['2026-11-20'], { start: '2020-01-01', end: '2026-01-01' })).toThrow(
      new UsageError(
        '--start 2020-01-01 to --end 2026-01-01 is 2192 days; a window may be at most 366 days.',
      ),
    );
    expect(() => choose(['2026-11-20'], { start: '2026-11-20', end: '2026-11-20' })).toThrow(
      new UsageError('--start (2026-11-20) must be before --end (2026-11-20); the end date is exclusive.'),
    );
  });

  it('rejects days outside the years 2000-2100 and an empty log', () => {
    expect(() => choose(['2026-11-20'], { start: '1970-01-01' })).toThrow(
      new UsageError('--start must be a date as YYYY-MM-DD in the years 2000-2100 (got "1970-01-01").'),
    );
    expect(() => choose([], { start: '2026-11-01', end: '2026-11-08' })).toThrow(DataError);
  });

  it('never walks the days between far-apart records', () => {
    const started = performance.now();
    expect(choose(['2000-01-01', '2100-12-31'])).toEqual(makeWindow('2000-01-01', '2000-01-02'));
    expect(chooseWindow(names, ['2000-01-01', '2100-12-31'])).toEqual(makeWindow('2100-12-31', '2101-01-01'));
    expect(performance.now() - started).toBeLessThan(100);
  });
});

describe('defaultWindowDays', () => {
  it('keeps services x days bounded: 90 days for a few services, fewer for many, at least one', () => {
    expect(defaultWindowDays(0)).toBe(DEFAULT_WINDOW_DAYS);
    expect(defaultWindowDays(300)).toBe(DEFAULT_WINDOW_DAYS);
    expect(defaultWindowDays(1_000)).toBe(30);
    expect(defaultWindowDays(8_388)).toBe(3);
    expect(defaultWindowDays(1_000_000)).toBe(1);
  });

  it('shortens the default window only', () => {
    const days = dayRange('2026-08-01', '2026-11-25');
    expect(chooseWindow({ ...names }, days, TODAY, 3)).toEqual(makeWindow('2026-11-22', '2026-11-25'));
    expect(chooseWindow({ ...names, start: '2026-09-01', end: '2026-11-01' }, days, TODAY, 3).days).toBe(61);
  });
});

describe('keptFromAtLeast', () => {
  /** The first day the whole data keeps: the window before the window chooseWindow picks. */
  const keptStart = (days: string[], services: number, dates: { start?: string; end?: string }): string =>
    previousWindow(chooseWindow({ ...names, ...dates }, days, TODAY, defaultWindowDays(services))).start;

  it('never passes the first day kept, whatever part of the data has been read', () => {
    // Records arrive in any order, each naming a day and adding a service or not (as a scan sees them).
    const day = fc.integer({ min: -200, max: 10 }).map((n) => addDays(TODAY, n));
    const dates = fc.record({ start: day, end: day.map((d) => addDays(d, 1)) }, { requiredKeys: [] });
    fc.assert(
      fc.property(
        fc.array(fc.record({ day, services: fc.integer({ min: 0, max: 3_000 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        dates,
        (records, request) => {
          if (request.start !== undefined && request.end !== undefined && request.start >= request.end)
            return;
          const all = records.map((r) => r.day);
          let services = 0;
          const final = records.reduce((n, r) => n + r.services, 0);
          const expected = keptStart(all, final, request);
          for (let i = 0; i < records.length; i++) {
            services += records[i]!.services;
            const seen = all.slice(0, i + 1).filter((d) => d <= TODAY);
            const latest = seen.length > 0 ? seen.sort().at(-1) : undefined;
            const bound = keptFromAtLeast(request, services, latest);
            if (bound !== undefined) expect(bound <= expected).toBe(true);
          }
        },
      ),
    );
  });

  it('is the first day kept itself when both dates are given, and says nothing for bad ones', () => {
    expect(keptFromAtLeast({ start: '2026-11-01', end: '2026-11-08' }, 5, undefined)).toBe('2026-10-25');
    expect(keptFromAtLeast({ start: '2026-11-08', end: '2026-11-01' }, 5, undefined)).toBeUndefined();
    expect(keptFromAtLeast({ start: 'yesterday' }, 5, '2026-11-01')).toBeUndefined();
    // Nothing at or before today read yet: the end is not known.
    expect(keptFromAtLeast({}, 5, undefined)).toBeUndefined();
    // 5,000 services: 6 days, so 12 are kept up to the latest day.
    expect(keptFromAtLeast({}, 5_000, '2026-11-24')).toBe('2026-11-13');
  });
});

describe('leftOutWarning', () => {
  const window = makeWindow('2026-11-16', '2026-11-23');

  it('is one sentence naming the days and their records', () => {
    expect(leftOutWarning(window, new Map())).toBeUndefined();
    expect(leftOutWarning(window, new Map([['2026-06-01', 1]]))).toBe(
      '1 record from 1 day outside the window 2026-11-16 to 2026-11-23 and the 7 days before it was left out: 2026-06-01 (1 record).',
    );
    expect(
      leftOutWarning(
        window,
        new Map([
          ['2099-12-31', 1],
          ['2001-01-01', 2],
        ]),
      ),
    ).toBe(
      '3 records from 2 days outside the window 2026-11-16 to 2026-11-23 and the 7 days before it were left out: 2001-01-01 (2 records), 2099-12-31 (1 record).',
    );
  });

  it('names the first five days and counts the rest', () => {
    const outside = new Map(dayRange('2026-01-01', '2026-01-21').map((d) => [d, 1500] as const));
    expect(leftOutWarning(window, outside)).toBe(
      '30,000 records from 20 days outside the window 2026-11-16 to 2026-11-23 and the 7 days before it were left out: ' +
        '2026-01-01 (1,500 records), 2026-01-02 (1,500 records), 2026-01-03 (1,500 records), ' +
        '2026-01-04 (1,500 records), 2026-01-05 (1,500 records) and 15 more.',
    );
  });
});
