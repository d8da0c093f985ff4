/**
 * Robust anomaly detector: a day is anomalous when it sits far from the median of the days before
 * it, measured in MADs (median absolute deviation), which one earlier spike cannot inflate the way
 * it inflates a standard deviation.
 */

export interface DetectorOptions {
  /** Days of history needed before a day can be judged. */
  minHistoryDays: number;
  /** How many earlier days form the history. */
  lookbackDays: number;
  /** Robust z-score (0.6745·(x − median) / MAD) at or above which a day is anomalous. */
  zThreshold: number;
  /** The MAD-based spread is never taken below this fraction of the median, so a flat history does not make every wiggle infinite. */
  minRelativeSpread: number;
}

export const DEFAULT_DETECTOR: DetectorOptions = {
  minHistoryDays: 7,
  lookbackDays: 28,
  zThreshold: 3.5,
  minRelativeSpread: 0.05,
};

export interface Point {
  date: string;
  value: number;
}

export interface Outlier {
  date: string;
  expected: number;
  actual: number;
  score: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Judges each day in `judge` against the points before it. `series` must be sorted by date and
 * may contain gaps (days without data are simply not history).
 * Only increases count: a drop in cost, latency or errors is good news, and a drop in traffic
 * follows the weekly rhythm too often to be worth a finding.
 */
export function detectOutliers(
  series: Point[],
  judge: ReadonlySet<string>,
  options: DetectorOptions = DEFAULT_DETECTOR,
): Outlier[] {
  const outliers: Outlier[] = [];
  series.forEach((point, i) => {
    if (!judge.has(point.date)) return;
    const history = series.slice(Math.max(0, i - options.lookbackDays), i).map((p) => p.value);
    if (history.length < options.minHistoryDays) return;
    const center = median(history);
    const mad = median(history.map((v) => Math.abs(v - center)));
    const spread = Math.max(mad / 0.6745, Math.abs(center) * options.minRelativeSpread, Number.EPSILON);
    const score = (point.value - center) / spread;
    if (score >= options.zThreshold) {
      outliers.push({ date: point.date, expected: center, actual: point.value, score });
    }
  });
  return outliers;
}
