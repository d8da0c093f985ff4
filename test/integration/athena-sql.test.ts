/**
 * The Athena query's SQL run on a real SQL engine: DuckDB in memory stands for Athena (Trino) over
 * a table of every access-log field as a string, partitioned by delivery day as S3 keys are. Its
 * rows, turned into the strings GetQueryResults gives, must build exactly the day aggregates of
 * the exact local reader (aggregateLogs with `fast: false`) on the same lines: callers,
 * histograms and the count of lines left out included. Each delivery day's objects read directly
 * (logs/day-objects.ts readDayObjects, the path for small days) must give that day's query result
 * exactly, the problems counted as the query counts them included. The DuckDB table is
 * test/helpers/duck-athena.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { DELIVERY_DAY_COLUMN, addAthenaRows, athenaDayQuery } from '../../src/aws/athena-query.js';
import { writeSampleLog } from '../../src/demo/generate.js';
import { type ObjectSource, readDayObjects } from '../../src/logs/day-objects.js';
import { aggregateLogs } from '../../src/logs/reader.js';
import {
  AggregateSet,
  type SourceProblems,
  addProblems,
  boundDayCallers,
  dayToJSON,
  noProblems,
} from '../../src/model/aggregate.js';
import { isIsoDay } from '../../src/model/dates.js';
import { GRPC_STATUS_FIELD, RESOURCE_CONFIGURATION_FIELD } from '../../src/model/record.js';
import { type DuckAthena, byDeliveryDay, startDuckAthena } from '../helpers/duck-athena.js';
import { mixedWeek } from '../helpers/mixed-week.js';

let work: string;
let duck: DuckAthena;
let runs = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'lattice-athena-'));
  duck = await startDuckAthena();
});
afterAll(() => {
  duck?.close();
  rmSync(work, { recursive: true, force: true });
});

/** Objects read from memory, as readDayObjects reads S3's. */
function memorySource(objects: ReadonlyMap<string, string>): ObjectSource {
  return { name: (key) => key, open: async (key) => Readable.from([Buffer.from(objects.get(key)!)]) };
}

/**
 * Writes `lines` as objects under `<dir>/YYYY/MM/DD/` by delivery day, makes the table the objects,
 * runs the query of every delivery day and adds the rows as Athena would give them; reads each
 * day's objects with readDayObjects too, which must give the query's aggregates and problems, day
 * by day. Returns the aggregates, the problems and the rows.
 */
async function athena(
  lines: readonly string[],
  days: readonly string[],
): Promise<{ set: AggregateSet; problems: SourceProblems; rows: number; queries: number }> {
  const dir = join(work, `run-${++runs}`);
  const byDay = byDeliveryDay(lines, days);
  for (const [day, list] of byDay) {
    const folder = join(dir, ...day.split('-'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'part-0.jsonl'), list.join('\n') + '\n');
  }
  await duck.useObjects(dir);
  const set = new AggregateSet();
  const problems = noProblems();
  let rows = 0;
  for (const [day, list] of byDay) {
    const result = await duck.dayRows(day);
    rows += result.length;
    const daySet = new AggregateSet();
    const dayProblems = noProblems();
    addAthenaRows(result, daySet, dayProblems);
    const direct = await readDayObjects(memorySource(new Map([[day, list.join('\n') + '\n']])), [
      { key: day },
    ]);
    expect(snapshot(direct.aggregates)).toEqual(snapshot(daySet));
    expect(direct.problems).toEqual(dayProblems);
    set.merge(daySet);
    addProblems(problems, dayProblems);
  }
  // Every query that can hold a day is in: the days are bounded, as the local reader bounds them.
  boundDayCallers(set.days.values());
  return { set, problems, rows, queries: byDay.size };
}

async function local(lines: readonly string[]): Promise<{ set: AggregateSet; malformed: number }> {
  const file = join(work, `local-${++runs}.jsonl`);
  writeFileSync(file, lines.join('\n') + '\n');
  const { aggregates, summary } = await aggregateLogs([file], { fast: false });
  return { set: aggregates, malformed: summary.malformed };
}

const snapshot = (set: AggregateSet): unknown[] =>
  [...set.days.values()]
    .map(dayToJSON)
    .sort((a, b) => (a.serviceArn + a.day < b.serviceArn + b.day ? -1 : 1));

async function expectSameAggregates(lines: readonly string[], days: readonly string[]) {
  const [sql, exact] = await Promise.all([athena(lines, days), local(lines)]);
  expect(snapshot(sql.set)).toEqual(snapshot(exact.set));
  expect(sql.problems.noDay + sql.problems.invalid).toBe(exact.malformed);
  expect(sql.problems.noHour).toBe(0);
  return { ...sql, exact };
}

describe('the Athena day query, run on DuckDB', () => {
  it('builds the local reader’s day aggregates from a week of every record class and hostile values', async () => {
    const week = mixedWeek();
    const days = [
      ...new Set(week.lines.map((l) => (JSON.parse(l) as { startTime: string }).startTime.slice(0, 10))),
    ]
      .filter(isIsoDay)
      .sort();
    const { set, queries, rows, exact } = await expectSameAggregates(week.lines, days);
    expect(exact.malformed).toBe(week.malformed);
    // A week of days, and some days' last minutes delivered the next day.
    expect(set.days.size).toBeGreaterThanOrEqual(5 * 7);
    expect(queries).toBe(8);
    expect(rows).toBeGreaterThan(0);
    // Histograms of both kinds were compared, not only empty ones.
    expect([...set.days.values()].some((d) => d.connectionMs.count > 0)).toBe(true);
    expect([...set.days.values()].some((d) => d.latency.count > 0)).toBe(true);
  });

  it('builds the local reader’s day aggregates from the CLI’s sample of 300 services', async () => {
    const file = join(work, 'sample.jsonl');
    await writeSampleLog(file, {
      records: 12_000,
      days: 3,
      services: 300,
      startDay: '2026-10-01',
      gzip: false,
    });
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const { set } = await expectSameAggregates(lines, ['2026-10-01']);
    expect(new Set([...set.days.values()].map((d) => d.serviceArn)).size).toBeGreaterThan(250);
  });

  it('builds the local reader’s day aggregates from odd values, field by field', async () => {
    const service = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0a1b2c3d4e5f60718';
    const resource =
      'arn:aws:vpc-lattice:eu-west-1:111122223333:resourceconfiguration/rcfg-0abcabcabcabcab56';
    /** A JSON text for the value: most are JSON.stringify'd, `raw:` ones written as they are. */
    const json = (value: unknown): string =>
      typeof value === 'string' && value.startsWith('raw:') ? value.slice(4) : JSON.stringify(value);
    const numbers = [
      5,
      0,
      1,
      2,
      180,
      86_400_000,
      2 ** 52,
      2 ** 53,
      -3,
      1.5,
      1e308,
      '7',
      ' 8 ',
      '9.0',
      '1e3',
      '+4',
      '.5',
      '5.',
      '-0',
      '0x10',
      'Infinity',
      'NaN',
      '5\n',
      '5\u0085',
      '\u00a05',
      '\u20285',
      '1_0',
      'abc',
      '',
      '-',
      'null',
      null,
      true,
      { a: 1 },
      [1],
      'raw:200.0',
      'raw:1e2',
      'raw:-0',
      'raw:1E400',
      'raw:9007199254740993',
      'raw:12.000',
      'raw:0.0001',
      'raw:1e-7',
    ];
    const codes = [200, 503, 201, 302, 404, 503, 599, 600, 99, 999, 1000, '204', 'raw:500.0', '-', null, 'x'];
    const grpc = ['-', 14, 0, 2, 4, 5, 13, 14, 16, 17, '14', '0', -1, '-', null, 'raw:2.0'];
    const listeners = ['HTTP', 'https', 'HTTPS', 'TLS_PASSTHROUGH', 'tls_passthrough', '-', 'GRPC', 5, null];
    const denied = ['-', '', 'null', null, 'Service', 'x', 5, true];
    const times = [
      '2026-03-01T00:00:00Z',
      '2026-03-01T23:57:00Z',
      '2026-03-01T12:34:56.789Z',
      '2026-03-01T23:59:60Z',
      '2026-03-02T09:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T10:60:00Z',
      '2026-03-01T10:00:61Z',
      '2026-03-01T10:00:00Z\n',
      '2026-03-01T10:00:00+01:00',
      '2026-03-01T10:00:00',
      '2026-02-29T10:00:00Z',
      '1999-12-31T10:00:00Z',
      '2101-01-01T10:00:00Z',
      '2026-3-01T10:00:00Z',
      20260301,
      '-',
      null,
    ];
    const vpcs = [
      'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0aaaaaaaaaaaaaaa1',
      'arn:aws:ec2:us-east-1:444455556666:vpc/vpc-12345678',
      'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0aaaaaaaaaaaaaaa1\n',
      'arn:aws:ec2:us-east-1:111122223333:vpc/vpc-0AAA5678',
      'arn:aws-cn:ec2:cn-north-1:111122223333:vpc/vpc-0123456789abcdef01',
      '-',
      42,
      null,
    ];
    const principals = [
      'arn:aws:sts::111122223333:assumed-role/web/s1',
      'arn:aws:iam::444455556666:role/sync',
      'arn:aws:iam::1234:root',
      'anonymous',
      '-',
      null,
    ];
    const arns = [service, service.replace('0a1b', '9z9z'), '-', 'arn:aws:s3:::not-lattice', 'null', null, 7];
    const absent = Symbol('absent');
    /**
     * Mostly one of the first `usual` values (valid ones), else any: a record with an odd value in
     * one field and valid ones elsewhere is what tells the engines apart.
     */
    const field = <T>(values: readonly T[], usual = 2) =>
      fc.oneof(
        { arbitrary: fc.constantFrom(...values.slice(0, usual)), weight: 6 },
        { arbitrary: fc.constantFrom<T | typeof absent>(...values, absent), weight: 1 },
      );
    const record = fc.record({
      serviceArn: field(arns),
      [RESOURCE_CONFIGURATION_FIELD]: field([resource, 'rcfg-nope', '-']),
      startTime: field(times, 3),
      listenerType: field(listeners),
      responseCode: field(codes, 3),
      [GRPC_STATUS_FIELD]: field(grpc, 3),
      authDeniedReason: field(denied),
      duration: field(numbers, 5),
      bytesReceived: field(numbers, 5),
      bytesSent: field(numbers, 5),
      sourceVpcArn: field(vpcs),
      callerPrincipal: field(principals),
    });
    const line = (r: Record<string, unknown>): string =>
      `{${Object.entries(r)
        .filter(([, v]) => v !== absent)
        .map(([k, v]) => `${JSON.stringify(k)}:${json(v)}`)
        .join(',')}}`;
    await fc.assert(
      fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 60 }), async (records) => {
        // Sums past 2^53 are exact in no engine (doubles, added in different orders): a day's
        // durations and bytes stay below it, as any real day's do.
        const total = records
          .flatMap((r) => [r.duration, r.bytesReceived, r.bytesSent])
          .map((v) =>
            typeof v === 'symbol'
              ? 0
              : Number(typeof v === 'string' && v.startsWith('raw:') ? v.slice(4) : v),
          )
          .filter((n) => Number.isFinite(n) && n > 0)
          .reduce((a, b) => a + b, 0);
        fc.pre(total < 2 ** 53 - 1e9);
        // One valid line first: the local reader refuses a file with none.
        const anchor = {
          serviceArn: service,
          startTime: '2026-03-01T08:00:00Z',
          responseCode: 200,
          duration: 3,
        };
        await expectSameAggregates([line(anchor), ...records.map(line)], ['2026-03-01', '2026-03-02']);
      }),
      { numRuns: 60 },
    );
  });

  it('reads only the delivery day it is asked for, and refuses a table or day it cannot quote', () => {
    const sql = athenaDayQuery('db.access_logs', '2026-11-18');
    expect(sql).toContain(`"${DELIVERY_DAY_COLUMN}" = '2026/11/18'`);
    expect(() => athenaDayQuery('logs; DROP TABLE x', '2026-11-18')).toThrow(/table name/);
    expect(() => athenaDayQuery('logs', "2026-11-18' OR '1'='1")).toThrow(/UTC day/);
    expect(() => athenaDayQuery('logs', '2026-02-30')).toThrow(/UTC day/);
  });
});
