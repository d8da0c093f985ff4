/** Service-hours: billed from the hour a service was created, or from its first record if earlier. */
import { describe, expect, it } from '@jest/globals';
import { AggregateSet } from '../../src/model/aggregate.js';
import { billableHours, createdAfterRecord, firstRecordHour } from '../../src/analysis/service-hours.js';

const DAY = '2026-11-19';
const ARN = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';

describe('billableHours', () => {
  it.each([
    ['created on an earlier day', '2026-11-01T12:00:00Z', 24],
    ['created at midnight', '2026-11-19T00:00:00Z', 24],
    ['created at half past ten: hours 10 to 23', '2026-11-19T10:30:00Z', 14],
    ['created on the hour', '2026-11-19T10:00:00Z', 14],
    ['created a second into the hour', '2026-11-19T10:00:01Z', 14],
    ['created a second before the hour', '2026-11-19T09:59:59Z', 15],
    ['created in the last minute', '2026-11-19T23:59:00Z', 1],
    ['created at the next midnight', '2026-11-20T00:00:00Z', 0],
    ['created on a later day', '2026-11-25T08:00:00Z', 0],
    ['created at a non-UTC offset (10:30 UTC)', '2026-11-19T11:30:00+01:00', 14],
  ])('%s', (_, createdAt, hours) => {
    expect(billableHours(DAY, createdAt)).toBe(hours);
  });

  it('bills all day when the creation time is unknown, whatever the logs say', () => {
    expect(billableHours(DAY)).toBe(24);
    expect(billableHours(DAY, undefined, '2026-11-19T15:00:00.000Z')).toBe(24);
    expect(billableHours(DAY, 'not a time')).toBe(24);
  });

  it('trusts a log record over a later createdAt', () => {
    expect(billableHours(DAY, '2026-11-19T20:10:00Z', '2026-11-19T06:00:00.000Z')).toBe(18);
    expect(billableHours('2026-11-18', '2026-12-03T13:00:00Z', '2026-11-18T23:00:00.000Z')).toBe(1);
    expect(billableHours('2026-11-17', '2026-12-03T13:00:00Z', '2026-11-18T23:00:00.000Z')).toBe(0);
    // A record in the hour of creation changes nothing.
    expect(billableHours(DAY, '2026-11-19T10:30:00Z', '2026-11-19T10:00:00.000Z')).toBe(14);
    // An earlier createdAt stands.
    expect(billableHours(DAY, '2026-11-19T02:00:00Z', '2026-11-19T10:00:00.000Z')).toBe(22);
  });
});

describe('createdAfterRecord', () => {
  it('holds only when createdAt falls in a later hour than the first record', () => {
    expect(createdAfterRecord('2026-11-19T11:00:00Z', '2026-11-19T10:00:00.000Z')).toBe(true);
    expect(createdAfterRecord('2026-11-19T10:59:59Z', '2026-11-19T10:00:00.000Z')).toBe(false);
    expect(createdAfterRecord('2026-11-19T09:00:00Z', '2026-11-19T10:00:00.000Z')).toBe(false);
    expect(createdAfterRecord(undefined, '2026-11-19T10:00:00.000Z')).toBe(false);
    expect(createdAfterRecord('2026-11-19T11:00:00Z', undefined)).toBe(false);
  });
});

describe('firstRecordHour', () => {
  it('is the first hour with a record, of the first day with one, connections included', () => {
    const set = new AggregateSet();
    set.day(ARN, '2026-11-18'); // no records: not a sign of life
    const first = set.day(ARN, '2026-11-19');
    first.requests = first.connections = 3;
    first.hourly[7] = 1;
    first.hourly[9] = 2;
    const later = set.day(ARN, '2026-11-20');
    later.requests = 1;
    later.hourly[0] = 1;
    expect(firstRecordHour(set.days.values())).toBe('2026-11-19T07:00:00.000Z');
  });

  it('is the start of the day when some records of that day have no hour', () => {
    const set = new AggregateSet();
    const day = set.day(ARN, DAY);
    day.requests = 5;
    day.hourly[7] = 2;
    expect(firstRecordHour(set.days.values())).toBe('2026-11-19T00:00:00.000Z');
  });

  it('is undefined without records', () => {
    const set = new AggregateSet();
    set.day(ARN, DAY);
    expect(firstRecordHour(set.days.values())).toBeUndefined();
    expect(firstRecordHour([])).toBeUndefined();
  });
});
