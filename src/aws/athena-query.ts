/**
 * The Athena query that turns one day's objects of access logs delivered to S3 into day
 * aggregates, and the reading of its rows. Pure: nothing here calls AWS.
 *
 * It is the Logs Insights query (insights-query.ts) in SQL: the same result columns and `shape`,
 * grouped by the raw values that classify a record, and its rows are read by the same
 * addAggregateRow, which classifies each with the local reader's toRecord. So every class, status,
 * missing value, histogram bucket and caller has one definition; the SQL only checks numbers
 * (whole, in range), cuts startTime into its day and hour, and keeps the validated caller parts.
 *
 * The table (a later slice makes it): a Glue table over the JSON lines Lattice delivers, every
 * access-log field declared `string`, and the partition column DELIVERY_DAY_COLUMN, the UTC date
 * of the object's key as `YYYY/MM/DD`. VPC Lattice User Guide, "Access logs" (monitoring-access-logs
 * .html, "Access log destinations"): Lattice "typically delivers logs to Amazon S3 within 6
 * minutes", and the console asks for "the S3 bucket path, including any prefix" ("Edit monitoring
 * details for a VPC Lattice service"). The key layout below the prefix could not be read in any
 * documentation searched here. ASSUMED, as for other vended logs to S3:
 *   <prefix>/AWSLogs/<account-id>/VpcLattice/AccessLogs/<region>/<yyyy>/<mm>/<dd>/<object>.log.gz
 * with the date the delivery's; check it on a real bucket before the DDL slice relies on it.
 * Because the date is the delivery's, a record that started before midnight can be in the next
 * day's objects: like one Insights chunk (insights.ts), one day's query gives rows for every
 * startTime day in it, and a day is complete once the next day's query is in too.
 *
 * SQL that Athena engine v3 (Trino) and DuckDB both run, where they differ:
 * - No `regexp_like` in DuckDB ("Regular Expressions", duckdb.org: regexp_matches and
 *   regexp_full_match instead), and DuckDB's `regexp_extract` returns "the empty string" where
 *   Trino's gives NULL for no match. A match is tested as `coalesce(regexp_extract(...), '') <> ''`
 *   (no pattern here matches an empty text) and an extracted part goes through nullif(..., '').
 * - Regex dialects: Trino uses "the Java pattern syntax" with exceptions (Trino "Regular expression
 *   functions"), DuckDB RE2 ("Regular Expression Syntax"). Patterns use only what both read alike:
 *   explicit classes ([0-9], never \d or \s, whose sets differ), `\A` and `\z` for the ends of the
 *   text (Java's `$` also matches before a final line break; JavaScript's, which toRecord uses,
 *   does not). Assumed: both take `\A`, `\z` and literal non-ASCII characters in a class (seen in
 *   DuckDB by the test; Java's Pattern documents them).
 * - Number literals: `0.0001` is a DECIMAL in both; every fractional constant is written with an
 *   exponent, which both read as DOUBLE (Trino "Data types", DOUBLE literals; DuckDB "Numeric
 *   types"), so ln and ceil run on doubles in both.
 * - try_cast (Trino "Conversion functions": "Like cast, but returns null if the cast fails"; DuckDB
 *   "Casting", TRY_CAST) is given only the text a strict pattern accepted, so what else each
 *   engine's cast would accept (Java's "1d", DuckDB's spaces) never matters.
 * - count_if, ln, ceil, greatest, floor, substr, coalesce and nullif exist with these meanings in
 *   both (Trino "Aggregate functions", "Mathematical functions", "String functions"; DuckDB
 *   "Aggregate Functions", "Numeric Functions", "Text Functions").
 * - Identifiers: Athena lower-cases column names ("Names for tables, databases, and columns"), so
 *   addAthenaRows reads result columns whatever their case; every identifier is double-quoted.
 * Sums are doubles, as the local reader's are: exact while a day's total stays below 2^53 (the
 * test keeps to that; past it no engine is exact, and they round in different orders).
 * Known difference: an object or array in authDeniedReason is a malformed line to the local reader,
 * but a `string` column holds its JSON text, so here it counts as denied (Lattice writes a string).
 * Assumed, not checked on Athena: Trino's ln is within an ulp of V8's Math.log, as the Insights
 * bucket already assumes (a bucket boundary exactly between them would move one sample).
 */
import { createHash } from 'node:crypto';
import type { AggregateSet, SourceProblems } from '../model/aggregate.js';
import { isIsoDay } from '../model/dates.js';
import { BUCKET_SCALE, MIN_DURATION } from '../model/histogram.js';
import { GRPC_STATUS_FIELD, MISSING_TEXTS, RESOURCE_CONFIGURATION_FIELD } from '../model/record.js';
import {
  CALLER_PRINCIPAL,
  CALLER_VPC,
  CHECKED_NUMBERS,
  HOURS,
  addAggregateRow,
  hourColumn,
} from './insights-query.js';

/** The table's partition column: the UTC day of the objects' keys, as `YYYY/MM/DD`. */
export const DELIVERY_DAY_COLUMN = 'delivery_day';

/** The partition value of a UTC day (YYYY-MM-DD). @testseam */
export function deliveryDay(day: string): string {
  return day.replaceAll('-', '/');
}

/** One result row as Athena's GetQueryResults gives it: every value a string, or null. */
export type AthenaRow = Readonly<Record<string, string | null | undefined>>;

/**
 * JavaScript's `\s` (WhiteSpace and LineTerminator), which toRecord's number pattern allows around
 * a number: listed, since `\s` means other sets in Java and RE2.
 */
const JS_SPACE = '\t\n\u000b\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
/** toRecord's NUMERIC, the number in group 1. */
const NUMBER = `[${JS_SPACE}]*([+-]?(?:[0-9]+[.]?[0-9]*|[.][0-9]+)(?:[eE][+-]?[0-9]+)?)[${JS_SPACE}]*`;
/** model/record.ts UTC_SECOND with its range checks: hour 00-23, minute 00-59, second 00-60. */
const UTC_TIME =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:[.][0-9]+)?Z';
/** model/callers.ts VPC_ARN: a value that matches goes to callerKey, which decides. */
const VPC_ARN = 'arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:vpc/vpc-[0-9a-f]{8,17}';
/** model/callers.ts PRINCIPAL_ARN: only this prefix reaches a row, so a session name never does. */
const PRINCIPAL_PREFIX = 'arn:aws[a-z-]*:(?:iam|sts)::[0-9]{12}:';

const id = (name: string): string => `"${name}"`;
const text = (value: string): string => `'${value.replaceAll("'", "''")}'`;
/** A double literal both engines read as DOUBLE, exactly `value`. */
const double = (value: number): string => value.toExponential(16);
/** The whole of `expr` matches `pattern`. */
const matches = (expr: string, pattern: string): string =>
  `coalesce(regexp_extract(${expr}, ${text(`\\A(?:${pattern})\\z`)}), '') <> ''`;

/** The same test as model/record.ts isMissing. */
const missing = (field: string): string =>
  `(${id(field)} IS NULL OR ${id(field)} IN (${MISSING_TEXTS.map(text).join(', ')}))`;
const missingColumn = (field: string): string => id(`no_${field}`);
const numberColumn = (field: string): string => id(`n_${field}`);

/** Athena table names: `table` or `database.table`, of the characters Glue allows. */
const TABLE_NAME = /^[a-z0-9_]{1,255}(?:\.[a-z0-9_]{1,255})?$/;

/**
 * The query over the objects delivered on `day` (UTC, YYYY-MM-DD): one row per service, startTime
 * day, class-deciding values, latency bucket and caller, with the columns addAggregateRow reads.
 */
export function athenaDayQuery(table: string, day: string): string {
  if (!TABLE_NAME.test(table)) throw new Error(`not an Athena table name: ${JSON.stringify(table)}`);
  if (!isIsoDay(day)) throw new Error(`not a UTC day (YYYY-MM-DD): ${JSON.stringify(day)}`);
  const denied = 'authDeniedReason';
  const has = (f: string): string => `NOT ${missingColumn(f)}`;
  const whole = ([f, max]: (typeof CHECKED_NUMBERS)[number]): string =>
    `(${missingColumn(f)} OR (${numberColumn(f)} >= 0 AND ${numberColumn(f)} <= ${max} AND floor(${numberColumn(f)}) = ${numberColumn(f)}))`;
  const bit = (condition: string, value: number): string => `CASE WHEN ${condition} THEN ${value} ELSE 0 END`;
  const valid = CHECKED_NUMBERS.map(whole).join(' AND ');
  const raw = [
    'serviceArn',
    RESOURCE_CONFIGURATION_FIELD,
    'listenerType',
    'responseCode',
    GRPC_STATUS_FIELD,
  ].map(id);

  const fields = [
    ...raw,
    `CASE WHEN ${matches(id('startTime'), UTC_TIME)} THEN ${id('startTime')} END AS ${id('t')}`,
    `CASE WHEN ${matches(id('sourceVpcArn'), VPC_ARN)} THEN ${id('sourceVpcArn')} END AS ${id(CALLER_VPC)}`,
    `nullif(regexp_extract(${id('callerPrincipal')}, ${text(`\\A${PRINCIPAL_PREFIX}`)}), '') AS ${id(CALLER_PRINCIPAL)}`,
    ...[...CHECKED_NUMBERS.map(([f]) => f), denied].map((f) => `${missing(f)} AS ${missingColumn(f)}`),
    ...CHECKED_NUMBERS.map(
      ([f]) =>
        `CASE WHEN ${matches(id(f), NUMBER)} THEN try_cast(regexp_extract(${id(f)}, ${text(`\\A${NUMBER}\\z`)}, 1) AS double) END AS ${numberColumn(f)}`,
    ),
  ];
  const shaped = [
    ...raw,
    id(CALLER_VPC),
    id(CALLER_PRINCIPAL),
    // The day's parts and the hour of a startTime of toRecord's form; the day's validity is checked on the row.
    `substr(${id('t')}, 1, 4) AS ${id('year')}`,
    `substr(${id('t')}, 6, 2) AS ${id('month')}`,
    `substr(${id('t')}, 9, 2) AS ${id('dom')}`,
    `substr(${id('t')}, 12, 2) AS ${id('hour')}`,
    // Whether a request was denied, not why: each reason text would be rows of its own.
    [
      bit(has(denied), 16),
      bit(valid, 8),
      bit(has('duration'), 1),
      bit(has('bytesReceived'), 2),
      bit(has('bytesSent'), 4),
    ].join(' + ') + ` AS ${id('shape')}`,
    // Only of a valid duration: nothing else reaches ln (a huge or negative one would not be a bucket).
    `CASE WHEN ${has('duration')} AND ${whole(CHECKED_NUMBERS[0])} THEN ceil(ln(greatest(${numberColumn('duration')}, ${double(MIN_DURATION)})) * ${double(BUCKET_SCALE)}) END AS ${id('bucket')}`,
    ...['duration', 'bytesReceived', 'bytesSent'].map(numberColumn),
  ];
  const keys = [
    ...raw.slice(0, 2),
    id('year'),
    id('month'),
    id('dom'),
    id('shape'),
    ...raw.slice(2),
    id('bucket'),
    id(CALLER_VPC),
    id(CALLER_PRINCIPAL),
  ];
  const totals = [
    `count(*) AS ${id('requests')}`,
    `sum(${numberColumn('bytesReceived')}) AS ${id('bytesIn')}`,
    `sum(${numberColumn('bytesSent')}) AS ${id('bytesOut')}`,
    `sum(${numberColumn('duration')}) AS ${id('durationSum')}`,
    `min(${numberColumn('duration')}) AS ${id('durationMin')}`,
    `max(${numberColumn('duration')}) AS ${id('durationMax')}`,
    ...HOURS.map(
      (h) => `count_if(${id('hour')} = ${text(String(h).padStart(2, '0'))}) AS ${id(hourColumn(h))}`,
    ),
  ];
  return [
    'WITH parsed AS (',
    `  SELECT ${fields.join(',\n    ')}`,
    `  FROM ${table}`,
    `  WHERE ${id(DELIVERY_DAY_COLUMN)} = ${text(deliveryDay(day))}`,
    '), shaped AS (',
    `  SELECT ${shaped.join(',\n    ')}`,
    '  FROM parsed',
    ')',
    `SELECT ${[...keys, ...totals].join(',\n  ')}`,
    'FROM shaped',
    `GROUP BY ${keys.join(', ')}`,
  ].join('\n');
}

/**
 * Names how the S3 path makes day aggregates (the query, and with it the histogram and classes),
 * so cache entries of another version are never mixed in.
 */
export const ATHENA_FINGERPRINT = createHash('sha256')
  .update(athenaDayQuery('t', '2000-01-01'))
  .digest('hex')
  .slice(0, 16);

/** The result columns by their lower-case names: Athena gives them lower-cased. */
const COLUMNS = new Map(
  [
    'serviceArn',
    RESOURCE_CONFIGURATION_FIELD,
    'year',
    'month',
    'dom',
    'shape',
    'listenerType',
    'responseCode',
    GRPC_STATUS_FIELD,
    'bucket',
    CALLER_VPC,
    CALLER_PRINCIPAL,
    'requests',
    'bytesIn',
    'bytesOut',
    'durationSum',
    'durationMin',
    'durationMax',
    ...HOURS.map(hourColumn),
  ].map((name) => [name.toLowerCase(), name]),
);

/**
 * Adds the rows of one athenaDayQuery result to `into`, as the Insights rows are added. Bound each
 * day's callers (boundDayCallers) once every query that can hold the day is in.
 */
export function addAthenaRows(rows: Iterable<AthenaRow>, into: AggregateSet, problems: SourceProblems): void {
  for (const row of rows) {
    const fields = new Map<string, string>();
    for (const [column, value] of Object.entries(row)) {
      const name = COLUMNS.get(column.toLowerCase());
      // NULL (no value, or a sum of none) is an absent field, as in an Insights row.
      if (name !== undefined && value !== null && value !== undefined) fields.set(name, value);
    }
    addAggregateRow(fields, into, problems);
  }
}
