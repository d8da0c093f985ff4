import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BUCKET_SCALE, LatencyHistogram, RELATIVE_ACCURACY } from '../../src/model/histogram.js';

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
