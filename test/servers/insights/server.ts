/**
 * A local CloudWatch Logs server for end-to-end tests: it speaks the AWS JSON 1.1 protocol the
 * SDK uses (`POST /`, `X-Amz-Target: Logs_20140328.<Operation>`) and really executes Logs
 * Insights queries with ./engine.ts, so `@aws-sdk/client-cloudwatch-logs` talks to it unchanged
 * through its `endpoint` option or `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`. Signatures are ignored.
 *
 * Operations: StartQuery, GetQueryResults, StopQuery, DescribeLogGroups. Queries run when they
 * start (over the events stored at that moment); their status then moves one step per
 * GetQueryResults poll through `options.statuses`. `faults` injects the failures a client must
 * survive.
 *
 * Results are memoized by everything that decides them (log groups, time range, query, limit and
 * the version of the stored events, which putEvents bumps): every run of the pipeline asks the
 * same day-queries over hundreds of MB again. Each start still gets its own query id, status
 * progression, statistics and faults, exactly as without the memo.
 *
 * Log groups live in an account and a region, as in AWS: a request sees those of the region in its
 * signature and of the account of its access key (./caller.ts; the account is asked of moto when
 * `motoUrl` is given, else every key is `accountId`). A query id is found only where it started.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { executeQuery, parseQuery, QuerySyntaxError, type ResultCell } from './engine.js';
import { callerResolver, type Partition, partitionKey, type Target } from '../caller.js';

export type QueryStatus =
  'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout' | 'Unknown';
export type Operation = 'StartQuery' | 'GetQueryResults' | 'StopQuery' | 'DescribeLogGroups';

const TERMINAL: ReadonlySet<QueryStatus> = new Set(['Complete', 'Failed', 'Cancelled', 'Timeout']);
const TARGET_PREFIX = 'Logs_20140328.';
const MAX_QUERY_LENGTH = 10_000;
const MAX_PAGE = 10_000;
const COUNTERS = {
  StartQuery: 'startQuery',
  GetQueryResults: 'getQueryResults',
  StopQuery: 'stopQuery',
  DescribeLogGroups: 'describeLogGroups',
} as const satisfies Record<Operation, string>;

export interface InsightsEvent {
  /** Milliseconds since the epoch. */
  timestamp: number;
  /** The raw log line; JSON objects have their keys discovered as fields. */
  message: string;
  /** Default "stream-1". */
  logStream?: string;
}

/** One started query, as tests see it; `status` is the last one reported to the client. */
export interface QueryRecord {
  queryId: string;
  /** Where it ran: the caller's account and region. */
  account: string;
  region: string;
  logGroups: string[];
  /** Epoch seconds, as sent. */
  startTime: number;
  endTime: number;
  queryString: string;
  limit: number;
  status: QueryStatus;
}

export interface InsightsServerStats {
  /** Requests per operation, failed or injected ones included. */
  startQuery: number;
  getQueryResults: number;
  stopQuery: number;
  describeLogGroups: number;
  /** Sum of bytesScanned over all started queries. */
  bytesScanned: number;
  queries: QueryRecord[];
}

export type QueryMatcher = (query: QueryRecord) => boolean;

interface Pending<T> {
  match: QueryMatcher | undefined;
  value: T;
}

/**
 * Failures to inject. Each call arms a one-shot fault; calls chain. A `match` predicate picks
 * the query a fault applies to; without one it applies to the next query started.
 */
export class FaultPlan {
  private startQueryFailures = 0;
  private throttles = 0;
  private readonly endings: Array<Pending<'Failed' | 'Cancelled' | 'Timeout'>> = [];
  private readonly holds: Array<Pending<number>> = [];
  private readonly unavailable: Array<Operation | undefined> = [];

  /** The next `times` StartQuery calls fail with LimitExceededException (HTTP 400). */
  failStartQuery(times = 1): this {
    this.startQueryFailures += times;
    return this;
  }

  /** The next `times` GetQueryResults calls fail with ThrottlingException (HTTP 400). */
  throttleGetQueryResults(times = 1): this {
    this.throttles += times;
    return this;
  }

  /** A query ends with `status` where it would have completed, with no results. */
  endQueryWith(status: 'Failed' | 'Cancelled' | 'Timeout', match?: QueryMatcher): this {
    this.endings.push({ match, value: status });
    return this;
  }

  /** A query reports Running for `polls` more polls before it ends. */
  holdRunning(polls: number, match?: QueryMatcher): this {
    this.holds.push({ match, value: polls });
    return this;
  }

  /** The next request (of `operation`, or of any operation) gets HTTP 500 ServiceUnavailableException. */
  serviceUnavailable(operation?: Operation): this {
    this.unavailable.push(operation);
    return this;
  }

  clear(): void {
    this.startQueryFailures = 0;
    this.throttles = 0;
    this.endings.length = 0;
    this.holds.length = 0;
    this.unavailable.length = 0;
  }

  /** @internal */
  takeUnavailable(operation: string): boolean {
    const i = this.unavailable.findIndex((op) => op === undefined || op === operation);
    if (i < 0) return false;
    this.unavailable.splice(i, 1);
    return true;
  }

  /** @internal */
  takeStartQueryFailure(): boolean {
    if (this.startQueryFailures === 0) return false;
    this.startQueryFailures--;
    return true;
  }

  /** @internal */
  takeThrottle(): boolean {
    if (this.throttles === 0) return false;
    this.throttles--;
    return true;
  }

  /** @internal The statuses a new query reports, poll by poll, after its faults. */
  schedule(query: QueryRecord, base: readonly QueryStatus[]): QueryStatus[] {
    const statuses = [...base];
    const hold = take(this.holds, query);
    if (hold !== undefined)
      statuses.splice(statuses.length - 1, 0, ...Array<QueryStatus>(hold).fill('Running'));
    const ending = take(this.endings, query);
    if (ending !== undefined) statuses[statuses.length - 1] = ending;
    return statuses;
  }
}

function take<T>(list: Array<Pending<T>>, query: QueryRecord): T | undefined {
  const i = list.findIndex((p) => !p.match || p.match(query));
  if (i < 0) return undefined;
  return list.splice(i, 1)[0]!.value;
}

export interface InsightsServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /**
   * Statuses reported by successive GetQueryResults polls of a query; the last repeats and must
   * be terminal. Default ['Running', 'Complete']. Running polls return the first half of the rows,
   * as a stand-in for partial results.
   */
  statuses?: QueryStatus[];
  /** The default partition: unsigned requests, and loading without a target. Default '123456789012'. */
  accountId?: string;
  /** Default 'us-east-1'. */
  region?: string;
  /** moto's URL: the account of a request is that of its access key in moto. */
  motoUrl?: string;
}

export interface InsightsServer {
  /** http://host:port, for the SDK's `endpoint`. */
  url: string;
  port: number;
  close(): Promise<void>;
  /** Adds events to a log group of `target` (default: the default partition), creating it if needed. */
  putEvents(logGroup: string, events: InsightsEvent[], target?: Target): void;
  createLogGroup(logGroup: string, target?: Target): void;
  stats: InsightsServerStats;
  faults: FaultPlan;
  /** Started queries answered from the memo (hits) or by running the engine (misses). */
  memo: { hits: number; misses: number };
}

interface StoredEvent {
  timestamp: number;
  message: string;
  logStream: string;
  ingestionTime: number;
  bytes: number;
  ptr: string;
}

interface LogGroup {
  name: string;
  creationTime: number;
  events: StoredEvent[];
}

/** What a query's result depends on is in its memo key; this is the result. */
interface Executed {
  rows: ResultCell[][];
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

interface RunningQuery {
  record: QueryRecord;
  partition: string;
  rows: ResultCell[][];
  statistics: Record<string, number>;
  schedule: QueryStatus[];
  polls: number;
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

type Body = Record<string, unknown>;

function str(body: Body, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ApiError('InvalidParameterException', `${key} must be a string`);
  return v;
}

function int(body: Body, key: string): number | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ApiError('InvalidParameterException', `${key} must be a whole number`);
  }
  return v;
}

function strings(body: Body, key: string): string[] | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new ApiError('InvalidParameterException', `${key} must be a list of strings`);
  }
  return v as string[];
}

/**
 * A log group identifier may be a name or an ARN (with or without the trailing `:*`). An ARN of
 * another account or region is not found: reading one needs cross-account observability
 * (CloudWatch User Guide, "CloudWatch cross-account observability"), which is not emulated.
 */
function groupName(identifier: string, caller: Partition): string {
  const m = /^arn:[^:]+:logs:([^:]*):([^:]*):log-group:(.+?)(?::\*)?$/.exec(identifier);
  if (!m) return identifier;
  if (m[1] !== caller.region || m[2] !== caller.account) {
    throw new ApiError('ResourceNotFoundException', `Log group '${identifier}' does not exist`);
  }
  return m[3]!;
}

export async function startInsightsServer(options: InsightsServerOptions = {}): Promise<InsightsServer> {
  const defaults: Partition = {
    account: options.accountId ?? '123456789012',
    region: options.region ?? 'us-east-1',
  };
  const callers = callerResolver(defaults, options.motoUrl);
  const partitionOf = (target: Target = {}): Partition => ({ ...defaults, ...target });
  const baseStatuses = options.statuses ?? ['Running', 'Complete'];
  if (baseStatuses.length === 0 || !TERMINAL.has(baseStatuses[baseStatuses.length - 1]!)) {
    throw new Error('options.statuses must end with a terminal status such as Complete');
  }

  /** Log groups by name, per partition. */
  const partitions = new Map<string, Map<string, LogGroup>>();
  const groupsOf = (p: Partition): Map<string, LogGroup> => {
    const key = partitionKey(p);
    let groups = partitions.get(key);
    if (!groups) partitions.set(key, (groups = new Map()));
    return groups;
  };
  const queries = new Map<string, RunningQuery>();
  const faults = new FaultPlan();
  const stats: InsightsServerStats = {
    startQuery: 0,
    getQueryResults: 0,
    stopQuery: 0,
    describeLogGroups: 0,
    bytesScanned: 0,
    queries: [],
  };
  let eventCount = 0;
  let eventsVersion = 0;
  const memo = new Map<string, Executed>();
  const memoStats = { hits: 0, misses: 0 };

  const arn = (p: Partition, name: string): string =>
    `arn:aws:logs:${p.region}:${p.account}:log-group:${name}`;

  function createLogGroup(name: string, p: Partition): LogGroup {
    const groups = groupsOf(p);
    let group = groups.get(name);
    if (!group) {
      group = { name, creationTime: Date.now(), events: [] };
      groups.set(name, group);
    }
    return group;
  }

  function putEvents(logGroup: string, events: InsightsEvent[], target?: Target): void {
    const group = createLogGroup(logGroup, partitionOf(target));
    eventsVersion++;
    memo.clear(); // every key holds the old version: none can be hit again
    for (const ev of events) {
      const n = eventCount++;
      group.events.push({
        timestamp: ev.timestamp,
        message: ev.message,
        logStream: ev.logStream ?? 'stream-1',
        ingestionTime: Date.now(),
        bytes: Buffer.byteLength(ev.message, 'utf8'),
        ptr: Buffer.from(`${logGroup}|${n}`).toString('base64url'),
      });
    }
  }

  function startQuery(body: Body, caller: Partition): Body {
    const groups = groupsOf(caller);
    if (faults.takeStartQueryFailure()) {
      throw new ApiError(
        'LimitExceededException',
        'Account maximum query concurrency limit of [100] reached.',
      );
    }
    const single = str(body, 'logGroupName');
    const names = strings(body, 'logGroupNames');
    const identifiers = strings(body, 'logGroupIdentifiers');
    const given = [single, names, identifiers].filter((v) => v !== undefined);
    if (given.length !== 1) {
      throw new ApiError(
        'InvalidParameterException',
        'Exactly one of logGroupName, logGroupNames and logGroupIdentifiers must be given',
      );
    }
    const list = single !== undefined ? [single] : (names ?? identifiers!.map((id) => groupName(id, caller)));
    if (list.length === 0 || list.length > 50) {
      throw new ApiError('InvalidParameterException', 'Between 1 and 50 log groups must be given');
    }
    for (const name of list) {
      if (!groups.has(name))
        throw new ApiError('ResourceNotFoundException', `Log group '${name}' does not exist`);
    }
    const startTime = int(body, 'startTime');
    const endTime = int(body, 'endTime');
    if (startTime === undefined || endTime === undefined) {
      throw new ApiError('InvalidParameterException', 'startTime and endTime are required');
    }
    if (startTime > endTime) throw new ApiError('InvalidParameterException', 'endTime is before startTime');
    const queryString = str(body, 'queryString');
    if (queryString === undefined) throw new ApiError('InvalidParameterException', 'queryString is required');
    if (queryString.length > MAX_QUERY_LENGTH) {
      throw new ApiError(
        'InvalidParameterException',
        `queryString is ${queryString.length} characters; at most ${MAX_QUERY_LENGTH} are allowed`,
      );
    }
    const limit = int(body, 'limit') ?? 10_000;
    if (limit < 1 || limit > 100_000)
      throw new ApiError('InvalidParameterException', 'limit must be 1 to 100000');

    let parsed;
    try {
      parsed = parseQuery(queryString);
    } catch (error) {
      if (!(error instanceof QuerySyntaxError)) throw error;
      throw new ApiError('MalformedQueryException', error.message, 400, {
        queryCompileError: {
          location: { startCharOffset: error.start, endCharOffset: error.end },
          message: error.message,
        },
      });
    }

    const key = JSON.stringify([
      partitionKey(caller),
      eventsVersion,
      list,
      startTime,
      endTime,
      queryString,
      limit,
    ]);
    let executed = memo.get(key);
    if (executed) {
      memoStats.hits++;
    } else {
      memoStats.misses++;
      // Both ends are whole seconds and inclusive, so the end second runs to its last millisecond.
      const from = startTime * 1000;
      const to = endTime * 1000 + 999;
      const events = list.flatMap((name) =>
        groups
          .get(name)!
          .events.filter((e) => e.timestamp >= from && e.timestamp <= to)
          .map((e) => ({ ...e, logGroup: name })),
      );
      const output = executeQuery(parsed, events, { limit, accountId: caller.account });
      executed = {
        rows: output.rows,
        recordsMatched: output.recordsMatched,
        recordsScanned: events.length,
        bytesScanned: events.reduce((sum, e) => sum + e.bytes, 0),
      };
      memo.set(key, executed);
    }
    const { bytesScanned } = executed;

    const record: QueryRecord = {
      queryId: randomUUID(),
      account: caller.account,
      region: caller.region,
      logGroups: list,
      startTime,
      endTime,
      queryString,
      limit,
      status: 'Scheduled',
    };
    stats.queries.push(record);
    stats.bytesScanned += bytesScanned;
    queries.set(record.queryId, {
      record,
      partition: partitionKey(caller),
      rows: executed.rows,
      statistics: {
        recordsMatched: executed.recordsMatched,
        recordsScanned: executed.recordsScanned,
        estimatedRecordsSkipped: 0,
        bytesScanned,
        estimatedBytesSkipped: 0,
        logGroupsScanned: list.length,
        resultCount: executed.rows.length,
      },
      schedule: faults.schedule(record, baseStatuses),
      polls: 0,
    });
    return { queryId: record.queryId };
  }

  function findQuery(body: Body, caller: Partition): RunningQuery {
    const id = str(body, 'queryId');
    const query = id === undefined ? undefined : queries.get(id);
    if (!query || query.partition !== partitionKey(caller))
      throw new ApiError('ResourceNotFoundException', `Query ${id ?? '(none)'} does not exist`);
    return query;
  }

  function getQueryResults(body: Body, caller: Partition): Body {
    if (faults.takeThrottle()) throw new ApiError('ThrottlingException', 'Rate exceeded');
    const query = findQuery(body, caller);
    const status = query.schedule[Math.min(query.polls, query.schedule.length - 1)]!;
    query.polls++;
    query.record.status = status;

    let results: ResultCell[][] = [];
    let nextToken: string | undefined;
    if (status === 'Running') {
      results = query.rows.slice(0, Math.floor(query.rows.length / 2));
    } else if (status === 'Complete') {
      const token = str(body, 'nextToken');
      let offset = 0;
      if (token !== undefined) {
        const m = /^(.+):(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
        if (!m || m[1] !== query.record.queryId) {
          throw new ApiError('InvalidParameterException', 'The nextToken is not valid for this query');
        }
        offset = Number(m[2]);
      }
      const size = Math.min(Math.max(int(body, 'maxItems') ?? MAX_PAGE, 1), MAX_PAGE);
      results = query.rows.slice(offset, offset + size);
      if (offset + size < query.rows.length) {
        nextToken = Buffer.from(`${query.record.queryId}:${offset + size}`).toString('base64url');
      }
    }
    const zero = status === 'Scheduled';
    const statistics = Object.fromEntries(
      Object.entries(query.statistics).map(([k, v]) => [k, zero && k !== 'logGroupsScanned' ? 0 : v]),
    );
    return {
      queryLanguage: 'CWLI',
      status,
      results,
      statistics,
      ...(nextToken !== undefined ? { nextToken } : {}),
    };
  }

  function stopQuery(body: Body, caller: Partition): Body {
    const query = findQuery(body, caller);
    if (TERMINAL.has(query.record.status)) {
      throw new ApiError(
        'InvalidParameterException',
        `Query ${query.record.queryId} is not running (status ${query.record.status})`,
      );
    }
    query.schedule = ['Cancelled'];
    query.polls = 0;
    query.record.status = 'Cancelled';
    return { success: true };
  }

  function describeLogGroups(body: Body, caller: Partition): Body {
    const prefix = str(body, 'logGroupNamePrefix') ?? '';
    const logGroups = [...groupsOf(caller).values()]
      .filter((g) => g.name.startsWith(prefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((g) => ({
        logGroupName: g.name,
        creationTime: g.creationTime,
        metricFilterCount: 0,
        arn: `${arn(caller, g.name)}:*`,
        logGroupArn: arn(caller, g.name),
        storedBytes: g.events.reduce((sum, e) => sum + e.bytes, 0),
      }));
    return { logGroups };
  }

  const handlers: Record<Operation, (body: Body, caller: Partition) => Body> = {
    StartQuery: startQuery,
    GetQueryResults: getQueryResults,
    StopQuery: stopQuery,
    DescribeLogGroups: describeLogGroups,
  };

  function send(res: ServerResponse, status: number, payload: unknown, errorType?: string): void {
    const text = JSON.stringify(payload);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    try {
      const target = req.headers['x-amz-target'];
      const op =
        typeof target === 'string' && target.startsWith(TARGET_PREFIX)
          ? target.slice(TARGET_PREFIX.length)
          : '';
      if (req.method !== 'POST' || !Object.hasOwn(handlers, op)) {
        throw new ApiError('UnknownOperationException', `Unknown operation ${String(target ?? '(none)')}`);
      }
      stats[COUNTERS[op as Operation]]++;
      if (faults.takeUnavailable(op)) {
        throw new ApiError('ServiceUnavailableException', 'The service is unavailable (injected fault)', 500);
      }
      let parsed: unknown;
      try {
        parsed = body.trim() === '' ? {} : JSON.parse(body);
      } catch {
        throw new ApiError('SerializationException', 'The request body is not valid JSON');
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        throw new ApiError('SerializationException', 'The request body must be a JSON object');
      }
      send(res, 200, handlers[op as Operation](parsed as Body, await callers.partition(req)));
    } catch (error) {
      if (error instanceof ApiError) {
        send(res, error.status, { __type: error.code, message: error.message, ...error.extra }, error.code);
      } else {
        const message = error instanceof Error ? error.message : String(error);
        send(res, 500, { __type: 'InternalFailure', message }, 'InternalFailure');
      }
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    port,
    stats,
    faults,
    memo: memoStats,
    putEvents,
    createLogGroup: (name, target) => void createLogGroup(name, partitionOf(target)),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // The SDK keeps connections alive; without this, close() would wait for them.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
