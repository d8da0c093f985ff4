/**
 * Runs one SQL text in Athena and reads its rows: the Athena counterpart of one Logs Insights
 * query in insights.ts (start, poll with a growing delay, stop on abort, errors that name the
 * missing permission or resource). athena-scan.ts runs one per delivery day.
 *
 * Facts, from the Amazon Athena API Reference unless said otherwise:
 * - "GetQueryResults": MaxResults "Valid Range: Minimum value of 1. Maximum value of 1000"; the
 *   caller also needs s3:GetObject on the query results location.
 * - "QueryExecutionStatus": states QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED; a transient
 *   error can move a query from RUNNING back to QUEUED, and "The FAILED state is always terminal".
 * - "AthenaError": ErrorCategory (1 system, 2 user, 3 other), ErrorType, Retryable, ErrorMessage.
 * - User Guide, "Configure per-query and per-workgroup data usage controls": a query over the
 *   workgroup's per-query limit "is canceled", so CANCELLED is not only a user's stop.
 * - "ResultSet" and "Row" say only "The rows in the table": that the first row of a SELECT's
 *   result holds the column names is not in the API reference. The AWS CLI's example for
 *   `athena get-query-results` shows it, and uber/athenadriver's UndocumentedAthena.md says only
 *   DML results have it. ASSUMED therefore, and checked: the first row of the first page is
 *   dropped only when its values are exactly the ColumnInfo names.
 * The run's Athena charge is estimated in athena-scan.ts (athenaCostUsd).
 */
import { randomUUID } from 'node:crypto';
import {
  AthenaClient,
  type ColumnInfo,
  GetQueryExecutionCommand,
  type GetQueryResultsCommandOutput,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  paginateGetQueryResults,
} from '@aws-sdk/client-athena';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DataError, errorMessage } from '../errors.js';
import { clientSettings } from './clients.js';
import { POLICY_DOC, awsCall, describeAwsError, errorName, isAccessDenied } from './errors.js';
import { pollDelays } from './insights.js';
import { sleep as realSleep, withRetry } from './retry.js';

/** One result row: every value a string (Athena's VarCharValue), or null. */
type AthenaResultRow = Record<string, string | null>;

export interface AthenaQueryOptions {
  sql: string;
  workGroup: string;
  /** The database and catalog unqualified table names resolve in; Athena's defaults otherwise. */
  database?: string;
  catalog?: string;
  /** Makes StartQueryExecution idempotent across our retries; one is made when not given. */
  clientRequestToken?: string;
  signal?: AbortSignal;
  /** Poll delay starts here and grows to pollMaxMs (insights.ts pollDelays reads the defaults). */
  pollMinMs?: number;
  pollMaxMs?: number;
  /** For tests: the wait between polls. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (message: string) => void;
}

export interface AthenaQueryResult {
  queryExecutionId: string;
  rows: AthenaResultRow[];
  /** Statistics.DataScannedInBytes of the finished query. */
  bytesScanned: number;
}

/** GetQueryResults' documented maximum rows per page. @testseam */
export const ATHENA_PAGE_ROWS = 1000;

type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/**
 * Athena in the run's region, with the run's retries and credentials (clients.ts); the endpoint is
 * the SDK's, so AWS_ENDPOINT_URL(_ATHENA) redirects it. Made only by runs that read S3 logs.
 */
export function createAthenaClient(region: string, credentials?: Credentials): AthenaClient {
  return new AthenaClient({ region, ...clientSettings(credentials) });
}

/** Where a query runs, for messages. */
function place(options: AthenaQueryOptions): string {
  const database = options.database ? `, database ${options.database}` : '';
  const catalog = options.catalog ? ` (catalog ${options.catalog})` : '';
  return `workgroup ${options.workGroup}${database}${catalog}`;
}

/**
 * An error from an Athena call turned into what to do: a denial names the IAM action; an
 * InvalidRequestException about a missing workgroup or database names it and the fix.
 * @testseam
 */
export function describeAthenaError(
  action: string,
  what: string,
  error: unknown,
  options: Pick<AthenaQueryOptions, 'workGroup' | 'database' | 'catalog'>,
): DataError {
  const name = errorName(error) ?? 'Error';
  const message = errorMessage(error);
  if (isAccessDenied(error)) {
    return new DataError(
      `${what} was denied (${name}: ${message}). The role needs ${action} on workgroup ${options.workGroup}; ${POLICY_DOC}.`,
      { cause: error },
    );
  }
  if (name === 'InvalidRequestException' && /work\s?group/i.test(message)) {
    return new DataError(
      `${what} failed: the Athena workgroup ${options.workGroup} does not exist or is disabled in this region ` +
        `(${name}: ${message}). Create it (with a query results location), or name an existing one.`,
      { cause: error },
    );
  }
  if (name === 'InvalidRequestException' && /database|schema|catalog/i.test(message)) {
    return new DataError(
      `${what} failed: the database ${options.database ?? '(default)'} or catalog ${options.catalog ?? 'AwsDataCatalog'} ` +
        `was not found (${name}: ${message}). Create the Glue database and table, or name existing ones.`,
      { cause: error },
    );
  }
  return describeAwsError(action, what, error);
}

/** An Athena call; a failure becomes describeAthenaError's DataError. */
function athenaCall<T>(
  action: string,
  what: string,
  options: AthenaQueryOptions,
  call: () => Promise<T>,
): Promise<T> {
  return awsCall(action, what, call, (a, w, error) => describeAthenaError(a, w, error, options));
}

/**
 * IAM's wording of a denial ("... is not authorized to perform: glue:GetTable ..."), which Athena
 * passes on in StateChangeReason. ASSUMED from IAM's usual message; not checked on Athena.
 */
const NOT_AUTHORIZED = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)/;

/**
 * The error for a query that ended FAILED or CANCELLED: its state, Athena's reason, and the IAM
 * action or workgroup limit it points to. Pure.
 * @testseam
 */
export function queryEndedError(execution: QueryExecution, options: AthenaQueryOptions): DataError {
  const status = execution.Status ?? {};
  const id = execution.QueryExecutionId ?? '(no id)';
  const athenaError = status.AthenaError;
  const reason = status.StateChangeReason ?? athenaError?.ErrorMessage ?? 'Athena gave no reason';
  const parts = [`The Athena query ${id} in ${place(options)} ended ${status.State}: ${reason}.`];
  if (athenaError?.ErrorCategory !== undefined || athenaError?.ErrorType !== undefined) {
    // "AthenaError": category 1 system, 2 user, 3 other; the type is in the User Guide's Error Type Reference.
    parts.push(
      `(Athena error category ${athenaError.ErrorCategory ?? '?'}, type ${athenaError.ErrorType ?? '?'}.)`,
    );
  }
  const denied = NOT_AUTHORIZED.exec(reason);
  if (denied) parts.push(`The role needs ${denied[1]}; ${POLICY_DOC}.`);
  else if (athenaError?.Retryable) parts.push('Athena says it may succeed if run again.');
  else if (status.State === 'CANCELLED') {
    parts.push("It was stopped, or it scanned more than the workgroup's per-query data limit allows.");
  }
  return new DataError(parts.join(' '));
}

/** The first row of a SELECT's first page, when it is the column names (see the header). */
function isHeader(values: ReadonlyArray<string | undefined>, names: readonly string[]): boolean {
  return values.length === names.length && values.every((value, i) => value === names[i]);
}

/**
 * The records of one GetQueryResults page, keyed by ColumnInfo names; a Datum without
 * VarCharValue is null. `first` drops the header row (ASSUMED, see the file's header). Pure.
 * @testseam
 */
export function pageRows(
  page: Pick<GetQueryResultsCommandOutput, 'ResultSet'>,
  columns: readonly ColumnInfo[],
  first: boolean,
): AthenaResultRow[] {
  const names = columns.map((c, i) => c.Name ?? `_col${i}`);
  const rows = page.ResultSet?.Rows ?? [];
  const records: AthenaResultRow[] = [];
  rows.forEach((row, index) => {
    const data = row.Data ?? [];
    if (
      first &&
      index === 0 &&
      isHeader(
        data.map((d) => d.VarCharValue),
        names,
      )
    )
      return;
    if (data.length > names.length) {
      throw new DataError(
        `An Athena result row has ${data.length} values but the result has ${names.length} columns.`,
      );
    }
    const record: AthenaResultRow = {};
    names.forEach((name, i) => (record[name] = data[i]?.VarCharValue ?? null));
    records.push(record);
  });
  return records;
}

const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/**
 * Runs `sql` in the workgroup to its end and returns every row. FAILED and CANCELLED are errors;
 * on abort the query is stopped and the signal's reason (an AbortError unless the caller gave
 * another) is thrown, as the Insights scan does.
 */
export async function runAthenaQuery(
  athena: AthenaClient,
  options: AthenaQueryOptions,
): Promise<AthenaQueryResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const wait = options.sleep ?? realSleep;
  const { min: pollMin, max: pollMax } = pollDelays(options);
  const token = options.clientRequestToken ?? randomUUID();
  const where = place(options);
  const context = {
    ...(options.database ? { Database: options.database } : {}),
    ...(options.catalog ? { Catalog: options.catalog } : {}),
  };

  // Too many queries at once is TooManyRequestsException (the SDK retries it too); the same token
  // makes a retried start the same query. Not aborted mid-flight: a started query must be known to be stopped.
  const started = await withRetry(
    () =>
      athenaCall('athena:StartQueryExecution', `Starting an Athena query in ${where}`, options, () =>
        athena.send(
          new StartQueryExecutionCommand({
            QueryString: options.sql,
            WorkGroup: options.workGroup,
            ClientRequestToken: token,
            ...(Object.keys(context).length > 0 ? { QueryExecutionContext: context } : {}),
          }),
        ),
      ),
    {
      attempts: 6,
      baseMs: 1000,
      maxMs: 20_000,
      ...(signal ? { signal } : {}),
      sleep: wait,
      isRetryable: (e) => errorName((e as { cause?: unknown }).cause) === 'TooManyRequestsException',
    },
  );
  const queryExecutionId = started.QueryExecutionId;
  if (!queryExecutionId) throw new DataError(`Athena started no query in ${where} (no QueryExecutionId).`);

  /** Polls until the query is finished; returns its last description. */
  const finished = async (): Promise<QueryExecution> => {
    signal?.throwIfAborted();
    for (let delay = pollMin; ; delay = Math.min(pollMax, delay * 1.5)) {
      await wait(delay, signal);
      const output = await athenaCall(
        'athena:GetQueryExecution',
        `Reading the state of Athena query ${queryExecutionId}`,
        options,
        () =>
          athena.send(new GetQueryExecutionCommand({ QueryExecutionId: queryExecutionId }), {
            abortSignal: signal,
          }),
      );
      const execution = output.QueryExecution ?? {};
      if (FINISHED.has(execution.Status?.State ?? '')) return execution;
    }
  };
  const execution = await finished().catch(async (error: unknown) => {
    // Aborted, or no longer watchable: a query left running would go on scanning, and billing.
    await stop(athena, queryExecutionId, options);
    if (signal?.aborted) throw signal.reason;
    throw error;
  });

  const bytesScanned = execution.Statistics?.DataScannedInBytes ?? 0;
  if (execution.Status?.State !== 'SUCCEEDED') {
    throw queryEndedError({ QueryExecutionId: queryExecutionId, ...execution }, options);
  }

  const rows: AthenaResultRow[] = [];
  let columns: ColumnInfo[] | undefined;
  try {
    const pages = paginateGetQueryResults(
      { client: athena, pageSize: ATHENA_PAGE_ROWS },
      { QueryExecutionId: queryExecutionId },
      { abortSignal: signal },
    );
    let first = true;
    for await (const page of pages) {
      // Every page carries the metadata; the first page's is kept should a later one lack it.
      columns ??= page.ResultSet?.ResultSetMetadata?.ColumnInfo;
      for (const row of pageRows(page, columns ?? [], first)) rows.push(row);
      first = false;
    }
  } catch (error) {
    // An abort mid-request says why the run stopped, not the SDK's "Request aborted".
    signal?.throwIfAborted();
    if (error instanceof DataError) throw error;
    throw describeAthenaError(
      'athena:GetQueryResults, and s3:GetObject on the query results location,',
      `Reading the results of Athena query ${queryExecutionId}`,
      error,
      options,
    );
  }
  options.log?.(
    `Athena query ${queryExecutionId} in ${where}: ${rows.length} rows, ${bytesScanned} bytes scanned.`,
  );
  return { queryExecutionId, rows, bytesScanned };
}

/** StopQueryExecution, best effort: the error that led here is the one to report. */
async function stop(
  athena: AthenaClient,
  queryExecutionId: string,
  options: AthenaQueryOptions,
): Promise<void> {
  try {
    await awsCall('athena:StopQueryExecution', `Stopping Athena query ${queryExecutionId}`, () =>
      athena.send(new StopQueryExecutionCommand({ QueryExecutionId: queryExecutionId })),
    );
  } catch (error) {
    options.log?.(errorMessage(error));
  }
}
