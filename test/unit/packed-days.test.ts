import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  AggregateSet,
  connectionHistogram,
  dayToJSON,
  mergeDay,
  emptyDay,
} from '../../src/model/aggregate.js';
import { addPackedDays, packDays } from '../../src/model/packed-days.js';
import { parseLine } from '../../src/logs/record.js';
import { mixedWeek } from '../helpers/mixed-week.js';

/** Every record of the mixed week (every class, missing and odd value), as one set. */
const records = mixedWeek()
  .lines.map((line) => parseLine(line))
  .flatMap((r) => (r.ok ? [r.record] : []));

function json(set: AggregateSet): unknown {
  return [...set.days.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, d]) => [k, dayToJSON(d)]);
}

describe('packed days', () => {
  it('round-trips every day of the mixed week exactly', () => {
    const set = new AggregateSet();
    for (const r of records) set.add(r);
    const copy = new AggregateSet();
    addPackedDays(copy, packDays(set));
    expect(json(copy)).toEqual(json(set));
  });

  it('adds into days already there as mergeDay does, for any split of the records', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: records.length, maxLength: records.length }), (picks) => {
        // Each record into one of three sets; the packed ones are added into the first.
        const sets = [new AggregateSet(), new AggregateSet(), new AggregateSet()];
        records.forEach((r, i) => sets[picks[i]! % 3]!.add(r));
        const expected = new AggregateSet();
        for (const set of sets) {
          for (const d of set.days.values()) mergeDay(expected.day(d.serviceArn, d.day), d);
        }
        const [into, ...rest] = sets;
        for (const set of rest) addPackedDays(into!, packDays(set));
        expect(json(into!)).toEqual(json(expected));
      }),
      { numRuns: 25 },
    );
  });

  it('keeps -0, fractions and values past 2^31 as they are', () => {
    const set = new AggregateSet();
    const d = set.day(
      'arn:aws:vpc-lattice:us-east-1:123456789012:service/svc-0123456789abcdef0',
      '2026-11-01',
    );
    d.bytesIn = 2 ** 40 + 1;
    d.latency.add(-0);
    d.latency.add(2.5);
    connectionHistogram(d).min = -0;
    const copy = new AggregateSet();
    addPackedDays(copy, packDays(set));
    const c = [...copy.days.values()][0]!;
    expect(c.bytesIn).toBe(2 ** 40 + 1);
    expect(Object.is(c.latency.min, -0)).toBe(true);
    expect(c.latency.max).toBe(2.5);
    // An empty histogram is skipped, as LatencyHistogram.merge skips it.
    expect(c.connectionMs.min).toBe(emptyDay('', '').connectionMs.min);
  });

  it('shares one frozen connection histogram between days without connections, never adding to it', () => {
    const a = emptyDay('a', '2026-11-01');
    const b = emptyDay('b', '2026-11-01');
    expect(a.connectionMs).toBe(b.connectionMs);
    expect(() => a.connectionMs.add(5)).toThrow(TypeError);
    connectionHistogram(a).add(5);
    expect(a.connectionMs.count).toBe(1);
    expect(b.connectionMs.count).toBe(0);
    // Merging a day with connections gives the target its own histogram; the shared one stays empty.
    mergeDay(b, a);
    expect(b.connectionMs).not.toBe(a.connectionMs);
    expect(b.connectionMs.count).toBe(1);
    expect(emptyDay('c', '2026-11-01').connectionMs.count).toBe(0);
  });
});
