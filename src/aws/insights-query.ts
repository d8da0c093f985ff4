/**
 * The one Logs Insights query that turns access logs into day aggregates, and the reading of its
 * rows. One query per time chunk, so every log byte is scanned once.
 *
 * Rows are grouped by service, UTC day (from startTime, as the local reader does), auth-denied
 * reason and latency bucket. Per-hour and per-status-class counts become sum() columns of 0/1
 * indicators built from arithmetic only (1 - ceil(|x - k| / n) is 1 when x = k and 0 otherwise),
 * because grouping by them too would multiply the rows. Only documented CWLI syntax is used.
 */
import { createHash } from 'node:crypto';
import { AggregateSet, emptyDay } from '../model/aggregate.js';
import { isAuthDenied, type StatusCounts } from '../model/record.js';
import { isIsoDay } from '../model/dates.js';
import { BUCKET_SCALE, MIN_DURATION } from '../model/histogram.js';

/** Rows one query may return; a result this long may be cut, so the chunk is split. */
export const QUERY_ROW_LIMIT = 10_000;

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const CLASSES = [2, 3, 4, 5] as const;
const hourColumn = (h: number): string => `h${String(h).padStart(2, '0')}`;

/** The query; `only`/`except` narrow it to some services when one hour has too many rows. */
export function aggregateQuery(
  services: { only?: readonly string[]; except?: readonly string[] } = {},
): string {
  const commands = [
    'parse startTime /^(?<year>\\d{4})-(?<month>\\d{2})-(?<dom>\\d{2})T(?<hour>\\d{2}):/',
    [
      'fields serviceArn, authDeniedReason, bytesReceived, bytesSent, duration, year, month, dom, hour',
      'floor(responseCode / 100) as statusClass',
      `ceil(log(greatest(duration, ${MIN_DURATION})) * ${BUCKET_SCALE.toPrecision(17)}) as bucket`,
      'ceil(duration) - floor(duration) as fractional',
    ].join(', '),
    [
      'stats count(*) as requests',
      'sum(bytesReceived) as bytesIn',
      'sum(bytesSent) as bytesOut',
      // Numeric durations only ("-" + 0 is null), whatever greatest() makes of a missing one.
      'count(duration + 0) as durationCount',
      'sum(duration) as durationSum',
      'min(duration) as durationMin',
      'max(duration) as durationMax',
      'sum(fractional) as nonInteger',
      ...CLASSES.map((c) => `sum(1 - ceil(abs(statusClass - ${c}) / 10)) as s${c}xx`),
      ...HOURS.map((h) => `sum(1 - ceil(abs(hour - ${h}) / 24)) as ${hourColumn(h)}`),
    ].join(', ') + ' by serviceArn, year, month, dom, authDeniedReason, bucket',
    `limit ${QUERY_ROW_LIMIT}`,
  ];
  const list = (arns: readonly string[]): string => `[${arns.map((a) => JSON.stringify(a)).join(', ')}]`;
  if (services.only) commands.unshift(`filter serviceArn in ${list(services.only)}`);
  else if (services.except && services.except.length > 0)
    commands.unshift(`filter serviceArn not in ${list(services.except)}`);
  return commands.join('\n| ');
}

/** Changes whenever the query or the histogram changes: cached aggregates of another one are not used. */
export const AGGREGATE_FINGERPRINT = createHash('sha256')
  .update(`${aggregateQuery()}\n${BUCKET_SCALE}\n${MIN_DURATION}`)
  .digest('hex')
  .slice(0, 16);

export type ResultRow = Array<{ field?: string; value?: string }>;

export interface RowProblems {
  /** Requests whose startTime gave no UTC day. */
  noDay: number;
  /** Requests that reached a target but had no usable duration. */
  noDuration: number;
}

function num(fields: Map<string, string>, name: string): number {
  const value = fields.get(name);
  if (value === undefined || value === '') return 0;
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Adds the rows of one query result to `into`. */
export function addRows(rows: ResultRow[], into: AggregateSet, problems: RowProblems): void {
  for (const row of rows) {
    const fields = new Map<string, string>();
    for (const cell of row)
      if (cell.field !== undefined && cell.value !== undefined) fields.set(cell.field, cell.value);
    const requests = num(fields, 'requests');
    const serviceArn = fields.get('serviceArn');
    const day = `${fields.get('year')}-${fields.get('month')}-${fields.get('dom')}`;
    if (!serviceArn || !isIsoDay(day)) {
      problems.noDay += requests;
      continue;
    }
    const agg = emptyDay(serviceArn, day);
    agg.requests = requests;
    agg.bytesIn = num(fields, 'bytesIn');
    agg.bytesOut = num(fields, 'bytesOut');
    for (const c of CLASSES) agg.status[`${c}xx` as keyof StatusCounts] = num(fields, `s${c}xx`);
    for (const h of HOURS) agg.hourly[h] = num(fields, hourColumn(h));

    const reason = fields.get('authDeniedReason');
    if (isAuthDenied(reason)) {
      agg.authDenied = requests;
    } else {
      const bucket = fields.get('bucket');
      const samples = num(fields, 'durationCount');
      problems.noDuration += requests - samples;
      if (samples > 0 && bucket !== undefined && bucket !== '' && Number.isFinite(Number(bucket))) {
        const h = agg.latency;
        h.addToBucket(Number(bucket), samples);
        h.count = samples;
        h.sum = num(fields, 'durationSum');
        h.min = num(fields, 'durationMin');
        h.max = num(fields, 'durationMax');
        h.nonInteger = num(fields, 'nonInteger');
      }
    }
    into.addDay(agg);
  }
}
