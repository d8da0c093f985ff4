/**
 * The Logs Insights scan: each UTC day in disjoint time slices, run a few at a time, polled with
 * backoff, every query's bytes scanned recorded.
 *
 * Logs Insights bills the bytes in a query's time range whatever the query filters (CloudWatch
 * pricing: "Logs Insights ... per GB of data scanned"), so a range is never queried twice in the
 * normal course: the slices are planned from the densest result so far, and only a result that
 * reached the row limit (and so may be cut) costs its range again, in shorter slices. Splitting by
 * service id, which rescans the range for each part, is left for a minute that alone is too much.
 */
import {
  type CloudWatchLogsClient,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AggregateSet,
  type SourceProblems,
  addProblems,
  boundDayCallers,
  noProblems,
} from '../model/aggregate.js';
import { DataError, UsageError } from '../errors.js';
import { awsCall } from './errors.js';
import {
  ID_CHARS,
  type IdPartition,
  QUERY_ROW_LIMIT,
  type ResultRow,
  addRows,
  aggregateQuery,
} from './insights-query.js';
import { pool } from './pool.js';
import { sleep, withRetry } from './retry.js';

export interface ScanOptions {
  logGroups: string[];
  /** UTC days to scan, YYYY-MM-DD. */
  days: string[];
  /** Queries running at once; Logs Insights allows 100 per account, dashboards included. */
  concurrency?: number;
  /** Poll delay starts here and grows to pollMaxMs. */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** Rows a query may return before its range is split. */
  rowLimit?: number;
  /**
   * Result rows per second of log time seen before (e.g. by an earlier run): days are planned in
   * slices from it at once, instead of from this scan's first day.
   */
  rowsPerSecond?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** What one UTC day's queries found: the unit that is cached between runs. */
export interface ChunkResult {
  /** Aggregates by startTime day; a few may belong to the day before (requests spanning midnight). */
  aggregates: AggregateSet;
  bytesScanned: number;
  problems: SourceProblems;
  /** Rows per second of the densest uncut query of the day without an id filter; 0 when none. */
  rowsPerSecond: number;
}

export interface ScanResult {
  aggregates: AggregateSet;
  /** Per scanned UTC day (by event timestamp). */
  chunks: Map<string, ChunkResult>;
  queries: number;
  queryIds: string[];
  bytesScanned: number;
  recordsScanned: number;
  problems: SourceProblems;
}

interface Range {
  /** The UTC day the range lies in. */
  day: string;
  /**
   * Epoch seconds, both inclusive, as StartQuery takes them ("The range is inclusive", StartQuery
   * API reference): a day is [00:00:00, 23:59:59], so an event in its last second is in it.
   */
  start: number;
  end: number;
  /** Only the services and resource configurations of these ids: set when a minute alone is too much. */
  ids?: IdPartition;
}

/** A planned slice is meant to fill at most this share of the row limit: room for a busier day. */
const PLANNED_FILL = 0.5;
/** A range whose result was cut is split in at least this many slices. */
const CUT_SPLIT = 4;
/** A range cut with nothing known yet has this much of its start queried alone first. */
const PROBE_SECONDS = 3600;
/** Ranges are cut in time down to this many seconds; a shorter one still cut is split by service id. */
const MIN_SLICE_SECONDS = 60;

/**
 * How many slices a range of `seconds` needs so that each is expected to fill at most
 * PLANNED_FILL of the row limit. Rows grow at most linearly with time (a longer range can only
 * merge rows a shorter one has apart), so a density taken from shorter ranges errs on the safe side.
 * @testseam
 */
export function plannedSlices(seconds: number, rowsPerSecond: number, rowLimit: number): number {
  const wanted = Math.ceil((rowsPerSecond * seconds) / (rowLimit * PLANNED_FILL));
  return Math.min(Math.max(1, wanted), Math.max(1, Math.floor(seconds / MIN_SLICE_SECONDS)));
}

/**
 * [start, end] (whole epoch seconds, both inclusive) in `parts` disjoint ranges of nearly equal
 * length that cover it exactly: every event is in one slice, so it is scanned once.
 * @testseam
 */
export function sliceRange(start: number, end: number, parts: number): Array<[number, number]> {
  const seconds = end - start + 1;
  const n = Math.max(1, Math.min(parts, seconds));
  const slices: Array<[number, number]> = [];
  for (let k = 0; k < n; k++) {
    slices.push([start + Math.floor((k * seconds) / n), start + Math.floor(((k + 1) * seconds) / n) - 1]);
  }
  return slices;
}

const FAILED = new Set(['Failed', 'Cancelled', 'Timeout', 'Unknown']);

const POLL_MIN_MS = 1000;
const POLL_MAX_MS = 5000;
/** @testseam */
export const POLL_ENV = 'LATTICE_COST_REPORT_POLL_MS';

/**
 * The poll delays: the caller's, else LATTICE_COST_REPORT_POLL_MS ("MIN" for a fixed delay, or
 * "MIN,MAX", whole milliseconds; tests set it so emulated queries are not waited on for seconds),
 * else 1 s growing to 5 s. A malformed value fails the run rather than silently polling slowly.
 */
export function pollDelays(
  options: Pick<ScanOptions, 'pollMinMs' | 'pollMaxMs'>,
  env: NodeJS.ProcessEnv = process.env,
): { min: number; max: number } {
  const raw = env[POLL_ENV];
  if (options.pollMinMs !== undefined || options.pollMaxMs !== undefined || raw === undefined || raw === '') {
    return { min: options.pollMinMs ?? POLL_MIN_MS, max: options.pollMaxMs ?? POLL_MAX_MS };
  }
  const m = /^\s*(\d{1,7})\s*(?:,\s*(\d{1,7})\s*)?$/.exec(raw);
  const min = Number(m?.[1]);
  const max = m?.[2] === undefined ? min : Number(m[2]);
  if (!m || min < 1 || max < min) {
    throw new UsageError(
      `${POLL_ENV} must be "MIN" or "MIN,MAX" in whole milliseconds with 1 <= MIN <= MAX, not "${raw}".`,
    );
  }
  return { min, max };
}

function describe(range: Range, logGroups: string[]): string {
  const from = new Date(range.start * 1000).toISOString();
  const to = new Date((range.end + 1) * 1000).toISOString();
  return `log group ${logGroups.join(', ')} from ${from} to ${to}`;
}

export async function scanDays(logs: CloudWatchLogsClient, options: ScanOptions): Promise<ScanResult> {
  const result: ScanResult = {
    aggregates: new AggregateSet(),
    chunks: new Map(),
    queries: 0,
    queryIds: [],
    bytesScanned: 0,
    recordsScanned: 0,
    problems: noProblems(),
  };
  const rowLimit = options.rowLimit ?? QUERY_ROW_LIMIT;
  const { min: pollMin, max: pollMax } = pollDelays(options);
  const running = new Set<string>();
  const abort = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;

  const chunk = (day: string): ChunkResult => {
    let found = result.chunks.get(day);
    if (!found) {
      found = { aggregates: new AggregateSet(), bytesScanned: 0, problems: noProblems(), rowsPerSecond: 0 };
      result.chunks.set(day, found);
    }
    return found;
  };

  /** One page of a query's results. An abort mid-request says why the run stopped, not the SDK's "Request aborted". */
  const results = async (queryId: string, nextToken?: string): Promise<GetQueryResultsCommandOutput> => {
    try {
      return await awsCall('logs:GetQueryResults', `Reading Logs Insights query ${queryId}`, () =>
        logs.send(new GetQueryResultsCommand({ queryId, ...(nextToken ? { nextToken } : {}) }), {
          abortSignal: signal,
        }),
      );
    } catch (error) {
      signal.throwIfAborted();
      throw error;
    }
  };

  /** One query to completion; returns its rows. Failed, Cancelled and Timeout get one more try. */
  const runQuery = async (range: Range): Promise<ResultRow[]> => {
    for (let attempt = 1; ; attempt++) {
      const where = describe(range, options.logGroups);
      // StartQuery's LimitExceededException means too many queries at once: wait for some to end.
      const started = await withRetry(
        () =>
          awsCall('logs:StartQuery', `Starting a Logs Insights query on ${where}`, () =>
            logs.send(
              new StartQueryCommand({
                logGroupNames: options.logGroups,
                startTime: range.start,
                endTime: range.end,
                queryString: aggregateQuery(range.ids),
                limit: rowLimit,
              }),
              // Not aborted mid-flight: a query AWS started must be known, so it can be stopped.
            ),
          ),
        {
          attempts: 8,
          baseMs: 1000,
          maxMs: 30_000,
          signal,
          isRetryable: (e) => (e as { cause?: { name?: string } }).cause?.name === 'LimitExceededException',
        },
      );
      const queryId = started.queryId!;
      running.add(queryId);
      result.queries += 1;
      result.queryIds.push(queryId);
      signal.throwIfAborted();
      let output: GetQueryResultsCommandOutput;
      // On an error or abort the query stays in `running`, so it is stopped below.
      for (let delay = pollMin; ; delay = Math.min(pollMax, delay * 1.5)) {
        await sleep(delay, signal);
        output = await results(queryId);
        if (output.status === 'Complete' || FAILED.has(output.status ?? '')) break;
      }
      running.delete(queryId);
      result.bytesScanned += output.statistics?.bytesScanned ?? 0;
      chunk(range.day).bytesScanned += output.statistics?.bytesScanned ?? 0;
      result.recordsScanned += output.statistics?.recordsScanned ?? 0;
      if (output.status === 'Complete') {
        const rows = (output.results ?? []) as ResultRow[];
        let token = output.nextToken;
        while (token) {
          const page = await results(queryId, token);
          rows.push(...((page.results ?? []) as ResultRow[]));
          token = page.nextToken;
        }
        return rows;
      }
      if (attempt >= 2) {
        throw new DataError(
          `The Logs Insights query ${queryId} on ${where} ended ${output.status} twice. ` +
            'Try a shorter lookback-days, or check the log group in the CloudWatch console.',
        );
      }
      options.log?.(`Logs Insights query ${queryId} on ${where} ended ${output.status}; running it again.`);
    }
  };

  // Rows per second of the densest uncut result so far: each day is cut into slices planned from
  // it, so a day is scanned once instead of being cut and halved until its halves fit.
  let rowsPerSecond = options.rowsPerSecond ?? 0;
  const learn = (range: Range, rows: number): void => {
    const density = rows / (range.end - range.start + 1);
    rowsPerSecond = Math.max(rowsPerSecond, density);
    const day = chunk(range.day);
    day.rowsPerSecond = Math.max(day.rowsPerSecond, density);
  };

  /** A result as long as the limit may be cut: split the range and try again, never keep it. */
  const scan = async (range: Range): Promise<void> => {
    const rows = await runQuery(range);
    if (rows.length < rowLimit) {
      if (!range.ids) learn(range, rows.length);
      const target = chunk(range.day);
      addRows(rows, target.aggregates, target.problems);
      return;
    }
    const seconds = range.end - range.start + 1;
    if (seconds > MIN_SLICE_SECONDS) {
      let start = range.start;
      if (rowsPerSecond === 0 && seconds > PROBE_SECONDS) {
        // Nothing known but that the limit was reached: its first hour alone says how dense the
        // rest is, and a cut there costs an hour's bytes, not the range's.
        await scan({ ...range, end: start + PROBE_SECONDS - 1 });
        start += PROBE_SECONDS;
      }
      // The rest's rows are at least the limit's share of it; at least CUT_SPLIT parts.
      const rest = range.end - start + 1;
      const parts = Math.max(
        CUT_SPLIT,
        plannedSlices(rest, Math.max(rowsPerSecond, rows.length / seconds), rowLimit),
      );
      options.log?.(
        `A query on ${describe(range, options.logGroups)} reached ${rowLimit} rows; splitting it in ${parts} time slices.`,
      );
      for (const [from, to] of sliceRange(start, range.end, parts))
        await scan({ ...range, start: from, end: to });
      return;
    }
    // A minute still has too many rows: query the ids in halves (by their leading characters).
    const ids = range.ids ?? { prefix: '', chars: ID_CHARS };
    if (ids.chars.length === 1 && ids.prefix.length >= 16) {
      throw new DataError(
        `A Logs Insights query on ${describe(range, options.logGroups)} returned ${rowLimit} rows for one service; ` +
          'the result would be cut, so it is not used.',
      );
    }
    const halves: IdPartition[] =
      ids.chars.length === 1
        ? [{ prefix: ids.prefix + ids.chars, chars: ID_CHARS }]
        : [
            { prefix: ids.prefix, chars: ids.chars.slice(0, Math.ceil(ids.chars.length / 2)) },
            { prefix: ids.prefix, chars: ids.chars.slice(Math.ceil(ids.chars.length / 2)) },
          ];
    options.log?.(
      `A query on ${describe(range, options.logGroups)} reached ${rowLimit} rows in ${seconds} s; splitting it by service id.`,
    );
    for (const part of halves) await scan({ ...range, ids: part });
  };

  /** A day in the slices the densest result so far asks for: one, while nothing is known. */
  const scanDay = async (day: string): Promise<void> => {
    const start = Date.parse(`${day}T00:00:00Z`) / 1000;
    const end = start + 86_399;
    const parts = plannedSlices(end - start + 1, rowsPerSecond, rowLimit);
    for (const [from, to] of sliceRange(start, end, parts)) await scan({ day, start: from, end: to });
  };

  const days = [...options.days];
  try {
    // With nothing known yet, the first day is scanned alone: the rest are planned from its rows.
    if (rowsPerSecond === 0 && days.length > 0) await scanDay(days.shift()!);
    await pool(days, options.concurrency ?? 5, scanDay);
    for (const c of result.chunks.values()) {
      // A chunk's queries are all in: its days are bounded before they are cached. A request that
      // started before midnight and was logged after it lands in the next chunk; the pipeline
      // bounds the merged days again (aws.ts logAggregates), which changes nothing unless such a
      // day had more callers than the bound.
      boundDayCallers(c.aggregates.days.values());
      result.aggregates.merge(c.aggregates);
      addProblems(result.problems, c.problems);
    }
  } catch (error) {
    abort.abort(error);
    await Promise.allSettled([...running].map((queryId) => logs.send(new StopQueryCommand({ queryId }))));
    throw error;
  }
  return result;
}
