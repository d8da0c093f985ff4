/**
 * Runs the exact reader (readLogs + AggregateSet.add, every line through JSON.parse) and the fast
 * engine (aggregateLogs) on the same files and returns both outcomes in a comparable form.
 */
import { AggregateSet, dayToJSON, type DayAggregateJSON } from '../../src/model/aggregate.js';
import { aggregateLogs, readLogs, type AggregateOptions, type ReadSummary } from '../../src/logs/reader.js';

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
  const set = new AggregateSet();
  let otherRegions = 0;
  const { region } = options;
  try {
    const summary = await readLogs(
      files,
      (record) => {
        if (region === undefined || record.serviceArn.split(':')[3] === region) set.add(record);
        else otherRegions++;
      },
      { maxLineBytes: options.maxLineBytes },
    );
    return { summary, otherRegions, ...describeSet(set) };
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
