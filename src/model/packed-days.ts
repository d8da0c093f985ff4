/**
 * Day aggregates packed into one Float64Array and a table of their texts, for a scan worker to
 * hand a range's days to the calling thread. The array is transferred, not copied, and holds a
 * few dozen numbers a day where structured-cloning DayAggregateJSON made thousands of small
 * objects on both sides. Float64 keeps every number exactly, -0 and ±Infinity included.
 */
import { type AggregateSet, type DayAggregate, connectionHistogram } from './aggregate.js';
import { addCaller } from './callers.js';
import type { LatencyHistogram } from './histogram.js';

export interface PackedDays {
  texts: string[];
  numbers: Float64Array;
}

const STATUS = ['2xx', '3xx', '4xx', '5xx'] as const;

/** Packs every day of `set` (its service names travel separately). */
export function packDays(set: AggregateSet): PackedDays {
  const texts: string[] = [];
  const textIndex = new Map<string, number>();
  const text = (t: string): number => {
    let i = textIndex.get(t);
    if (i === undefined) {
      i = texts.length;
      texts.push(t);
      textIndex.set(t, i);
    }
    return i;
  };
  let numbers = new Float64Array(1024);
  let n = 0;
  const push = (v: number): void => {
    if (n === numbers.length) {
      const grown = new Float64Array(numbers.length * 2);
      grown.set(numbers);
      numbers = grown;
    }
    numbers[n++] = v;
  };
  const histogram = (h: LatencyHistogram): void => {
    push(h.count);
    push(h.sum);
    push(h.min);
    push(h.max);
    push(h.zero);
    push(h.nonInteger);
    const at = n;
    push(0);
    let buckets = 0;
    h.eachBucket((index, c) => {
      if (c > 0) {
        push(index);
        push(c);
        buckets++;
      }
    });
    numbers[at] = buckets;
  };
  push(set.days.size);
  for (const d of set.days.values()) {
    push(text(d.serviceArn));
    push(text(d.day));
    push(d.requests);
    push(d.connections);
    push(d.grpcCalls);
    for (const k of STATUS) push(d.status[k]);
    push(d.grpcErrors);
    push(d.authDenied);
    push(d.noDuration);
    push(d.bytesIn);
    push(d.bytesOut);
    for (let h = 0; h < 24; h++) push(d.hourly[h]!);
    histogram(d.latency);
    histogram(d.connectionMs);
    push(d.callers.size);
    for (const [key, c] of d.callers) {
      push(text(key));
      push(c.requests);
      push(c.bytes);
      push(c.errors);
    }
  }
  return { texts, numbers: numbers.slice(0, n) };
}

/**
 * Adds the days packDays packed into `set`, as mergeDay would add each one, but in place: no day
 * aggregate is made for a day `set` already has.
 */
export function addPackedDays(set: AggregateSet, { texts, numbers }: PackedDays): void {
  let n = 0;
  // A double read from the array and stored in a field or array that held small integers turns
  // that field into a boxed double in every day aggregate; small integers go back as such.
  const next = (): number => {
    const v = numbers[n++]!;
    return (v | 0) === v && !Object.is(v, -0) ? v | 0 : v;
  };
  // The histogram is asked for only when there is something to add: a day's connections may have none.
  const histogram = (target: () => LatencyHistogram): void => {
    const count = next();
    const sum = next();
    const min = next();
    const max = next();
    const zero = next();
    const nonInteger = next();
    let buckets = next();
    // LatencyHistogram.merge skips an empty one, min and max included.
    if (count === 0) {
      n += 2 * buckets;
      return;
    }
    const h = target();
    h.addTotals({ count, sum, min, max, zero, nonInteger });
    for (; buckets > 0; buckets--) h.addToBucket(next(), next());
  };
  for (let days = next(); days > 0; days--) {
    const d: DayAggregate = set.day(texts[next()]!, texts[next()]!);
    d.requests += next();
    d.connections += next();
    d.grpcCalls += next();
    for (const k of STATUS) d.status[k] += next();
    d.grpcErrors += next();
    d.authDenied += next();
    d.noDuration += next();
    d.bytesIn += next();
    d.bytesOut += next();
    for (let h = 0; h < 24; h++) d.hourly[h]! += next();
    histogram(() => d.latency);
    histogram(() => connectionHistogram(d));
    for (let c = next(); c > 0; c--) addCaller(d.callers, texts[next()]!, next(), next(), next());
  }
}
