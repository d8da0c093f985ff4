/**
 * Mergeable latency histogram with logarithmic buckets (the DDSketch layout).
 *
 * A value v > 0 goes to bucket i = ceil(ln(v) / ln(GAMMA)), which covers (GAMMA^(i-1), GAMMA^i].
 * Reporting 2·GAMMA^i / (GAMMA + 1) for a bucket is within RELATIVE_ACCURACY of every value in it,
 * so the nearest-rank quantile is within that bound of the exact one. Counts per bucket add up,
 * so histograms merge across days, files and query chunks without losing accuracy, which native
 * percentile functions cannot do. Logs Insights computes the same bucket index with `ceil(log(x) * k)`.
 * @testseam
 */

export const RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
/** Multiply ln(v) by this and round up to get the bucket index. */
export const BUCKET_SCALE = 1 / Math.log(GAMMA);

/** Durations at or below this (milliseconds) count as 0; Logs Insights applies the same floor. */
export const MIN_DURATION = 0.0001;

/** @testseam */
export function bucketIndex(value: number): number {
  return Math.ceil(Math.log(Math.max(value, MIN_DURATION)) * BUCKET_SCALE);
}

/** The bucket every duration at or below MIN_DURATION falls in: the zero bucket. */
const ZERO_BUCKET = bucketIndex(0);

function bucketValue(index: number): number {
  return (2 * Math.pow(GAMMA, index)) / (GAMMA + 1);
}

// Buckets below ~1/(GAMMA-1) are narrower than 1, so each holds at most one integer. When every
// sample is an integer (Lattice reports whole milliseconds) such a bucket gives the exact value.
const SINGLE_INTEGER_LIMIT = Math.floor(1 / (GAMMA - 1));
const singleIntegerByBucket: Map<number, number> = (() => {
  const seen = new Map<number, number[]>();
  for (let n = 1; n <= SINGLE_INTEGER_LIMIT + 1; n++) {
    const i = bucketIndex(n);
    const list = seen.get(i) ?? [];
    list.push(n);
    seen.set(i, list);
  }
  const exact = new Map<number, number>();
  for (const [i, list] of seen) {
    if (list.length === 1 && list[0]! <= SINGLE_INTEGER_LIMIT) exact.set(i, list[0]!);
  }
  return exact;
})();

/** Serialised form: sparse [bucketIndex, count] pairs plus the exact side numbers. */
export interface HistogramJSON {
  count: number;
  sum: number;
  min: number;
  max: number;
  zero: number;
  nonInteger: number;
  buckets: Array<[number, number]>;
}

export class LatencyHistogram {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Samples equal to 0, which have no logarithm. */
  zero = 0;
  /** Samples that are not whole numbers; when 0, small buckets report exact integers. */
  nonInteger = 0;
  private offset = 0;
  private counts: number[] = [];

  add(value: number, times = 1): void {
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (!Number.isInteger(value)) this.nonInteger += times;
    this.addToBucket(bucketIndex(value), times);
  }

  /** Adds a pre-bucketed count, as returned by a Logs Insights query. */
  addToBucket(index: number, times: number): void {
    if (index <= ZERO_BUCKET) {
      this.zero += times;
      return;
    }
    if (this.counts.length === 0) {
      this.offset = index;
      this.counts.push(0);
    } else if (index < this.offset) {
      const grow = this.offset - index;
      this.counts.unshift(...new Array<number>(grow).fill(0));
      this.offset = index;
    } else if (index >= this.offset + this.counts.length) {
      const grow = index - (this.offset + this.counts.length) + 1;
      for (let k = 0; k < grow; k++) this.counts.push(0);
    }
    this.counts[index - this.offset]! += times;
  }

  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.zero += other.zero;
    this.nonInteger += other.nonInteger;
    for (let k = 0; k < other.counts.length; k++) {
      const c = other.counts[k]!;
      if (c > 0) this.addToBucket(other.offset + k, c);
    }
  }

  get mean(): number | null {
    return this.count === 0 ? null : this.sum / this.count;
  }

  /** Nearest-rank quantile: the value at rank ceil(q·n), within RELATIVE_ACCURACY. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    if (rank <= this.zero) return 0;
    let seen = this.zero;
    for (let k = 0; k < this.counts.length; k++) {
      seen += this.counts[k]!;
      if (seen >= rank) return this.estimate(this.offset + k);
    }
    return this.max;
  }

  /** How many samples are above `threshold`, counting whole buckets (within RELATIVE_ACCURACY). */
  countAbove(threshold: number): number {
    if (threshold < 0) return this.count;
    let above = 0;
    const first = threshold === 0 ? -Infinity : bucketIndex(threshold);
    for (let k = 0; k < this.counts.length; k++) {
      if (this.offset + k > first) above += this.counts[k]!;
    }
    return above;
  }

  private estimate(index: number): number {
    const exact = this.nonInteger === 0 ? singleIntegerByBucket.get(index) : undefined;
    const value = exact ?? bucketValue(index);
    return Math.min(this.max, Math.max(this.min, value));
  }

  toJSON(): HistogramJSON {
    const buckets: Array<[number, number]> = [];
    this.counts.forEach((c, k) => {
      if (c > 0) buckets.push([this.offset + k, c]);
    });
    return {
      count: this.count,
      sum: this.sum,
      min: this.count ? this.min : 0,
      max: this.count ? this.max : 0,
      zero: this.zero,
      nonInteger: this.nonInteger,
      buckets,
    };
  }

  static fromJSON(json: HistogramJSON): LatencyHistogram {
    const h = new LatencyHistogram();
    h.count = json.count;
    h.sum = json.sum;
    h.min = json.count ? json.min : Infinity;
    h.max = json.count ? json.max : -Infinity;
    h.zero = json.zero;
    h.nonInteger = json.nonInteger;
    for (const [index, c] of json.buckets) h.addToBucket(index, c);
    return h;
  }
}
