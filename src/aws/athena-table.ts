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
import type { TableInput } from '@aws-sdk/client-glue';
import { ACCESS_LOG_FIELDS, GRPC_STATUS_FIELD, RESOURCE_CONFIGURATION_FIELD } from '../model/record.js';
import { DELIVERY_DAY_COLUMN } from './athena-query.js';

/** The partition column naming the key prefix a day's folders are under (one per account and region). */
export const LOG_ROOT_COLUMN = 'log_root';
/** Table property set on tables this tool created: only those does it update. */
export const MANAGED_PROPERTY = 'lattice_cost_report.managed';
/** The first day partition projection offers; older days are simply never asked for. */
const FIRST_DAY = '2023/01/01';

/** Every field the queries read, as the table's columns: all `string`, lower-case as Glue keeps them. */
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

/** The `storage.location.template` of a table over `bucket`. */
export function locationTemplate(bucket: string): string {
  return `s3://${bucket}/\${${LOG_ROOT_COLUMN}}\${${DELIVERY_DAY_COLUMN}}/`;
}

/**
 * The table over `location` whose log roots are `roots` (keys relative to the bucket, each ending
 * with '/'). `managed`: made by this tool, so later runs may add roots to it.
 */
export function accessLogTableInput(
  name: string,
  location: S3Location,
  roots: readonly string[],
  managed: boolean,
): TableInput {
  return {
    Name: name,
    Description: 'VPC Lattice access logs delivered to S3, one partition per log root and delivery day (UTC).',
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

/** The roots a table's projection offers; empty when it has none. */
export function tableRoots(parameters: Readonly<Record<string, string>> | undefined): string[] {
  const values = parameters?.[`projection.${LOG_ROOT_COLUMN}.values`] ?? '';
  return values
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
