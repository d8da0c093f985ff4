/**
 * A small seeded PRNG for the demo data. Math.random cannot be seeded, and the demo must be
 * byte-identical for the same seed, so every random choice goes through `Random`.
 */

// Jest runs modules in a vm context where each global lookup (Math…) goes through an interceptor
// and costs ~200 ns; module constants keep the per-request paths at native speed there too.
const { imul, floor, sqrt, log, cos, exp, round, max, PI } = Math;

/** Murmur3's 32-bit finalizer: spreads nearby inputs (seq 1, 2, 3…) over the whole range. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit seed from labels, so each stream (service, day…) is independent of the others' order. */
export function hashSeed(...parts: ReadonlyArray<string | number>): number {
  const text = parts.join('\u001f');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** A cheap derived seed for per-event streams, where building a string per event would cost. */
export function mixSeed(seed: number, index: number): number {
  return fmix32((seed ^ imul(index + 1, 0x9e3779b1)) >>> 0);
}

/** mulberry32: 32 bits of state, full period 2^32, fast and good enough for synthetic data. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max). */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: no items to pick from');
    return items[floor(this.next() * items.length)]!;
  }

  /** Picks by relative weight; weights need not sum to 1. */
  weighted<T extends { weight: number }>(items: readonly T[]): T {
    let total = 0;
    for (const item of items) total += item.weight;
    let u = this.next() * total;
    for (const item of items) {
      u -= item.weight;
      if (u < 0) return item;
    }
    return items[items.length - 1]!;
  }

  /** Standard normal (Box-Muller; the second value is dropped to keep streams simple). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) would be -Infinity
    const v = this.next();
    return sqrt(-2 * log(u)) * cos(2 * PI * v);
  }

  /** Lognormal given its median and the sigma of the underlying normal. */
  lognormal(median: number, sigma: number): number {
    return median * exp(sigma * this.normal());
  }

  /** Poisson count: exact (Knuth) for small means, normal approximation above 30. */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return max(0, round(mean + sqrt(mean) * this.normal()));
    const limit = exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count += 1;
      product *= this.next();
    }
    return count;
  }

  /** Lowercase hex digits. */
  hex(length: number): string {
    let text = '';
    for (let i = 0; i < length; i++) text += floor(this.next() * 16).toString(16);
    return text;
  }
}
