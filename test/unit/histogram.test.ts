import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BUCKET_SCALE, LatencyHistogram, RELATIVE_ACCURACY, bucketIndex } from '../../src/model/histogram.js';

/** Exact nearest-rank quantile: the value at rank ceil(q·n) of the sorted sample. */
function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
}

/** Seeded generator so every property run is reproducible from fast-check's seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}
function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

type Distribution = (next: () => number) => number;
const DISTRIBUTIONS: Record<string, Distribution> = {
  lognormal: (n) => Math.round(Math.exp(3.3 + 0.8 * normal(n))),
  'lognormal (fractional ms)': (n) => Math.exp(3.3 + 0.8 * normal(n)),
  bimodal: (n) => Math.round(n() < 0.7 ? 5 + 2 * Math.abs(normal(n)) : Math.exp(6.2 + 0.3 * normal(n))),
  constant: () => 42,
  'heavy tail (Pareto α=1.1)': (n) => Math.round(3 / Math.pow(1 - n(), 1 / 1.1)),
  'zeros and ones': (n) => (n() < 0.5 ? 0 : 1),
  'mostly 0 ms': (n) => (n() < 0.97 ? 0 : Math.round(1 + 100 * n())),
  'wide range': (n) => Math.round(Math.exp(12 * n())),
};
const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999, 0];

describe('LatencyHistogram accuracy', () => {
  for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
    it(`keeps nearest-rank quantiles within 1% for ${name}`, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 2 ** 31 - 1 }),
          fc.integer({ min: 1, max: 5000 }),
          (seed, size) => {
            const next = rng(seed);
            const values = Array.from({ length: size }, () => draw(next));
            const h = new LatencyHistogram();
            for (const v of values) h.add(v);
            const sorted = [...values].sort((a, b) => a - b);
            for (const q of QUANTILES) {
              const exact = exactQuantile(sorted, q);
              const estimate = h.quantile(q)!;
              expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(0.01 * exact);
              // The design bound, tighter than the requirement.
              expect(Math.abs(estimate - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * exact + 1e-9);
            }
            expect(h.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
          },
        ),
        { numRuns: 40 },
      );
    });
  }

  it('is exact for whole milliseconds below 100', () => {
    for (let v = 0; v < 100; v++) {
      const h = new LatencyHistogram();
      h.add(v, 3);
      expect(h.quantile(0.5)).toBe(v);
    }
  });

  it('reports 0 and 1 ms exactly', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 10; i++) h.add(0);
    for (let i = 0; i < 90; i++) h.add(1);
    expect(h.quantile(0.1)).toBe(0);
    expect(h.quantile(0.11)).toBe(1);
    expect(h.quantile(0.99)).toBe(1);
  });

  it('returns null when empty', () => {
    expect(new LatencyHistogram().quantile(0.5)).toBeNull();
    expect(new LatencyHistogram().mean).toBeNull();
  });
});

describe('LatencyHistogram merging', () => {
  it('merged parts equal one histogram of everything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 120_000 }), { maxLength: 300 }), {
          minLength: 1,
          maxLength: 8,
        }),
        (parts) => {
          const whole = new LatencyHistogram();
          const merged = new LatencyHistogram();
          for (const part of parts) {
            const h = new LatencyHistogram();
            for (const v of part) {
              h.add(v);
              whole.add(v);
            }
            merged.merge(h);
          }
          expect(merged.toJSON()).toEqual(whole.toJSON());
          for (const q of QUANTILES) expect(merged.quantile(q)).toBe(whole.quantile(q));
        },
      ),
    );
  });

  it('survives a JSON round trip', () => {
    const h = new LatencyHistogram();
    for (const v of [0, 1, 2, 17, 250, 250, 9_999, 123.5]) h.add(v);
    const copy = LatencyHistogram.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    expect(copy.toJSON()).toEqual(h.toJSON());
    expect(copy.quantile(0.9)).toBe(h.quantile(0.9));
  });

  it('counts requests above a threshold to within one bucket', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 1000; v++) h.add(v);
    expect(h.countAbove(500)).toBeGreaterThanOrEqual(495);
    expect(h.countAbove(500)).toBeLessThanOrEqual(500);
  });
});

describe('bucket boundaries', () => {
  // Logs Insights computes ceil(log(duration) * k) in its own floating point. No whole
  // millisecond up to an hour lies within 1e-9 of a bucket edge, so both sides agree.
  it('no integer duration up to one hour sits on a bucket edge', () => {
    let closest = 1;
    for (let n = 2; n <= 3_600_000; n++) {
      const x = Math.log(n) * BUCKET_SCALE;
      closest = Math.min(closest, Math.abs(x - Math.round(x)));
    }
    expect(closest).toBeGreaterThan(1e-9);
  });
});

/**
 * The layout before sparse buckets, kept as the reference: a dense count per bucket from the
 * lowest index seen. The sparse-then-dense layout must answer exactly as it does.
 */
class DenseReference {
  counts = new Map<number, number>();
  zero = 0;
  add(index: number, times: number): void {
    if (index <= bucketIndex(0)) this.zero += times;
    else this.counts.set(index, (this.counts.get(index) ?? 0) + times);
  }
  buckets(): Array<[number, number]> {
    return [...this.counts].filter(([, c]) => c > 0).sort(([a], [b]) => a - b);
  }
}

describe('LatencyHistogram sparse and dense buckets', () => {
  // Few values over a wide range stay sparse; many close ones turn dense; both in one run too.
  const sample = fc.oneof(
    fc.integer({ min: 0, max: 10 ** 7 }),
    fc.integer({ min: 40, max: 80 }),
    fc.double({ min: 0, max: 5000, noNaN: true }),
  );
  const parts = fc.array(fc.array(fc.tuple(sample, fc.integer({ min: 1, max: 5 })), { maxLength: 120 }), {
    minLength: 1,
    maxLength: 4,
  });

  it('answers as the dense layout does, added directly or merged in any split', () => {
    fc.assert(
      fc.property(parts, (split) => {
        const reference = new DenseReference();
        const whole = new LatencyHistogram();
        const merged = new LatencyHistogram();
        for (const part of split) {
          const h = new LatencyHistogram();
          for (const [v, times] of part) {
            h.add(v, times);
            whole.add(v, times);
            reference.add(bucketIndex(v), times);
          }
          merged.merge(h);
        }
        for (const h of [whole, merged, LatencyHistogram.fromJSON(whole.toJSON())]) {
          expect(h.toJSON().buckets).toEqual(reference.buckets());
          expect(h.zero).toBe(reference.zero);
          // The sum of fractions depends on the order of addition; nothing else does.
          expect({ ...h.toJSON(), sum: 0 }).toEqual({ ...whole.toJSON(), sum: 0 });
          for (const q of [0, 0.01, 0.5, 0.9, 0.95, 0.99, 1]) expect(h.quantile(q)).toBe(whole.quantile(q));
          for (const t of [-1, 0, 1, 50, 500, 10 ** 6]) expect(h.countAbove(t)).toBe(whole.countAbove(t));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps bucket 0 as 0, never -0, whether a value or a query row names it', () => {
    // ln(1/GAMMA) * BUCKET_SCALE is -1 less a rounding error: its ceiling is -0.
    const edge = 0.9900497512437814;
    expect(Object.is(bucketIndex(edge), -0)).toBe(true);
    const added = new LatencyHistogram();
    added.add(edge);
    const fromRow = new LatencyHistogram();
    fromRow.addToBucket(-0, 1);
    for (const h of [added, fromRow]) expect(Object.is(h.toJSON().buckets[0]![0], 0)).toBe(true);
  });

  it('reads min and max as ±Infinity when empty, and takes them when set', () => {
    const h = new LatencyHistogram();
    expect([h.min, h.max]).toEqual([Infinity, -Infinity]);
    h.min = 3;
    h.max = 9;
    expect([h.min, h.max]).toEqual([3, 9]);
  });
});
