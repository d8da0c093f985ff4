/**
 * Runs the exact reader (aggregateLogs with `fast: false`: every file streamed in one pass, every
 * line through JSON.parse) and the fast engine (aggregateLogs) on the same files and returns both
 * outcomes in a comparable form.
 */
import { type AggregateSet, dayToJSON, type DayAggregateJSON } from '../../src/model/aggregate.js';
import { aggregateLogs, type AggregateOptions, type ReadSummary } from '../../src/logs/reader.js';

export interface Outcome {
  summary?: ReadSummary;
  otherRegions?: number;
  /** Sorted by service and day: insertion order is not part of the result. */
  days?: DayAggregateJSON[];
  /** [arn, name] sorted by ARN. */
  names?: Array<[string, string | undefined]>;
  error?: string;
}

function describeSet(set: AggregateSet): Pick<Outcome, 'days' | 'names'> {
  const days = [...set.days.values()]
    .map(dayToJSON)
    .sort((a, b) => (a.serviceArn + a.day < b.serviceArn + b.day ? -1 : 1));
  const names = [...set.services.values()]
    .map((s): [string, string | undefined] => [s.arn, s.name])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { days, names };
}

function failure(error: unknown): Outcome {
  return { error: `${(error as Error).name}: ${(error as Error).message}` };
}

export async function exactOutcome(
  files: string[],
  options: { region?: string; maxLineBytes?: number } = {},
): Promise<Outcome> {
  try {
    const r = await aggregateLogs(files, { ...options, fast: false });
    return { summary: r.summary, otherRegions: r.otherRegions, ...describeSet(r.aggregates) };
  } catch (error) {
    return failure(error);
  }
}

export async function fastOutcome(
  files: string[],
  options: AggregateOptions = {},
): Promise<Outcome & { fallbacks?: number }> {
  try {
    const r = await aggregateLogs(files, options);
    return {
      summary: r.summary,
      otherRegions: r.otherRegions,
      fallbacks: r.fallbacks,
      ...describeSet(r.aggregates),
    };
  } catch (error) {
    return failure(error);
  }
}
