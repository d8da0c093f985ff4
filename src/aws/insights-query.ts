/**
 * The one Logs Insights query that turns access logs into day aggregates, and the reading of its
 * rows. One query per time chunk, so every log byte is scanned once.
 *
 * Rows are grouped by the raw values that classify a record (model/record.ts) and by latency
 * bucket; addRows classifies each row with the local reader's own toRecord, so both engines share
 * one definition of every class, status and missing value. Only the hour is a sum() column per
 * value, because grouping by it would multiply the rows by 24.
 *
 * What each part relies on, from the CloudWatch Logs Insights documentation (query syntax pages):
 * - `parse` with a regular expression and named groups; a line it does not match gets no fields.
 * - "Comparison operators accept all data types as arguments and return a boolean result", and a
 *   boolean sums as 1 (the documented example `fields ispresent(resolverArn) as isRes` summed).
 *   The hour columns are such sums of a comparison on the parsed text, not arithmetic on it.
 * - `ispresent(field)` "returns true if the field exists"; Lattice writes "-" for a missing value,
 *   which is present, so a missing value is tested by both (isMissing's one rule).
 * - count(*) "counts all events"; sum/min/max take numeric fields. Durations and bytes are summed
 *   only in rows whose `shape` says every one of them is a number, and a row's bucket is used only
 *   when its durations are numbers, so nothing rests on arithmetic over "-" (e.g. greatest("-", x)).
 * - Callers (CWL_QuerySyntax-Parse.html, "Named capturing groups"): `parse <field> /(?<Name>pattern)/`
 *   extracts into a new field, and "if a log event doesn't match the specified pattern, you still
 *   see it in the results, but without the extracted fields". Two parse commands take only the
 *   validated start of sourceVpcArn and callerPrincipal, so rows multiply by callers, not by raw
 *   texts (a session name never reaches a row), and addRows feeds them to the same callerKey as
 *   the local reader.
 * - authDeniedReason enters only as a bit of `shape` (present or not): toRecord reads nothing else
 *   of it, and each reason text would otherwise be rows of its own.
 * Assumed (not documented): a boolean used in arithmetic is 1 or 0 (`shape`). If it is not, `shape`
 * comes back empty and those records are counted as unreadable: a warning, not a number. The regex
 * dialect is Java's ("Supported regular expressions (regex) syntax" names no dialect); the caller
 * patterns use no `$` (whose Java meaning differs from JavaScript's before a final line break):
 * the VPC pattern takes one character more than a valid ARN has, so callerKey's anchored test
 * rejects a longer value as the local reader does.
 */
import { createHash } from 'node:crypto';
import {
  type AggregateSet,
  type SourceProblems,
  countRecords,
  emptyDay,
  serverErrors,
} from '../model/aggregate.js';
import {
  GRPC_STATUS_FIELD,
  MISSING_TEXTS,
  NUMBER_FIELDS,
  RESOURCE_CONFIGURATION_FIELD,
  toRecord,
} from '../model/record.js';
import { BUCKET_SCALE, type LatencyHistogram, MIN_DURATION } from '../model/histogram.js';
import { addCaller } from '../model/callers.js';

/**
 * Rows one query may return. StartQuery's `limit` is documented as "The default is 10,000. The
 * maximum value is 100,000." A result this long may be cut, so the chunk is split.
 */
export const QUERY_ROW_LIMIT = 100_000;

/** The hours of a UTC day. */
export const HOURS = Array.from({ length: 24 }, (_, h) => h);
/** The column of a row that counts the records of hour `h` (UTC). */
export const hourColumn = (h: number): string => `h${String(h).padStart(2, '0')}`;

/** The same test as model/record.ts isMissing. */
function missing(field: string): string {
  return `(not ispresent(${field}) or ${MISSING_TEXTS.map((t) => `${field} = ${JSON.stringify(t)}`).join(' or ')})`;
}

/** The column holding missing(field), computed once per record. */
const missingColumn = (field: string): string => `no_${field}`;

/** A whole number from 0 to max, or missing: what toRecord accepts. */
function wholeOrMissing(field: string, max: number): string {
  return `(${missingColumn(field)} or (${field} >= 0 and ${field} <= ${max} and floor(${field}) = ${field}))`;
}

/**
 * The ids a query covers: those of services and resource configurations that start with `prefix`
 * and then one of `chars`. Splitting by id, unlike a list of ARNs, keeps the query short whatever
 * the number of services (StartQuery takes at most 10,000 characters).
 */
export interface IdPartition {
  prefix: string;
  chars: string;
}

/** Every character of a Lattice id after its `svc-` or `rcfg-`. */
export const ID_CHARS = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * The parsed caller columns: names no Lattice field has.
 */
export const CALLER_VPC = 'callerVpcArn';
export const CALLER_PRINCIPAL = 'callerPrincipalPrefix';

/**
 * The number fields a row's `shape` says are valid (bit 8): each whole from 0 to its maximum, or
 * missing, as toRecord accepts them (model/record.ts NUMBER_FIELDS). Bits 1, 2 and 4 say
 * duration, bytesReceived and bytesSent are there, 16 that authDeniedReason is: the same `shape`
 * in every query (athena-query.ts too).
 */
export const CHECKED_NUMBERS = NUMBER_FIELDS;

/** The query, narrowed to one partition of ids when one day has too many rows. */
export function aggregateQuery(partition?: IdPartition): string {
  const numbers = CHECKED_NUMBERS;
  const denied = 'authDeniedReason';
  const valid = numbers.map(([f, max]) => wholeOrMissing(f, max)).join(' and ');
  const has = (f: string): string => `(not ${missingColumn(f)})`;
  const commands = [
    // Exactly the startTime toRecord accepts: UTC with Z. The day's validity is checked on the row.
    'parse startTime /^(?<year>\\d{4})-(?<month>\\d{2})-(?<dom>\\d{2})T(?<hour>[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)(?:\\.\\d+)?Z$/',
    // The caller's validated parts only (model/callers.ts); see the header on the missing `$`.
    `parse sourceVpcArn /^(?<${CALLER_VPC}>arn:aws[a-z-]*:ec2:[a-z0-9-]+:[0-9]{12}:vpc\\/vpc-[0-9a-f]{8,17}[\\s\\S]?)/`,
    `parse callerPrincipal /^(?<${CALLER_PRINCIPAL}>arn:aws[a-z-]*:(?:iam|sts)::[0-9]{12}:)/`,
    `fields ${[...numbers.map(([f]) => f), denied].map((f) => `${missing(f)} as ${missingColumn(f)}`).join(', ')}`,
    [
      // Whether a request was denied, not why: each reason text would be rows of its own.
      `fields 16 * ${has(denied)} + 8 * (${valid}) + ${has('duration')} + 2 * ${has('bytesReceived')} + 4 * ${has('bytesSent')} as shape`,
      `ceil(log(greatest(duration, ${MIN_DURATION})) * ${BUCKET_SCALE.toPrecision(17)}) as bucket`,
    ].join(', '),
    [
      'stats count(*) as requests',
      'sum(bytesReceived) as bytesIn',
      'sum(bytesSent) as bytesOut',
      'sum(duration) as durationSum',
      'min(duration) as durationMin',
      'max(duration) as durationMax',
      ...HOURS.map((h) => `sum(hour = "${String(h).padStart(2, '0')}") as ${hourColumn(h)}`),
    ].join(', ') +
      ` by serviceArn, ${RESOURCE_CONFIGURATION_FIELD}, year, month, dom, shape, listenerType, responseCode, ${GRPC_STATUS_FIELD}, bucket, ${CALLER_VPC}, ${CALLER_PRINCIPAL}`,
    `limit ${QUERY_ROW_LIMIT}`,
  ];
  if (partition) {
    const ids = `${partition.prefix}[${partition.chars}]`;
    commands.unshift(
      `filter serviceArn like /:service\\/svc-${ids}/ or ${RESOURCE_CONFIGURATION_FIELD} like /:resourceconfiguration\\/rcfg-${ids}/`,
    );
  }
  return commands.join('\n| ');
}

/** Changes whenever the query or the histogram changes: cached aggregates of another one are not used. */
export const AGGREGATE_FINGERPRINT = createHash('sha256')
  .update(`${aggregateQuery()}\n${BUCKET_SCALE}\n${MIN_DURATION}`)
  .digest('hex')
  .slice(0, 16);

export type ResultRow = Array<{ field?: string; value?: string }>;

function num(fields: ReadonlyMap<string, string>, name: string): number {
  const value = fields.get(name);
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Adds the rows of one query result to `into`. */
export function addRows(rows: ResultRow[], into: AggregateSet, problems: SourceProblems): void {
  for (const row of rows) {
    const fields = new Map<string, string>();
    for (const cell of row)
      if (cell.field !== undefined && cell.value !== undefined) fields.set(cell.field, cell.value);
    addAggregateRow(fields, into, problems);
  }
}

/**
 * Adds one result row, as its columns by name, to `into`: the reading every engine's rows share
 * (the Athena query's too, athena-query.ts), so each metric is taken from a row in one place.
 */
export function addAggregateRow(
  fields: ReadonlyMap<string, string>,
  into: AggregateSet,
  problems: SourceProblems,
): void {
  const requests = num(fields, 'requests');
  const shape = Number(fields.get('shape') ?? NaN);
  if (!Number.isInteger(shape) || (shape & 8) === 0 || shape < 0 || shape > 31) {
    problems.invalid += requests;
    return;
  }
  // The row's key values, judged as the local reader judges a record; numbers are checked by `shape`.
  const day = `${fields.get('year')}-${fields.get('month')}-${fields.get('dom')}`;
  const parsed = toRecord({
    serviceArn: fields.get('serviceArn'),
    [RESOURCE_CONFIGURATION_FIELD]: fields.get(RESOURCE_CONFIGURATION_FIELD),
    startTime: `${day}T00:00:00Z`,
    listenerType: fields.get('listenerType'),
    responseCode: fields.get('responseCode'),
    [GRPC_STATUS_FIELD]: fields.get(GRPC_STATUS_FIELD),
    // Any text that is not a missing value: toRecord reads only whether it is there.
    authDeniedReason: shape & 16 ? 'denied' : '-',
    sourceVpcArn: fields.get(CALLER_VPC),
    callerPrincipal: fields.get(CALLER_PRINCIPAL),
  });
  if (!parsed.ok) {
    if (/^startTime/.test(parsed.reason)) problems.noDay += requests;
    else problems.invalid += requests;
    return;
  }
  const record = parsed.record;
  const agg = emptyDay(record.serviceArn, record.day);
  if (shape & 2) agg.bytesIn = num(fields, 'bytesIn');
  if (shape & 4) agg.bytesOut = num(fields, 'bytesOut');
  let hours = 0;
  for (const h of HOURS) hours += agg.hourly[h] = num(fields, hourColumn(h));
  if (hours !== requests) {
    problems.noHour += requests;
    agg.hourly.fill(0);
  }
  const bucket = fields.get('bucket');
  const durations =
    (shape & 1) !== 0 && bucket !== undefined && bucket !== '' && Number.isFinite(Number(bucket));
  const histogram = countRecords(agg, record, requests, durations);
  if (histogram) fillHistogram(histogram, Number(bucket), requests, fields);
  addCaller(agg.callers, record.caller, requests, agg.bytesIn + agg.bytesOut, serverErrors(agg));
  into.addDay(agg);
}

function fillHistogram(
  h: LatencyHistogram,
  bucket: number,
  samples: number,
  fields: ReadonlyMap<string, string>,
): void {
  h.addToBucket(bucket, samples);
  h.count = samples;
  h.sum = num(fields, 'durationSum');
  h.min = num(fields, 'durationMin');
  h.max = num(fields, 'durationMax');
}
