/**
 * What moto cannot show (test/integration/athena-client.test.ts says why): result pages after the
 * first, and the FAILED state. An AthenaClient whose `send` answers from a script stands in for
 * Athena; it must be a real AthenaClient, since the SDK's paginator checks the class.
 */
import { describe, expect, it } from '@jest/globals';
import { AthenaClient, type GetQueryResultsCommandOutput, type QueryExecution } from '@aws-sdk/client-athena';
import { pageRows, queryEndedError, runAthenaQuery } from '../../src/aws/athena.js';
import { DataError } from '../../src/errors.js';

const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

interface Call {
  command: string;
  input: Record<string, unknown>;
}

/** An AthenaClient answering each command by name; every call is recorded. */
function scriptedAthena(answer: (call: Call) => unknown): { client: AthenaClient; calls: Call[] } {
  const client = new AthenaClient({ region: 'us-east-1', credentials: CREDENTIALS });
  const calls: Call[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const call = { command: command.constructor.name, input: { ...command.input } };
    calls.push(call);
    return answer(call);
  };
  (client as unknown as { send: typeof send }).send = send;
  return { client, calls };
}

const columns = ['service', 'requests'].map((Name) => ({ Name, Type: 'varchar' }));
const row = (...values: Array<string | null>) => ({
  Data: values.map((v) => (v === null ? {} : { VarCharValue: v })),
});

function page(rows: ReturnType<typeof row>[], next?: string): GetQueryResultsCommandOutput {
  return {
    $metadata: {},
    ResultSet: { ResultSetMetadata: { ColumnInfo: columns }, Rows: rows },
    ...(next ? { NextToken: next } : {}),
  };
}

const ended = (execution: QueryExecution) => ({ QueryExecution: { QueryExecutionId: 'q-1', ...execution } });
const options = {
  workGroup: 'wg',
  database: 'lattice_logs',
  pollMinMs: 1,
  pollMaxMs: 1,
  sleep: async () => {},
};

describe('runAthenaQuery', () => {
  it('reads every page, the header only from the first, and keeps the bytes scanned', async () => {
    const pages: Record<string, GetQueryResultsCommandOutput> = {
      first: page([row('service', 'requests'), row('a', '1'), row('b', null)], 'p2'),
      p2: page([row('c', '3'), row('service', 'requests')], 'p3'),
      p3: page([row('d', '4')]),
    };
    const { client, calls } = scriptedAthena(({ command, input }) => {
      if (command === 'StartQueryExecutionCommand') return { QueryExecutionId: 'q-1' };
      if (command === 'GetQueryExecutionCommand') {
        return ended({ Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 12_345_678 } });
      }
      return pages[(input.NextToken as string | undefined) ?? 'first'];
    });
    const result = await runAthenaQuery(client, { ...options, sql: 'SELECT 1' });
    expect(result).toEqual({
      queryExecutionId: 'q-1',
      bytesScanned: 12_345_678,
      rows: [
        { service: 'a', requests: '1' },
        { service: 'b', requests: null },
        { service: 'c', requests: '3' },
        // A later page's row equal to the names is data, not a header.
        { service: 'service', requests: 'requests' },
        { service: 'd', requests: '4' },
      ],
    });
    const start = calls[0]!.input;
    expect(start).toMatchObject({
      QueryString: 'SELECT 1',
      WorkGroup: 'wg',
      QueryExecutionContext: { Database: 'lattice_logs' },
    });
    expect(String(start.ClientRequestToken)).toMatch(/^[0-9a-f-]{36}$/);
    const reads = calls.filter((c) => c.command === 'GetQueryResultsCommand').map((c) => c.input);
    expect(reads.map((r) => r.MaxResults)).toEqual([1000, 1000, 1000]);
    expect(reads.map((r) => r.NextToken)).toEqual([undefined, 'p2', 'p3']);
  });

  it('turns FAILED into an error with the state, Athena’s reason and the missing permission', async () => {
    const { client, calls } = scriptedAthena(({ command }) =>
      command === 'StartQueryExecutionCommand'
        ? { QueryExecutionId: 'q-1' }
        : ended({
            Status: {
              State: 'FAILED',
              StateChangeReason:
                'Insufficient permissions to execute the query. User: arn:aws:sts::111122223333:assumed-role/r/s is not authorized to perform: glue:GetTable on resource: x',
              AthenaError: { ErrorCategory: 2, ErrorType: 1003, Retryable: false },
            },
          }),
    );
    const error = await runAthenaQuery(client, { ...options, sql: 'SELECT 1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(
      /^The Athena query q-1 in workgroup wg, database lattice_logs ended FAILED: Insufficient/,
    );
    expect((error as Error).message).toMatch(/category 2, type 1003/);
    expect((error as Error).message).toMatch(/The role needs glue:GetTable; see "IAM policy"/);
    // A finished query is not stopped, and its results are not read.
    expect(calls.map((c) => c.command)).toEqual(['StartQueryExecutionCommand', 'GetQueryExecutionCommand']);
  });

  it('stops a query it can no longer watch', async () => {
    const { client, calls } = scriptedAthena(({ command }) => {
      if (command === 'StartQueryExecutionCommand') return { QueryExecutionId: 'q-1' };
      if (command === 'GetQueryExecutionCommand')
        throw Object.assign(new Error('no'), { name: 'AccessDeniedException' });
      return {};
    });
    const error = await runAthenaQuery(client, { ...options, sql: 'SELECT 1' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/The role needs athena:GetQueryExecution/);
    expect(calls.map((c) => c.command)).toContain('StopQueryExecutionCommand');
  });
});

describe('queryEndedError', () => {
  it('says when Athena thinks a rerun may succeed', () => {
    const error = queryEndedError(
      {
        QueryExecutionId: 'q',
        Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'busy', Retryable: true } },
      },
      { sql: '', workGroup: 'wg' },
    );
    expect(error.message).toBe(
      'The Athena query q in workgroup wg ended FAILED: busy. Athena says it may succeed if run again.',
    );
  });
});

describe('pageRows', () => {
  it('keeps a first row that is not the column names, and refuses a row longer than the columns', () => {
    expect(pageRows(page([row('a', '1')]), columns, true)).toEqual([{ service: 'a', requests: '1' }]);
    expect(pageRows(page([row('a')]), columns, false)).toEqual([{ service: 'a', requests: null }]);
    expect(() => pageRows(page([row('a', '1', 'x')]), columns, false)).toThrow(
      /3 values but the result has 2 columns/,
    );
  });
});
