/**
 * The Glue table Athena reads access logs delivered to S3 through: its definition (pure, shared
 * with provision/lattice-analytics.yaml, whose table the provision test compares with it) and the
 * check of an existing one against the key layout found in the bucket.
 *
 * Facts, from the Amazon Athena User Guide unless said otherwise:
 * - "Partition projection with Amazon Athena" / "Supported types for partition projection": a
 *   table with `projection.enabled` computes its partitions from table properties instead of the
 *   Glue catalog; `enum` takes comma-separated `values`; `date` takes a Java DateTimeFormatter
 *   `format`, a `range` whose end may be `NOW`, and `interval` with `interval.unit`;
 *   `storage.location.template` places each partition, `${column}` replaced by its value.
 * - "OpenX JSON SerDe": `case.insensitive` (default TRUE) matches lower-case columns to keys of
 *   any case; `ignore.malformed.json` makes a malformed line a row of NULLs instead of a failed
 *   query.
 * ASSUMED (not in any documentation read here): a JSON number read into a `string` column gives
 * its text, as the DuckDB stand-in in the tests does; and keys of a day are under
 * `<root>YYYY/MM/DD/`, found at run time (s3-logs.ts discoverDayRoots), so a wrong guess about
 * the layout is a warning that names the roots, never a silent gap.
 */
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetDatabaseCommand,
  GetTableCommand,
  GlueClient,
  type Table,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { DataError } from '../errors.js';
import { ACCESS_LOG_FIELDS, GRPC_STATUS_FIELD, RESOURCE_CONFIGURATION_FIELD } from '../model/record.js';
import { DELIVERY_DAY_COLUMN } from './athena-query.js';
import { clientSettings } from './clients.js';
import { awsCall, errorName } from './errors.js';

/** The partition column naming the key prefix a day's folders are under (one per account and region). @testseam */
export const LOG_ROOT_COLUMN = 'log_root';
/** Table property set on tables this tool created: only those does it update. @testseam */
export const MANAGED_PROPERTY = 'lattice_cost_report.managed';
/** The first day partition projection offers; older days are simply never asked for. */
const FIRST_DAY = '2023/01/01';

/** Every field the queries read, as the table's columns: all `string`, lower-case as Glue keeps them. @testseam */
export const TABLE_COLUMNS = [...ACCESS_LOG_FIELDS, RESOURCE_CONFIGURATION_FIELD, GRPC_STATUS_FIELD].map(
  (field) => field.toLowerCase(),
);

export interface S3Location {
  bucket: string;
  /** '' or ending with '/'. */
  prefix: string;
}

export function s3Uri(location: S3Location, key = location.prefix): string {
  return `s3://${location.bucket}/${key}`;
}

/** The `storage.location.template` of a table over `bucket`. @testseam */
export function locationTemplate(bucket: string): string {
  return `s3://${bucket}/\${${LOG_ROOT_COLUMN}}\${${DELIVERY_DAY_COLUMN}}/`;
}

/**
 * The table over `location` whose log roots are `roots` (keys relative to the bucket, each ending
 * with '/'). `managed`: made by this tool, so later runs may add roots to it.
 * @testseam
 */
export function accessLogTableInput(
  name: string,
  location: S3Location,
  roots: readonly string[],
  managed: boolean,
): TableInput {
  return {
    Name: name,
    Description:
      'VPC Lattice access logs delivered to S3, one partition per log root and delivery day (UTC).',
    TableType: 'EXTERNAL_TABLE',
    PartitionKeys: [
      { Name: LOG_ROOT_COLUMN, Type: 'string' },
      { Name: DELIVERY_DAY_COLUMN, Type: 'string' },
    ],
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: 'json',
      'projection.enabled': 'true',
      [`projection.${LOG_ROOT_COLUMN}.type`]: 'enum',
      [`projection.${LOG_ROOT_COLUMN}.values`]: roots.join(','),
      [`projection.${DELIVERY_DAY_COLUMN}.type`]: 'date',
      [`projection.${DELIVERY_DAY_COLUMN}.format`]: 'yyyy/MM/dd',
      [`projection.${DELIVERY_DAY_COLUMN}.range`]: `${FIRST_DAY},NOW`,
      [`projection.${DELIVERY_DAY_COLUMN}.interval`]: '1',
      [`projection.${DELIVERY_DAY_COLUMN}.interval.unit`]: 'DAYS',
      'storage.location.template': locationTemplate(location.bucket),
      ...(managed ? { [MANAGED_PROPERTY]: 'true' } : {}),
    },
    StorageDescriptor: {
      Columns: TABLE_COLUMNS.map((Name) => ({ Name, Type: 'string' })),
      Location: s3Uri(location),
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'case.insensitive': 'TRUE', 'ignore.malformed.json': 'TRUE' },
      },
    },
  };
}

/** The roots a table's projection offers; empty when it has none. @testseam */
export function tableRoots(parameters: Readonly<Record<string, string>> | undefined): string[] {
  const values = parameters?.[`projection.${LOG_ROOT_COLUMN}.values`] ?? '';
  return values
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function createGlueClient(
  region: string,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): GlueClient {
  return new GlueClient({ region, ...clientSettings(credentials) });
}

export interface TableRequest {
  database: string;
  table: string;
  location: S3Location;
  /** The roots found in the bucket (s3-logs.ts discoverDayRoots). */
  roots: readonly string[];
  /** false when discovery stopped at its bound: roots may be missing from `roots`. */
  rootsComplete: boolean;
  /** create-athena-table: make what is missing, and keep a table made so up to date. */
  create: boolean;
}

export interface TableState {
  /** The roots the Athena queries read: in the table, and found in the bucket when the list is complete. */
  roots: string[];
  created: boolean;
  updated: boolean;
  warnings: string[];
}

const isMissing = (error: unknown): boolean =>
  errorName((error as { cause?: unknown }).cause ?? error) === 'EntityNotFoundException';

const isTaken = (error: unknown): boolean =>
  errorName((error as { cause?: unknown }).cause ?? error) === 'AlreadyExistsException';

const SETUP_FIX =
  'Deploy provision/lattice-analytics.yaml with AccessLogDestination S3, or set create-athena-table: true';

/**
 * Checks the table over the access logs, or makes it (`create`), so every day query reads what
 * the bucket holds: a table of another layout is an error, and roots the table lacks are added
 * (a table this tool made) or named in a warning (any other: its owner decides).
 */
export async function ensureAccessLogTable(glue: GlueClient, request: TableRequest): Promise<TableState> {
  const { database, table, location, roots } = request;
  const name = `${database}.${table}`;
  const warnings: string[] = [];
  let found: Table | undefined;
  try {
    found = (
      await awsCall('glue:GetTable', `Reading the Glue table ${name}`, () =>
        glue.send(new GetTableCommand({ DatabaseName: database, Name: table })),
      )
    ).Table;
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  if (!found) {
    if (!request.create) {
      throw new DataError(
        `The Athena table ${name} does not exist. ${SETUP_FIX} (the role then needs glue:CreateTable).`,
      );
    }
    if (roots.length === 0) return { roots: [], created: false, updated: false, warnings };
    await createDatabase(glue, database);
    try {
      await awsCall('glue:CreateTable', `Creating the Glue table ${name}`, () =>
        glue.send(
          new CreateTableCommand({
            DatabaseName: database,
            TableInput: accessLogTableInput(table, location, roots, true),
          }),
        ),
      );
    } catch (error) {
      // Another run made it meanwhile: check that one.
      if (isTaken(error)) return ensureAccessLogTable(glue, request);
      throw error;
    }
    return { roots: [...roots], created: true, updated: false, warnings };
  }

  const parameters = found.Parameters ?? {};
  const managed = parameters[MANAGED_PROPERTY] === 'true';
  const template = parameters['storage.location.template'];
  const columns = new Set((found.StorageDescriptor?.Columns ?? []).map((c) => c.Name?.toLowerCase()));
  const lacking = TABLE_COLUMNS.filter((c) => !columns.has(c));
  if (template !== locationTemplate(location.bucket) || lacking.length > 0) {
    const what =
      template !== locationTemplate(location.bucket)
        ? `places its partitions at ${JSON.stringify(template ?? '(no storage.location.template)')}, not ${locationTemplate(location.bucket)}`
        : `lacks the columns ${lacking.join(', ')}`;
    throw new DataError(
      `The Athena table ${name} ${what}, so it cannot read ${s3Uri(location)} as this report needs. ` +
        `Name another table in athena-table (with create-athena-table: true it is made), or redeploy provision/lattice-analytics.yaml.`,
    );
  }
  const inTable = tableRoots(parameters);
  const missing = roots.filter((r) => !inTable.includes(r));
  let updated = false;
  let read = request.rootsComplete ? inTable.filter((r) => roots.includes(r)) : inTable;
  if (missing.length > 0 && managed && request.create) {
    const all = [...new Set([...inTable, ...roots])].sort();
    await awsCall('glue:UpdateTable', `Adding log roots to the Glue table ${name}`, () =>
      glue.send(
        new UpdateTableCommand({
          DatabaseName: database,
          TableInput: accessLogTableInput(table, location, all, true),
        }),
      ),
    );
    updated = true;
    read = request.rootsComplete ? all.filter((r) => roots.includes(r)) : all;
  } else if (missing.length > 0) {
    warnings.push(
      `${missing.length} log root(s) under ${s3Uri(location)} are not in the Athena table ${name}, so their records are not in this report: ` +
        `${missing.join(', ')}. Add them to the table's projection.${LOG_ROOT_COLUMN}.values (the AccessLogRoots parameter of provision/lattice-analytics.yaml).`,
    );
  }
  return { roots: read, created: false, updated, warnings };
}

async function createDatabase(glue: GlueClient, database: string): Promise<void> {
  try {
    await awsCall('glue:GetDatabase', `Reading the Glue database ${database}`, () =>
      glue.send(new GetDatabaseCommand({ Name: database })),
    );
  } catch (error) {
    if (!isMissing(error)) throw error;
    await awsCall('glue:CreateDatabase', `Creating the Glue database ${database}`, () =>
      glue.send(
        new CreateDatabaseCommand({
          DatabaseInput: { Name: database, Description: 'VPC Lattice access logs, for lattice-cost-report' },
        }),
      ),
    ).catch((created: unknown) => {
      if (!isTaken(created)) throw created;
    });
  }
}
