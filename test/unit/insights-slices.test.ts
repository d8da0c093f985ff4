import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { plannedSlices, sliceRange } from '../../src/aws/insights.js';

describe('sliceRange', () => {
  it('cuts a range into disjoint slices that cover it exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2e9 }),
        fc.integer({ min: 0, max: 200_000 }),
        fc.integer({ min: 1, max: 5000 }),
        (start, length, parts) => {
          const end = start + length;
          const slices = sliceRange(start, end, parts);
          expect(slices).toHaveLength(Math.min(parts, length + 1));
          expect(slices[0]![0]).toBe(start);
          expect(slices.at(-1)![1]).toBe(end);
          // Each starts the second after the one before ends (plain checks: expect() per slice is slow).
          const gaps = slices.filter(
            ([from, to], k) => to < from || (k > 0 && from !== slices[k - 1]![1] + 1),
          );
          expect(gaps).toEqual([]);
          const sizes = slices.map(([from, to]) => to - from + 1);
          expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('gives a day in hours on hour boundaries', () => {
    const start = Date.parse('2026-11-16T00:00:00Z') / 1000;
    const hours = sliceRange(start, start + 86_399, 24);
    expect(hours[1]).toEqual([start + 3600, start + 7199]);
  });
});

describe('plannedSlices', () => {
  it('plans one query for a day that fills under half the row limit', () => {
    expect(plannedSlices(86_400, 0, 100_000)).toBe(1);
    expect(plannedSlices(86_400, 50_000 / 86_400, 100_000)).toBe(1);
    expect(plannedSlices(86_400, 50_001 / 86_400, 100_000)).toBe(2);
  });

  it('plans slices each expected to fill at most half the limit, none under a minute', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 86_400 }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.integer({ min: 1, max: 100_000 }),
        (seconds, density, limit) => {
          const n = plannedSlices(seconds, density, limit);
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(Math.max(1, Math.floor(seconds / 60)));
          if (n < Math.floor(seconds / 60))
            expect((density * seconds) / n).toBeLessThanOrEqual(limit / 2 + 1e-6);
        },
      ),
    );
  });
});
