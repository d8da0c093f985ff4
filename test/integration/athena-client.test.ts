/**
 * The Athena runner (src/aws/athena.ts) through the real SDK against moto's Athena. No endpoint is
 * given to the code under test: AWS_ENDPOINT_URL_ATHENA leads the SDK to moto.
 *
 * What moto 5.2.1 does (moto/athena/models.py and responses.py, moto_api/_internal/responses.py):
 * - It runs no SQL. POST /moto-api/static/athena/query-results queues results ({account_id,
 *   region, results: [{rows: [{Data: [{VarCharValue}]}], column_info: [...]}]}); each
 *   StartQueryExecution takes the next queued one, and GetQueryResults returns its rows exactly as
 *   given. So the header row Athena puts first is queued by the test, as Athena would give it.
 * - GetQueryResults ignores MaxResults and NextToken: every row comes in one page with no
 *   NextToken, so the paginator runs one page here. Pages after the first are covered with a
 *   stubbed client in test/unit/athena.test.ts.
 * - DataScannedInBytes is always 0.
 * - States go QUEUED -> RUNNING -> SUCCEEDED, at once unless the state manager
 *   (/moto-api/state-manager/set-transition, model athena::execution) holds them; there is no
 *   FAILED. StopQueryExecution sets CANCELLED, which stays. FAILED is unit-tested with a stub.
 * - A missing workgroup is InvalidRequestException "WorkGroup does not exist". IAM is not checked:
 *   denials come from a fault proxy in front of moto.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  ListQueryExecutionsCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { DuckDBInstance } from '@duckdb/node-api';
import { DELIVERY_DAY_COLUMN, addAthenaRows, athenaDayQuery } from '../../src/aws/athena-query.js';
import { type AthenaQueryOptions, createAthenaClient, runAthenaQuery } from '../../src/aws/athena.js';
import { writeSampleLog } from '../../src/demo/generate.js';
import { DataError } from '../../src/errors.js';
import { aggregateLogs } from '../../src/logs/reader.js';
import { AggregateSet, boundDayCallers, dayToJSON, noProblems } from '../../src/model/aggregate.js';
import {
  ACCESS_LOG_FIELDS,
  GRPC_STATUS_FIELD,
  RESOURCE_CONFIGURATION_FIELD,
} from '../../src/model/record.js';
import { awsJsonError, type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, type MotoServer, startMoto } from '../servers/moto.js';

const region = 'us-east-1';
const WORKGROUP = 'lattice-cost-report';
const saved = { ...process.env };

let moto: MotoServer;
let proxy: FaultProxy;
let athena: AthenaClient;
let work: string;
/** MaxResults of every GetQueryResults request the runner sent. */
const pageSizes: Array<number | undefined> = [];

const run = (sql: string, more: Partial<AthenaQueryOptions> = {}) =>
  runAthenaQuery(athena, {
    sql,
    workGroup: WORKGROUP,
    database: 'lattice_logs',
    pollMinMs: 1,
    pollMaxMs: 5,
    ...more,
  });

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  process.env.AWS_ENDPOINT_URL_ATHENA = moto.url;
  athena = createAthenaClient(region, DUMMY_CREDENTIALS);
  athena.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetQueryResultsCommand') {
        pageSizes.push((args.input as { MaxResults?: number }).MaxResults);
      }
      return next(args);
    },
    { step: 'initialize', name: 'countPages' },
  );
  await athena.send(
    new CreateWorkGroupCommand({ Name: WORKGROUP, Description: 'lattice-cost-report tests' }),
  );
  work = mkdtempSync(join(tmpdir(), 'lattice-athena-client-'));
}, 60_000);

afterEach(() => motoApi('state-manager/unset-transition', { model_name: 'athena::execution' }));

afterAll(async () => {
  process.env = saved;
  athena?.destroy();
  rmSync(work, { recursive: true, force: true });
  await Promise.all([proxy?.close(), moto?.stop()]);
});

async function motoApi(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${moto.url}/moto-api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`moto refused ${path}: HTTP ${response.status} ${text}`);
}

/** Queues the next query's result in moto: the header row first, as Athena gives a SELECT's. */
function queueResult(columns: string[], rows: ReadonlyArray<ReadonlyArray<string | null>>): Promise<void> {
  const datum = (value: string | null) => (value === null ? {} : { VarCharValue: value });
  return motoApi('static/athena/query-results', {
    account_id: MOTO_DEFAULT_ACCOUNT_ID,
    region,
    results: [
      {
        rows: [columns, ...rows].map((row) => ({ Data: row.map(datum) })),
        column_info: columns.map((Name) => ({ Name, Label: Name, Type: 'varchar', Nullable: 'UNKNOWN' })),
      },
    ],
  });
}

/** Holds every new query QUEUED until it has been polled `times` times. */
const holdQueries = (times: number) =>
  motoApi('state-manager/set-transition', {
    model_name: 'athena::execution',
    transition: { progression: 'manual', times },
  });

async function latestQueryId(): Promise<string> {
  const { QueryExecutionIds: ids = [] } = await athena.send(
    new ListQueryExecutionsCommand({ WorkGroup: WORKGROUP }),
  );
  return ids[ids.length - 1]!;
}

async function stateOf(id: string): Promise<string | undefined> {
  const output = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
  return output.QueryExecution?.Status?.State;
}

describe('runAthenaQuery on moto', () => {
  it('reads every row of a result longer than a page, nulls included, by the column names', async () => {
    const rows = Array.from({ length: 2345 }, (_, i) => [
      `svc-${i}`,
      i % 7 === 0 ? null : String(i * 3),
      i % 5 === 0 ? null : '',
    ]);
    await queueResult(['service', 'requests', 'note'], rows);
    pageSizes.length = 0;
    const result = await run('SELECT service, requests, note FROM t');
    expect(result.rows).toHaveLength(2345);
    expect(result.rows[0]).toEqual({ service: 'svc-0', requests: null, note: null });
    expect(result.rows[1]).toEqual({ service: 'svc-1', requests: '3', note: '' });
    expect(result.rows[2344]).toEqual({ service: 'svc-2344', requests: '7032', note: '' });
    // The documented maximum is asked for; moto answers everything in one page (see the header).
    expect(pageSizes).toEqual([1000]);
    // moto reports no bytes scanned.
    expect(result.bytesScanned).toBe(0);
    expect(await stateOf(result.queryExecutionId)).toBe('SUCCEEDED');
  });

  it('waits while the query is queued and running', async () => {
    await queueResult(['n'], [['1']]);
    await holdQueries(3);
    const waits: number[] = [];
    const result = await run('SELECT 1 AS n', {
      pollMinMs: 10,
      pollMaxMs: 20,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(result.rows).toEqual([{ n: '1' }]);
    // QUEUED for 3 polls, RUNNING for 3, SUCCEEDED: the delay grows to its cap.
    expect(waits.length).toBeGreaterThanOrEqual(6);
    expect(waits.slice(0, 3)).toEqual([10, 15, 20]);
  });

  it('stops the query and throws an AbortError when aborted', async () => {
    await holdQueries(1000);
    const controller = new AbortController();
    let polls = 0;
    const error = await run('SELECT 1', {
      sleep: async (_ms, signal) => {
        if (++polls === 3) controller.abort();
        signal?.throwIfAborted();
      },
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    // StopQueryExecution reached moto.
    expect(await stateOf(await latestQueryId())).toBe('CANCELLED');
  });

  it('reports a query cancelled by someone else, with the workgroup limit as a cause', async () => {
    await holdQueries(1000);
    let polls = 0;
    const error = await run('SELECT 1', {
      sleep: async () => {
        if (++polls === 2) {
          await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: await latestQueryId() }));
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/ended CANCELLED/);
    expect((error as Error).message).toMatch(/per-query data limit/);
  });

  it('names a missing workgroup and the fix', async () => {
    const error = await run('SELECT 1', { workGroup: 'no-such-group' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(/workgroup no-such-group does not exist/);
    expect((error as Error).message).toMatch(/InvalidRequestException: WorkGroup does not exist/);
  });

  it('names the IAM action a denial means', async () => {
    process.env.AWS_ENDPOINT_URL_ATHENA = proxy.url;
    const denied = createAthenaClient(region, DUMMY_CREDENTIALS);
    try {
      proxy.inject(
        awsJsonError(
          'AccessDeniedException',
          'User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: athena:StartQueryExecution',
        ),
      );
      const error = await runAthenaQuery(denied, { sql: 'SELECT 1', workGroup: WORKGROUP }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(/was denied \(AccessDeniedException/);
      expect((error as Error).message).toMatch(
        /The role needs athena:StartQueryExecution on workgroup lattice-cost-report/,
      );
    } finally {
      denied.destroy();
      process.env.AWS_ENDPOINT_URL_ATHENA = moto.url;
    }
  });

  it('carries athenaDayQuery’s rows from DuckDB through moto to the local reader’s day aggregates', async () => {
    const day = '2026-10-01';
    const file = join(work, 'sample.jsonl');
    await writeSampleLog(file, { records: 3000, days: 1, services: 12, startDay: day, gzip: false });
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    // The objects of one delivery day, as the table's partition sees them.
    const folder = join(work, 'logs', ...day.split('-'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'part-0.jsonl'), lines.join('\n') + '\n');

    const duck = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    let columns: string[];
    let rows: Array<Array<string | null>>;
    try {
      await duck.run('CREATE SCHEMA lattice_logs');
      const fields = [...ACCESS_LOG_FIELDS, RESOURCE_CONFIGURATION_FIELD, GRPC_STATUS_FIELD]
        .map((c) => `${c}: 'VARCHAR'`)
        .join(', ');
      await duck.run(`
        CREATE VIEW lattice_logs.access_logs AS
        SELECT * EXCLUDE (filename),
          regexp_extract(filename, '([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) AS ${DELIVERY_DAY_COLUMN}
        FROM read_json('${work}/logs/*/*/*/*.jsonl', format = 'newline_delimited', filename = true,
          columns = {${fields}})`);
      const reader = await duck.runAndReadAll(athenaDayQuery('lattice_logs.access_logs', day));
      // Athena lower-cases column names and gives every value as a string.
      columns = reader.columnNames().map((c) => c.toLowerCase());
      rows = reader.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
    } finally {
      duck.closeSync();
    }
    expect(rows.length).toBeGreaterThan(12);

    await queueResult(columns, rows);
    const result = await run(athenaDayQuery('lattice_logs.access_logs', day));
    expect(result.rows).toHaveLength(rows.length);
    const set = new AggregateSet();
    const problems = noProblems();
    addAthenaRows(result.rows, set, problems);
    boundDayCallers(set.days.values());

    const local = await aggregateLogs([file], { fast: false });
    const snapshot = (s: AggregateSet) =>
      [...s.days.values()]
        .map(dayToJSON)
        .sort((a, b) => (a.serviceArn + a.day < b.serviceArn + b.day ? -1 : 1));
    expect(snapshot(set)).toEqual(snapshot(local.aggregates));
    expect(problems.noDay + problems.invalid + problems.noHour).toBe(local.summary.malformed);
  });
});
