import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryCommand,
  type StartQueryCommandInput,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { POLL_ENV, pollDelays, scanDays } from '../../src/aws/insights.js';
import { type InsightsServer, startInsightsServer } from '../servers/insights/server.js';

const GROUP = '/aws/vendedlogs/lattice-test';
const OTHER = '/aws/vendedlogs/lattice-other';
/** 2024-08-04T12:00:00Z in epoch seconds; queries cover [T, T + 60]. */
const T = Date.UTC(2024, 7, 4, 12) / 1000;

const line = (svc: string, bytesSent: number, note = ''): string =>
  JSON.stringify({ serviceArn: svc, bytesSent, note });
// Inside the window: its first millisecond, the middle, and the last millisecond of the end second.
const inside = [
  { timestamp: T * 1000, message: line('a', 10, 'é') },
  { timestamp: T * 1000 + 30_000, message: line('b', 20) },
  { timestamp: (T + 60) * 1000 + 999, message: line('a', 30, '€') },
];
const outside = [
  { timestamp: T * 1000 - 1, message: line('a', 1000) },
  { timestamp: (T + 61) * 1000, message: line('a', 2000) },
];
const insideBytes = inside.reduce((sum, e) => sum + Buffer.byteLength(e.message, 'utf8'), 0);

let server: InsightsServer;

function client(maxAttempts = 1): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    region: 'us-east-1',
    endpoint: server.url,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    maxAttempts,
  });
}

const logs = (): CloudWatchLogsClient => client();

async function start(input: Partial<StartQueryCommandInput> = {}, c = logs()): Promise<string> {
  const out = await c.send(
    new StartQueryCommand({
      logGroupName: GROUP,
      startTime: T,
      endTime: T + 60,
      queryString: 'stats count(*) as n, sum(bytesSent) as sent by serviceArn',
      ...input,
    }),
  );
  return out.queryId!;
}

/** Polls until a terminal status; returns every status seen and the last response. */
async function poll(
  queryId: string,
  c = logs(),
): Promise<{ statuses: string[]; last: GetQueryResultsCommandOutput }> {
  const statuses: string[] = [];
  for (let i = 0; i < 20; i++) {
    const out = await c.send(new GetQueryResultsCommand({ queryId }));
    statuses.push(out.status!);
    if (['Complete', 'Failed', 'Cancelled', 'Timeout'].includes(out.status!)) return { statuses, last: out };
  }
  throw new Error(`query ${queryId} did not end: ${statuses.join(', ')}`);
}

const rows = (out: GetQueryResultsCommandOutput): Array<Record<string, string>> =>
  (out.results ?? []).map((r) => Object.fromEntries(r.map((c) => [c.field!, c.value!])));

beforeAll(async () => {
  server = await startInsightsServer();
  server.putEvents(GROUP, [...outside, ...inside]);
  server.putEvents(OTHER, [{ timestamp: T * 1000 + 5, message: line('c', 7), logStream: 'other-stream' }]);
});

afterEach(() => server.faults.clear());

afterAll(async () => {
  await server.close();
});

describe('queries through the SDK', () => {
  it('reports Running, then Complete with the rows and statistics', async () => {
    const queryId = await start();
    const first = await logs().send(new GetQueryResultsCommand({ queryId }));
    expect(first.status).toBe('Running');
    // A Running poll carries a partial result: the first half of the rows.
    expect(first.results).toHaveLength(1);
    const done = await logs().send(new GetQueryResultsCommand({ queryId }));
    expect(done.status).toBe('Complete');
    expect(rows(done)).toEqual([
      { serviceArn: 'a', n: '2', sent: '40' },
      { serviceArn: 'b', n: '1', sent: '20' },
    ]);
    expect(done.statistics).toEqual({
      recordsMatched: 3,
      recordsScanned: 3,
      bytesScanned: insideBytes,
      estimatedRecordsSkipped: 0,
      estimatedBytesSkipped: 0,
      logGroupsScanned: 1,
      resultCount: 2,
    });
    expect(done.queryLanguage).toBe('CWLI');
    const record = server.stats.queries.find((q) => q.queryId === queryId)!;
    expect(record).toMatchObject({ logGroups: [GROUP], startTime: T, endTime: T + 60, status: 'Complete' });
  });

  it('counts bytes of every event in the window, UTF-8 encoded, whether or not it matches', async () => {
    const before = server.stats.bytesScanned;
    const { last } = await poll(await start({ queryString: 'filter bytesSent > 25 | stats count(*) as n' }));
    expect(rows(last)).toEqual([{ n: '1' }]);
    expect(last.statistics).toMatchObject({
      recordsMatched: 1,
      recordsScanned: 3,
      bytesScanned: insideBytes,
    });
    expect(insideBytes).toBe(inside.reduce((s, e) => s + e.message.length, 0) + 1 + 2);
    expect(server.stats.bytesScanned - before).toBe(insideBytes);
  });

  it('returns raw events newest first with @ptr, and honours the limit parameter', async () => {
    const { last } = await poll(await start({ queryString: 'fields serviceArn, @logStream', limit: 2 }));
    expect(last.results).toHaveLength(2);
    expect(rows(last).map((r) => r.serviceArn)).toEqual(['a', 'b']);
    expect(rows(last)[0]).toMatchObject({ '@logStream': 'stream-1' });
    expect(rows(last)[0]!['@ptr']).toMatch(/\S/);
  });

  it('pages results with maxItems and nextToken', async () => {
    const queryId = await start({ queryString: 'fields bytesSent | sort bytesSent asc' });
    await poll(queryId);
    const c = logs();
    const page1 = await c.send(new GetQueryResultsCommand({ queryId, maxItems: 2 }));
    expect(rows(page1)).toEqual(
      [{ bytesSent: '10' }, { bytesSent: '20' }].map((r) => expect.objectContaining(r)),
    );
    expect(page1.nextToken).toBeDefined();
    const page2 = await c.send(
      new GetQueryResultsCommand({ queryId, maxItems: 2, nextToken: page1.nextToken }),
    );
    expect(rows(page2)).toEqual([expect.objectContaining({ bytesSent: '30' })]);
    expect(page2.nextToken).toBeUndefined();
    await expect(c.send(new GetQueryResultsCommand({ queryId, nextToken: 'bogus' }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('reads several log groups, named or by ARN', async () => {
    const arn = `arn:aws:logs:us-east-1:123456789012:log-group:${OTHER}:*`;
    const { last } = await poll(
      await start({
        logGroupName: undefined,
        logGroupIdentifiers: [GROUP, arn],
        queryString: 'stats count(*) as n by @log',
      }),
    );
    expect(rows(last)).toEqual([
      { '@log': `123456789012:${GROUP}`, n: '3' },
      { '@log': `123456789012:${OTHER}`, n: '1' },
    ]);
    expect(last.statistics?.logGroupsScanned).toBe(2);
    const byName = await poll(await start({ logGroupName: undefined, logGroupNames: [OTHER] }));
    expect(rows(byName.last)).toEqual([{ serviceArn: 'c', n: '1', sent: '7' }]);
  });

  it('is reached through AWS_ENDPOINT_URL_CLOUDWATCH_LOGS as well', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = server.url;
    try {
      const c = new CloudWatchLogsClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      expect(rows((await poll(await start({}, c), c)).last)).toHaveLength(2);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS;
      else process.env.AWS_ENDPOINT_URL_CLOUDWATCH_LOGS = saved;
    }
  });

  it('honours the statuses option', async () => {
    const slow = await startInsightsServer({ statuses: ['Scheduled', 'Running', 'Complete'] });
    try {
      slow.putEvents(GROUP, inside);
      const c = new CloudWatchLogsClient({
        region: 'us-east-1',
        endpoint: slow.url,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      const queryId = await start({}, c);
      const scheduled = await c.send(new GetQueryResultsCommand({ queryId }));
      expect(scheduled).toMatchObject({ status: 'Scheduled', results: [] });
      expect(scheduled.statistics?.recordsScanned).toBe(0);
      const { statuses } = await poll(queryId, c);
      expect(statuses).toEqual(['Running', 'Complete']);
    } finally {
      await slow.close();
    }
  });

  it('lists log groups', async () => {
    const out = await logs().send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/vendedlogs/lattice-t' }),
    );
    expect(out.logGroups).toEqual([
      expect.objectContaining({
        logGroupName: GROUP,
        arn: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}:*`,
        storedBytes: [...inside, ...outside].reduce((s, e) => s + Buffer.byteLength(e.message), 0),
      }),
    ]);
  });

  it("keeps log groups per signing region: another region's client sees only its own", async () => {
    const group = '/aws/vendedlogs/lattice-ireland';
    server.putEvents(group, [{ timestamp: T * 1000, message: line('eu', 5) }], { region: 'eu-west-1' });
    const ireland = new CloudWatchLogsClient({
      region: 'eu-west-1',
      endpoint: server.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    const listed = await ireland.send(new DescribeLogGroupsCommand({}));
    expect(listed.logGroups?.map((g) => g.logGroupArn)).toEqual([
      `arn:aws:logs:eu-west-1:123456789012:log-group:${group}`,
    ]);
    await expect(start({ logGroupName: group })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const { statuses, last } = await poll(await start({ logGroupName: group }, ireland), ireland);
    expect(statuses.at(-1)).toBe('Complete');
    expect(rows(last)).toEqual([{ serviceArn: 'eu', n: '1', sent: '5' }]);
    expect(server.stats.queries.at(-1)).toMatchObject({ account: '123456789012', region: 'eu-west-1' });
  });
});

describe('errors', () => {
  it('rejects an unknown log group', async () => {
    await expect(start({ logGroupName: '/no/such/group' })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('rejects an unknown query id', async () => {
    await expect(logs().send(new GetQueryResultsCommand({ queryId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(logs().send(new StopQueryCommand({ queryId: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('rejects a malformed query with a message naming the problem', async () => {
    const error = await start({ queryString: 'stats count(*) by | limit 5' }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'MalformedQueryException',
      message: expect.stringMatching(/Expected an expression/),
    });
    expect((error as { queryCompileError?: unknown }).queryCompileError).toEqual({
      location: { startCharOffset: 18, endCharOffset: 19 },
      message: expect.any(String),
    });
    await expect(start({ queryString: 'fields x | frobnicate' })).rejects.toMatchObject({
      name: 'MalformedQueryException',
      message: expect.stringMatching(/Unknown command "frobnicate"/),
    });
  });

  it('rejects bad parameters', async () => {
    const invalid = { name: 'InvalidParameterException' };
    await expect(start({ queryString: `fields a ${'#'.repeat(10_000)}` })).rejects.toMatchObject(invalid);
    await expect(start({ startTime: T + 10, endTime: T })).rejects.toMatchObject(invalid);
    await expect(start({ logGroupNames: [GROUP] })).rejects.toMatchObject(invalid);
    await expect(start({ limit: 0 })).rejects.toMatchObject(invalid);
    // Exactly 10,000 characters is allowed.
    const q = 'fields a #';
    await expect(start({ queryString: q + 'x'.repeat(10_000 - q.length) })).resolves.toEqual(
      expect.any(String),
    );
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ __type: 'UnknownOperationException', message: expect.any(String) });
  });
});

describe('StopQuery', () => {
  it('cancels a running query, and refuses one that has ended', async () => {
    const queryId = await start();
    await expect(logs().send(new StopQueryCommand({ queryId }))).resolves.toMatchObject({ success: true });
    expect((await poll(queryId)).statuses).toEqual(['Cancelled']);
    await expect(logs().send(new StopQueryCommand({ queryId }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });

    const done = await start();
    await poll(done);
    await expect(logs().send(new StopQueryCommand({ queryId: done }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('cancels a query after a Running poll', async () => {
    const queryId = await start();
    await logs().send(new GetQueryResultsCommand({ queryId }));
    await logs().send(new StopQueryCommand({ queryId }));
    const { statuses, last } = await poll(queryId);
    expect(statuses).toEqual(['Cancelled']);
    expect(last.results).toEqual([]);
    expect(server.stats.queries.find((q) => q.queryId === queryId)?.status).toBe('Cancelled');
  });
});

describe('faults', () => {
  it('fails the next StartQuery calls with LimitExceededException', async () => {
    server.faults.failStartQuery(2);
    const before = server.stats.startQuery;
    for (let i = 0; i < 2; i++) {
      await expect(start()).rejects.toMatchObject({
        name: 'LimitExceededException',
        $metadata: { httpStatusCode: 400 },
      });
    }
    await expect(start()).resolves.toEqual(expect.any(String));
    expect(server.stats.startQuery - before).toBe(3);
  });

  it('lets the SDK retry a LimitExceededException by itself', async () => {
    server.faults.failStartQuery(1);
    const before = server.stats.startQuery;
    await expect(start({}, client(3))).resolves.toEqual(expect.any(String));
    expect(server.stats.startQuery - before).toBe(2);
  });

  it('throttles the next GetQueryResults calls', async () => {
    const queryId = await start();
    server.faults.throttleGetQueryResults(1);
    await expect(logs().send(new GetQueryResultsCommand({ queryId }))).rejects.toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    // The throttled call did not advance the query.
    expect((await poll(queryId)).statuses).toEqual(['Running', 'Complete']);
  });

  it('ends the next query Failed, once', async () => {
    server.faults.endQueryWith('Failed');
    const failed = await poll(await start());
    expect(failed.statuses).toEqual(['Running', 'Failed']);
    expect(failed.last.results).toEqual([]);
    expect((await poll(await start())).statuses).toEqual(['Running', 'Complete']);
  });

  it('ends the query a predicate picks with Timeout or Cancelled', async () => {
    server.faults
      .endQueryWith('Timeout', (q) => q.queryString.includes('pick me'))
      .endQueryWith('Cancelled', (q) => q.startTime === T + 1);
    expect((await poll(await start())).statuses).toEqual(['Running', 'Complete']);
    expect((await poll(await start({ queryString: 'stats count(*) # pick me' }))).statuses).toEqual([
      'Running',
      'Timeout',
    ]);
    expect((await poll(await start({ startTime: T + 1 }))).statuses).toEqual(['Running', 'Cancelled']);
    expect((await poll(await start({ queryString: 'stats count(*) # pick me' }))).statuses).toEqual([
      'Running',
      'Complete',
    ]);
  });

  it('keeps a query Running for extra polls', async () => {
    server.faults.holdRunning(3);
    const { statuses, last } = await poll(await start());
    expect(statuses).toEqual(['Running', 'Running', 'Running', 'Running', 'Complete']);
    expect(rows(last)).toHaveLength(2);
  });

  it('answers HTTP 500 ServiceUnavailableException once', async () => {
    const queryId = await start();
    server.faults.serviceUnavailable('GetQueryResults');
    const before = server.stats.getQueryResults;
    await expect(logs().send(new GetQueryResultsCommand({ queryId }))).rejects.toMatchObject({
      name: 'ServiceUnavailableException',
      $fault: 'server',
      $metadata: { httpStatusCode: 500 },
    });
    await expect(logs().send(new GetQueryResultsCommand({ queryId }))).resolves.toMatchObject({
      status: 'Running',
    });
    expect(server.stats.getQueryResults - before).toBe(2);

    // Any operation, and the SDK's own retry gets through.
    server.faults.serviceUnavailable();
    await expect(start({}, client(3))).resolves.toEqual(expect.any(String));
  });
});

describe('the result memo', () => {
  let memo: InsightsServer;
  const memoClient = (): CloudWatchLogsClient =>
    new CloudWatchLogsClient({
      region: 'us-east-1',
      endpoint: memo.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
  const QUERY = 'stats count(*) as n, sum(bytesSent) as sent by serviceArn';
  const run = async (input: Partial<StartQueryCommandInput> = {}) => {
    const c = memoClient();
    const queryId = await start({ queryString: QUERY, ...input }, c);
    return { queryId, ...(await poll(queryId, c)) };
  };

  beforeAll(async () => {
    memo = await startInsightsServer({ statuses: ['Scheduled', 'Running', 'Complete'] });
    memo.putEvents(GROUP, [...outside, ...inside]);
    memo.putEvents(OTHER, [{ timestamp: T * 1000 + 5, message: line('c', 7) }]);
  });

  afterEach(() => memo.faults.clear());

  afterAll(async () => {
    await memo.close();
  });

  it('answers a repeated query with the same rows, statistics and statuses, under its own id', async () => {
    const before = { ...memo.memo };
    const first = await run();
    const second = await run();
    expect(memo.memo).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });
    expect(second.queryId).not.toBe(first.queryId);
    expect(second.statuses).toEqual(['Scheduled', 'Running', 'Complete']);
    expect(second.statuses).toEqual(first.statuses);
    expect(rows(second.last)).toEqual([
      { serviceArn: 'a', n: '2', sent: '40' },
      { serviceArn: 'b', n: '1', sent: '20' },
    ]);
    expect(second.last.results).toEqual(first.last.results);
    expect(second.last.statistics).toEqual(first.last.statistics);
    const recorded = memo.stats.queries.filter((q) => [first.queryId, second.queryId].includes(q.queryId));
    expect(recorded.map((q) => q.status)).toEqual(['Complete', 'Complete']);
  });

  it('still adds each query to bytesScanned and applies faults to it', async () => {
    await run();
    const before = memo.stats.bytesScanned;
    memo.faults.endQueryWith('Failed');
    const failed = await run();
    expect(failed.statuses).toEqual(['Scheduled', 'Running', 'Failed']);
    expect(failed.last.results).toEqual([]);
    expect(memo.stats.bytesScanned - before).toBe(insideBytes);
  });

  it('is keyed on the log groups, the time range, the query and the limit', async () => {
    await run();
    const before = memo.memo.misses;
    await run({ logGroupName: undefined, logGroupNames: [GROUP, OTHER] });
    await run({ endTime: T + 59 });
    await run({ startTime: T + 1 });
    await run({ queryString: `${QUERY} | limit 5` });
    const limited = await run({ limit: 1 });
    expect(memo.memo.misses - before).toBe(5);
    expect(limited.last.results).toHaveLength(1);
  });

  it('runs a query again after putEvents, over the events stored then', async () => {
    const first = await run();
    const misses = memo.memo.misses;
    memo.putEvents(GROUP, [{ timestamp: T * 1000 + 1, message: line('b', 5) }]);
    const second = await run();
    expect(memo.memo.misses).toBe(misses + 1);
    expect(rows(first.last)).toContainEqual({ serviceArn: 'b', n: '1', sent: '20' });
    expect(rows(second.last)).toContainEqual({ serviceArn: 'b', n: '2', sent: '25' });
    expect(second.last.statistics?.recordsScanned).toBe((first.last.statistics?.recordsScanned ?? 0) + 1);
  });
});

describe(`the poll delays and ${POLL_ENV}`, () => {
  it('come from the variable only when the caller gives none', () => {
    expect(pollDelays({}, {})).toEqual({ min: 1000, max: 5000 });
    expect(pollDelays({}, { [POLL_ENV]: '5,20' })).toEqual({ min: 5, max: 20 });
    expect(pollDelays({}, { [POLL_ENV]: ' 50 ' })).toEqual({ min: 50, max: 50 });
    expect(pollDelays({ pollMinMs: 7 }, { [POLL_ENV]: '5,20' })).toEqual({ min: 7, max: 5000 });
    expect(pollDelays({ pollMaxMs: 9 }, { [POLL_ENV]: 'nonsense' })).toEqual({ min: 1000, max: 9 });
  });

  it.each(['fast', '5,', ',5', '0', '0,10', '20,5', '1.5', '-1', '5,20,30'])(
    'rejects %p, naming the variable',
    (value) => {
      expect(() => pollDelays({}, { [POLL_ENV]: value })).toThrow(
        `${POLL_ENV} must be "MIN" or "MIN,MAX" in whole milliseconds`,
      );
    },
  );

  it('a scan with a bad value fails before it starts a query', async () => {
    const saved = process.env[POLL_ENV];
    process.env[POLL_ENV] = 'soon';
    const before = server.stats.startQuery;
    try {
      await expect(scanDays(logs(), { logGroups: [GROUP], days: ['2024-08-04'] })).rejects.toThrow(
        `${POLL_ENV} must be`,
      );
    } finally {
      if (saved === undefined) delete process.env[POLL_ENV];
      else process.env[POLL_ENV] = saved;
    }
    expect(server.stats.startQuery).toBe(before);
  });
});
