/**
 * The Logs Insights scan: one query per UTC day (split further when a result may be cut), run a
 * few at a time, polled with backoff, every query's bytes scanned recorded.
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
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** What one UTC day's queries found: the unit that is cached between runs. */
interface ChunkResult {
  /** Aggregates by startTime day; a few may belong to the day before (requests spanning midnight). */
  aggregates: AggregateSet;
  bytesScanned: number;
  problems: SourceProblems;
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
  /** Only the services and resource configurations of these ids: set when an hour alone is too much. */
  ids?: IdPartition;
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
 * @testseam
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
      found = { aggregates: new AggregateSet(), bytesScanned: 0, problems: noProblems() };
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

  /** A result as long as the limit may be cut: split the range and try again, never keep it. */
  const scan = async (range: Range): Promise<void> => {
    const rows = await runQuery(range);
    if (rows.length < rowLimit) {
      const target = chunk(range.day);
      addRows(rows, target.aggregates, target.problems);
      return;
    }
    const seconds = range.end - range.start + 1;
    if (seconds > 3600) {
      const middle = range.start + Math.floor(seconds / 2);
      options.log?.(
        `A query on ${describe(range, options.logGroups)} reached ${rowLimit} rows; splitting it in two.`,
      );
      await scan({ ...range, end: middle - 1 });
      await scan({ ...range, start: middle });
      return;
    }
    // An hour still has too many rows: query the ids in halves (by their leading characters).
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
      `A query on ${describe(range, options.logGroups)} reached ${rowLimit} rows in one hour; splitting it by service id.`,
    );
    for (const part of halves) await scan({ ...range, ids: part });
  };

  const ranges: Range[] = options.days.map((day) => {
    const start = Date.parse(`${day}T00:00:00Z`) / 1000;
    return { day, start, end: start + 86_399 };
  });
  try {
    await pool(ranges, options.concurrency ?? 5, scan);
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
