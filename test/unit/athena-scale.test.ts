/**
 * The S3 path at the scale it is meant for (README "Logs in S3"), without AWS: 61 delivery days
 * (a 30-day window, the 30 before it, and the day after), 1,000 log roots (500 accounts × 2
 * regions in one bucket) and 5,000 services.
 * - The queries: one per delivery day, each naming exactly its own partition, under the
 *   StartQueryExecution QueryString limit (262,144 bytes, Athena API reference) and the same
 *   length whatever the number of services or roots (they are not in the SQL).
 * - The table: 1,000 roots fit the Glue limit of a table parameter's value (512,000 bytes, Glue
 *   API reference, TableInput Parameters).
 * - The rows: a day of 5,000 services × 12 result rows each (60,000 rows, as GetQueryResults
 *   gives them: every value a string) adds up exactly, per service and in total.
 */
import { describe, expect, it } from '@jest/globals';
import {
  type AthenaRow,
  DELIVERY_DAY_COLUMN,
  addAthenaRows,
  athenaDayQuery,
} from '../../src/aws/athena-query.js';
import { LOG_ROOT_COLUMN, accessLogTableInput, tableRoots } from '../../src/aws/athena-table.js';
import { AggregateSet, noProblems } from '../../src/model/aggregate.js';
import { addDays, dayRange } from '../../src/model/dates.js';
import { hourColumn } from '../../src/aws/insights-query.js';

const QUERY_STRING_LIMIT = 262_144;
const GLUE_PARAMETER_VALUE_LIMIT = 512_000;
const END = '2026-12-01';
const DELIVERY_DAYS = dayRange(addDays(END, -60), addDays(END, 1));
const ACCOUNTS = Array.from({ length: 500 }, (_, i) => String(100_000_000_000 + i * 7919));
const ROOTS = ACCOUNTS.flatMap((a) =>
  ['us-east-1', 'eu-west-1'].map((r) => `org-logs/AWSLogs/${a}/VpcLattice/AccessLogs/${r}/`),
);

describe('the S3 path at 30 days × 1,000 roots × 5,000 services', () => {
  it('makes one query per delivery day, each of its own partition, well under the query size limit', () => {
    expect(DELIVERY_DAYS).toHaveLength(61);
    const queries = DELIVERY_DAYS.map((day) => athenaDayQuery('lattice_cost_report.access_logs', day));
    const lengths = new Set(queries.map((q) => Buffer.byteLength(q)));
    expect(lengths.size).toBe(1);
    expect([...lengths][0]).toBeLessThan(QUERY_STRING_LIMIT / 10);
    queries.forEach((sql, i) => {
      const partitions = [...sql.matchAll(new RegExp(`"${DELIVERY_DAY_COLUMN}" = '([0-9/]+)'`, 'g'))];
      expect(partitions.map((m) => m[1])).toEqual([DELIVERY_DAYS[i]!.replaceAll('-', '/')]);
    });
  });

  it('keeps 1,000 log roots in one table parameter within the Glue limit, and reads them back', () => {
    const table = accessLogTableInput('access_logs', { bucket: 'org-logs', prefix: '' }, ROOTS, true);
    const value = table.Parameters![`projection.${LOG_ROOT_COLUMN}.values`]!;
    expect(Buffer.byteLength(value)).toBeLessThan(GLUE_PARAMETER_VALUE_LIMIT);
    expect(tableRoots(table.Parameters)).toEqual(ROOTS);
  });

  it('adds up a day of 60,000 result rows for 5,000 services exactly', () => {
    const services = 5_000;
    const rowsPerService = 12;
    const rows: AthenaRow[] = [];
    let total = 0;
    for (let s = 0; s < services; s++) {
      const account = ACCOUNTS[s % ACCOUNTS.length]!;
      const arn = `arn:aws:vpc-lattice:us-east-1:${account}:service/svc-${s.toString(16).padStart(17, '0')}`;
      for (let r = 0; r < rowsPerService; r++) {
        const requests = 1 + ((s * 31 + r * 7) % 50);
        total += requests;
        const hour = r % 24;
        rows.push({
          servicearn: arn,
          year: '2026',
          month: '11',
          dom: '30',
          shape: '15',
          listenertype: 'HTTP',
          responsecode: r % 10 === 0 ? '503' : '200',
          bucket: String(200 + (r % 40)),
          requests: String(requests),
          bytesin: String(requests * 100),
          bytesout: String(requests * 2_000),
          durationsum: String(requests * 12.5),
          durationmin: '1',
          durationmax: '900',
          ...Object.fromEntries(
            Array.from({ length: 24 }, (_, h) => [
              hourColumn(h).toLowerCase(),
              h === hour ? String(requests) : '0',
            ]),
          ),
        });
      }
    }
    const set = new AggregateSet();
    const problems = noProblems();
    addAthenaRows(rows, set, problems);
    expect(problems).toEqual(noProblems());
    expect(set.days.size).toBe(services);
    const days = [...set.days.values()];
    expect(days.reduce((sum, d) => sum + d.requests, 0)).toBe(total);
    expect(days.reduce((sum, d) => sum + d.bytesIn, 0)).toBe(total * 100);
    expect(days.every((d) => d.day === '2026-11-30' && d.status['5xx'] > 0)).toBe(true);
  });
});
