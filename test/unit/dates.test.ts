/** Days as YYYY-MM-DD: the bounded definition of a valid day, day arithmetic, and startTime. */
import { describe, expect, it } from '@jest/globals';
import { toRecord } from '../../src/model/record.js';
import {
  MAX_YEAR,
  MIN_YEAR,
  addDays,
  dayRange,
  isIsoDay,
  makeWindow,
  previousWindow,
} from '../../src/model/dates.js';

describe('isIsoDay', () => {
  it('accepts real days in the years 2000-2100 only', () => {
    expect([MIN_YEAR, MAX_YEAR]).toEqual([2000, 2100]);
    for (const day of ['2000-01-01', '2024-02-29', '2026-11-20', '2100-12-31'])
      expect(isIsoDay(day)).toBe(true);
    for (const day of ['1999-12-31', '2101-01-01', '0000-01-01', '1970-01-01', '9999-12-31', '0050-01-01'])
      expect(isIsoDay(day)).toBe(false);
    for (const day of ['2023-02-29', '2026-13-01', '2026-11-31', '2026-1-01', ' 2026-11-20', '2026-11-20T'])
      expect(isIsoDay(day)).toBe(false);
  });
});

describe('day arithmetic', () => {
  it('adds days across months and years', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2100-12-31', 1)).toBe('2101-01-01');
  });

  it('never returns anything but YYYY-MM-DD', () => {
    expect(() => addDays('0000-01-01', -1)).toThrow('left the years 0000-9999');
    expect(() => addDays('9999-12-31', 1)).toThrow('left the years 0000-9999');
    expect(() => addDays('-000001-12-31', 1)).toThrow('is not a YYYY-MM-DD day');
    expect(() => addDays('2026-02-30', 1)).toThrow('is not a YYYY-MM-DD day');
    expect(() => addDays('2026-11-20', 0.5)).toThrow('cannot add 0.5 days');
  });

  it('lists the days of a range, end exclusive', () => {
    expect(dayRange('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(dayRange('2026-11-20', '2026-11-20')).toEqual([]);
    expect(dayRange('2000-01-01', '2010-01-01')).toHaveLength(3653);
  });

  it('throws at once instead of walking a bad or huge range', () => {
    expect(() => dayRange('2026-11-21', '2026-11-20')).toThrow('ends before it starts');
    expect(() => dayRange('1970-01-01', '2026-11-20')).toThrow('is longer than 3700 days');
    expect(() => dayRange('0000-01-01', '9999-12-31')).toThrow('is longer than 3700 days');
    expect(() => dayRange('-000001-12-31', '2026-11-20')).toThrow('is not a YYYY-MM-DD day');
    expect(() => dayRange('2026-11-20', '+010000-01-01')).toThrow('is not a YYYY-MM-DD day');
  });

  it('puts the previous window just before the window', () => {
    expect(previousWindow(makeWindow('2026-11-16', '2026-11-23'))).toEqual({
      start: '2026-11-09',
      end: '2026-11-16',
      days: 7,
    });
  });
});

describe('startTime', () => {
  const ARN = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
  const when = (startTime: unknown) => {
    const r = toRecord({ serviceArn: ARN, startTime, duration: 5 });
    return r.ok ? [r.record.day, r.record.hour] : r.reason;
  };

  it('reads UTC with Z, with or without a fraction', () => {
    expect(when('2026-11-20T10:15:00Z')).toEqual(['2026-11-20', 10]);
    expect(when('2026-11-20T23:59:60.999999Z')).toEqual(['2026-11-20', 23]);
  });

  it('rejects an explicit offset: the Logs Insights query could not convert it, so the engines would differ', () => {
    for (const t of ['2026-11-20T23:30:00-02:00', '2026-11-20T10:15:00+05:45', '2026-11-20T10:15:00-00:00']) {
      expect(when(t)).toBe(`startTime is not in UTC (Lattice writes UTC, ending in Z): "${t}"`);
    }
  });

  it('rejects a time without a zone, whatever zone the machine is in', () => {
    for (const t of ['2026-11-20T10:15:00', '2026-11-20T10:15:00.123', '2026-11-20T10:15']) {
      expect(when(t)).toBe(`startTime has no time zone (Lattice writes UTC, ending in Z): "${t}"`);
    }
  });

  it('rejects days outside the years 2000-2100', () => {
    expect(when('1970-01-01T00:00:00Z')).toBe(
      'startTime 1970-01-01T00:00:00Z is outside the years 2000-2100',
    );
    expect(when('0000-01-01T00:00:00Z')).toBe(
      'startTime 0000-01-01T00:00:00Z is outside the years 2000-2100',
    );
    expect(when('9999-12-31T23:59:59Z')).toBe(
      'startTime 9999-12-31T23:59:59Z is outside the years 2000-2100',
    );
  });

  it.each([
    'yesterday',
    '2026-11-20T10:15Z',
    '2026-11-20 10:15:00Z',
    '2026-11-20t10:15:00z',
    '2026-11-20T10:15:00 GMT',
    1732097700,
  ])('rejects %j as not an ISO-8601 time', (startTime) => {
    expect(when(startTime)).toMatch(/^startTime is not an ISO-8601 time as YYYY-MM-DDTHH:MM:SSZ: /);
  });

  it.each(['2026-02-30T10:15:00Z', '2026-11-20T24:00:00Z', '2026-11-20T10:60:00Z', '2026-11-20T10:15:61Z'])(
    'rejects %j as no real time',
    (startTime) => {
      expect(when(startTime)).toBe(`startTime is not a real time: "${startTime}"`);
    },
  );

  it.each(['2026-11-20T10:15:00+0100', '2026-11-20T10:15:00+01:00', '2026-11-20T10:15:00+24:00'])(
    'rejects %j as not UTC',
    (startTime) => {
      expect(when(startTime)).toMatch(/^startTime is not in UTC/);
    },
  );
});
