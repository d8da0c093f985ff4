/**
 * DuckDB in memory standing in for Athena (Trino) over access logs delivered to S3: a table of
 * every access-log field as a string, partitioned by delivery day as the Glue table is
 * (src/aws/athena-table.ts), over objects kept as files at `<dir>/<key>`, keys being
 * `<root>YYYY/MM/DD/<name>` (`.gz` names gzip-compressed). Its rows come back as GetQueryResults
 * gives them: every value a string, or null.
 *
 * As the table's OpenX SerDe with `ignore.malformed.json` makes a malformed line a row of nulls,
 * read_json's `ignore_errors` does (seen: a line that is no JSON, or JSON but no object, is a row of
 * nulls; a blank line is no row). Not alike, and kept out of the tests: an object left open runs on
 * into the next line (one row of nulls for both), a trailing comma is accepted, and of two equal
 * keys DuckDB keeps the first, JSON.parse the last.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { type AthenaRow, DELIVERY_DAY_COLUMN, athenaDayQuery } from '../../src/aws/athena-query.js';
import { addDays, isIsoDay } from '../../src/model/dates.js';
import {
  ACCESS_LOG_FIELDS,
  GRPC_STATUS_FIELD,
  RESOURCE_CONFIGURATION_FIELD,
} from '../../src/model/record.js';

export const DUCK_TABLE = 'lattice_logs.access_logs';
const COLUMNS = [...ACCESS_LOG_FIELDS, RESOURCE_CONFIGURATION_FIELD, GRPC_STATUS_FIELD];

export interface DuckAthena {
  /** Makes DUCK_TABLE the objects under `dir`. */
  useObjects(dir: string): Promise<void>;
  /** athenaDayQuery's rows for delivery day `day` (YYYY-MM-DD), as Athena gives them. */
  dayRows(day: string): Promise<AthenaRow[]>;
  close(): void;
}

export async function startDuckAthena(threads = 2): Promise<DuckAthena> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const duck: DuckDBConnection = await instance.connect();
  await duck.run('CREATE SCHEMA lattice_logs');
  return {
    useObjects: async (dir) => {
      const columns = COLUMNS.map((c) => `${c}: 'VARCHAR'`).join(', ');
      await duck.run(`
        CREATE OR REPLACE VIEW ${DUCK_TABLE} AS
        SELECT * EXCLUDE (filename),
          regexp_extract(filename, '([0-9]{4}/[0-9]{2}/[0-9]{2})/[^/]*$', 1) AS ${DELIVERY_DAY_COLUMN}
        FROM read_json('${dir}/**/*', format = 'newline_delimited', filename = true,
          ignore_errors = true, columns = {${columns}})`);
    },
    dayRows: async (day) => {
      const reader = await duck.runAndReadAll(athenaDayQuery(DUCK_TABLE, day));
      // Athena lower-cases column names and gives every value as a string (VarCharValue).
      return reader
        .getRowObjects()
        .map((row) =>
          Object.fromEntries(
            Object.entries(row).map(([k, v]) => [k.toLowerCase(), v === null ? null : String(v)]),
          ),
        );
    },
    close: () => {
      duck.closeSync();
      // Its threads too, so the test's worker can exit.
      instance.closeSync();
    },
  };
}

/**
 * The day Lattice would deliver a line on: its startTime's day, the next day from 23:55 on (S3
 * delivery is "typically within 6 minutes"), and for a line without a usable day, the day its
 * index picks from `days`, so every query meets some of them.
 */
export function deliveryDayOf(line: string, index: number, days: readonly string[]): string {
  let start: unknown;
  try {
    start = (JSON.parse(line) as { startTime?: unknown } | null)?.startTime;
  } catch {
    start = undefined;
  }
  const m = typeof start === 'string' ? /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(start) : null;
  if (m && isIsoDay(m[1]!) && Number(m[2]) <= 23) {
    return m[2] === '23' && Number(m[3]) >= 55 ? addDays(m[1]!, 1) : m[1]!;
  }
  if (days.length === 0) throw new Error(`no delivery day for a line without a usable startTime: ${line}`);
  return days[index % days.length]!;
}

/** `lines` by the day deliveryDayOf delivers each on, in their order. */
export function byDeliveryDay(lines: readonly string[], days: readonly string[]): Map<string, string[]> {
  const byDay = new Map<string, string[]>();
  lines.forEach((line, i) => {
    const day = deliveryDayOf(line, i, days);
    const list = byDay.get(day);
    if (list) list.push(line);
    else byDay.set(day, [line]);
  });
  return byDay;
}
