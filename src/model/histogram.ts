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

/**
 * A histogram holds its buckets sparse (index and count pairs, sorted) until it has
 * DENSE_MIN_BUCKETS of them, then dense from `offset` (a lookup per sample, not a search). A
 * service-day usually has a handful of samples spread over hundreds of buckets, so a dense array
 * per day was most of the local engine's memory at thousands of services. Either way the buckets
 * are visited in index order with the same counts, so every answer is the same.
 */
const DENSE_MIN_BUCKETS = 32;

export class LatencyHistogram {
  count = 0;
  sum = 0;
  /**
   * min and max, undefined for none (read as ±Infinity). A field that starts as Infinity is stored
   * as a boxed double in every histogram; one that starts undefined holds whole numbers unboxed.
   */
  private low: number | undefined = undefined;
  private high: number | undefined = undefined;
  /** Samples equal to 0, which have no logarithm. */
  zero = 0;
  /** Samples that are not whole numbers; when 0, small buckets report exact integers. */
  nonInteger = 0;
  /** Dense: the index of counts[0]. */
  private offset = 0;
  /** Sparse: [index, count, index, count, ...] by ascending index, sized exactly; null when dense or empty. */
  private cells: number[] | null = null;
  /** Dense: the count of each bucket from `offset`; null while sparse. */
  private counts: number[] | null = null;

  get min(): number {
    return this.low ?? Infinity;
  }

  set min(value: number) {
    this.low = value;
  }

  get max(): number {
    return this.high ?? -Infinity;
  }

  set max(value: number) {
    this.high = value;
  }

  add(value: number, times = 1): void {
    this.count += times;
    this.sum += value * times;
    // The fields, not the accessors: this runs once per record.
    if (this.low === undefined || value < this.low) this.low = value;
    if (this.high === undefined || value > this.high) this.high = value;
    if (!Number.isInteger(value)) this.nonInteger += times;
    this.addToBucket(bucketIndex(value), times);
  }

  /** Adds a pre-bucketed count, as returned by a Logs Insights query. */
  addToBucket(index: number, times: number): void {
    // The ceiling of a value in (-1, 0) is -0 (1/GAMMA lands there): the same bucket as 0, kept as 0
    // so that equal histograms have equal buckets.
    index += 0;
    if (index <= ZERO_BUCKET) {
      this.zero += times;
      return;
    }
    if (this.counts !== null) {
      this.addDense(this.counts, index, times);
      return;
    }
    const cells = this.cells;
    if (cells === null) {
      this.cells = [index, times];
      return;
    }
    // Binary search over the pairs: the first index at or above `index`.
    let lo = 0;
    let hi = cells.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cells[2 * mid]! < index) lo = mid + 1;
      else hi = mid;
    }
    if (cells[2 * lo] === index) {
      cells[2 * lo + 1]! += times;
      return;
    }
    // A new array of the exact size: splice would leave room for 16 more, in every one of them.
    const grown = new Array<number>(cells.length + 2);
    for (let k = 0; k < 2 * lo; k++) grown[k] = cells[k]!;
    grown[2 * lo] = index;
    grown[2 * lo + 1] = times;
    for (let k = 2 * lo; k < cells.length; k++) grown[k + 2] = cells[k]!;
    if (grown.length >> 1 >= DENSE_MIN_BUCKETS) {
      const span = grown[grown.length - 2]! - grown[0]! + 1;
      const dense = new Array<number>(span).fill(0);
      for (let k = 0; k < grown.length; k += 2) dense[grown[k]! - grown[0]!] = grown[k + 1]!;
      this.offset = grown[0]!;
      this.counts = dense;
      this.cells = null;
    } else {
      this.cells = grown;
    }
  }

  private addDense(counts: number[], index: number, times: number): void {
    const at = index - this.offset;
    if (at >= 0 && at < counts.length) {
      counts[at]! += times;
      return;
    }
    // Grows to take the index: one new array, not one shift per missing bucket.
    const first = Math.min(index, this.offset);
    const last = Math.max(index, this.offset + counts.length - 1);
    const grown = new Array<number>(last - first + 1).fill(0);
    for (let k = 0; k < counts.length; k++) grown[this.offset - first + k] = counts[k]!;
    grown[index - first]! += times;
    this.offset = first;
    this.counts = grown;
  }

  /** Calls `visit` with each bucket's index and count in index order (zero counts included); true stops. */
  eachBucket(visit: (index: number, count: number) => boolean | void): void {
    const counts = this.counts;
    if (counts !== null) {
      for (let k = 0; k < counts.length; k++) if (visit(this.offset + k, counts[k]!) === true) return;
      return;
    }
    const cells = this.cells;
    if (cells === null) return;
    for (let k = 0; k < cells.length; k += 2) if (visit(cells[k]!, cells[k + 1]!) === true) return;
  }

  merge(other: LatencyHistogram): void {
    if (other.count === 0) return;
    this.addTotals(other);
    other.eachBucket((index, c) => {
      if (c > 0) this.addToBucket(index, c);
    });
  }

  /** Adds another histogram's totals, not its buckets: merge's first half, for one sent packed. */
  addTotals(other: Pick<LatencyHistogram, 'count' | 'sum' | 'min' | 'max' | 'zero' | 'nonInteger'>): void {
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.zero += other.zero;
    this.nonInteger += other.nonInteger;
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
    let found: number | null = null;
    this.eachBucket((index, c) => {
      seen += c;
      if (seen < rank) return false;
      found = this.estimate(index);
      return true;
    });
    return found ?? this.max;
  }

  /** How many samples are above `threshold`, counting whole buckets (within RELATIVE_ACCURACY). */
  countAbove(threshold: number): number {
    if (threshold < 0) return this.count;
    let above = 0;
    const first = threshold === 0 ? -Infinity : bucketIndex(threshold);
    this.eachBucket((index, c) => {
      if (index > first) above += c;
    });
    return above;
  }

  private estimate(index: number): number {
    const exact = this.nonInteger === 0 ? singleIntegerByBucket.get(index) : undefined;
    const value = exact ?? bucketValue(index);
    return Math.min(this.max, Math.max(this.min, value));
  }

  toJSON(): HistogramJSON {
    const buckets: Array<[number, number]> = [];
    this.eachBucket((index, c) => {
      if (c > 0) buckets.push([index, c]);
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
