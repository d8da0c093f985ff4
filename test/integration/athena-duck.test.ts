/**
 * The Athena emulator (test/servers/athena-duck.ts): moto's S3, Glue and Athena, with each
 * query's SQL run on DuckDB over the objects its Glue table points at. Driven through the real
 * SDK and the code under test (runAthenaQuery, athenaDayQuery, addAthenaRows), which are given no
 * endpoint: AWS_ENDPOINT_URL_ATHENA leads them to the proxy.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AthenaClient, CreateWorkGroupCommand } from '@aws-sdk/client-athena';
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetTableCommand,
  GlueClient,
  type TableInput,
} from '@aws-sdk/client-glue';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { addAthenaRows, athenaDayQuery } from '../../src/aws/athena-query.js';
import { accessLogTableInput } from '../../src/aws/athena-table.js';
import { type AthenaQueryOptions, createAthenaClient, runAthenaQuery } from '../../src/aws/athena.js';
import { writeSampleLog } from '../../src/demo/generate.js';
import { DataError } from '../../src/errors.js';
import { aggregateLogs } from '../../src/logs/reader.js';
import { AggregateSet, boundDayCallers, dayToJSON, noProblems } from '../../src/model/aggregate.js';
import { dayRange } from '../../src/model/dates.js';
import { type S3Delivery, deliverToS3, s3ClientFor } from '../helpers/s3-delivery.js';
import { mixedWeek } from '../helpers/mixed-week.js';
import { MALFORMED, javaDouble, openxRow } from '../servers/athena-duck-sql.js';
import { type AthenaDuck, startAthenaDuck } from '../servers/athena-duck.js';
import { DUMMY_CREDENTIALS, MOTO_DEFAULT_ACCOUNT_ID, type MotoServer, startMoto } from '../servers/moto.js';

const region = 'us-east-1';
const WORKGROUP = 'lattice-cost-report';
const DATABASE = 'lattice_logs';
const TABLE = `${DATABASE}.access_logs`;
const BUCKET = 'lattice-access-logs';
const saved = { ...process.env };

let moto: MotoServer;
let duck: AthenaDuck;
let athena: AthenaClient;
let glue: GlueClient;
let work: string;
let lines: string[];
let delivery: S3Delivery;

const run = (sql: string, more: Partial<AthenaQueryOptions> = {}) =>
  runAthenaQuery(athena, { sql, workGroup: WORKGROUP, pollMinMs: 1, pollMaxMs: 5, ...more });

const createTable = (input: TableInput) =>
  glue.send(new CreateTableCommand({ DatabaseName: DATABASE, TableInput: input }));

beforeAll(async () => {
  moto = await startMoto();
  duck = await startAthenaDuck({ motoUrl: moto.url });
  process.env.AWS_ENDPOINT_URL_ATHENA = duck.url;
  process.env.AWS_ENDPOINT_URL_GLUE = moto.url;
  process.env.AWS_ENDPOINT_URL_S3 = moto.url;
  athena = createAthenaClient(region, DUMMY_CREDENTIALS);
  glue = new GlueClient({ region, endpoint: moto.url, credentials: DUMMY_CREDENTIALS });
  work = mkdtempSync(join(tmpdir(), 'lattice-athena-duck-'));

  // The CLI's sample over three days, every record class and hostile value of the mixed week,
  // and lines no engine reads.
  const sample = join(work, 'sample.jsonl');
  await writeSampleLog(sample, { records: 6000, days: 3, services: 20, startDay: '2026-11-17', gzip: false });
  lines = [
    ...readFileSync(sample, 'utf8').split('\n').filter(Boolean),
    ...mixedWeek().lines,
    'not json',
    '{"serviceArn": "arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0a1b2c3d4e5f60718", "startTime": "2026-11-18T1',
    '[1, 2]',
  ];
  delivery = await deliverToS3(moto.url, {
    bucket: BUCKET,
    prefix: 'lattice/',
    account: MOTO_DEFAULT_ACCOUNT_ID,
    region,
    lines,
  });
  await athena.send(new CreateWorkGroupCommand({ Name: WORKGROUP, Description: 'athena-duck tests' }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE } }));
  await createTable(
    accessLogTableInput('access_logs', { bucket: BUCKET, prefix: 'lattice/' }, [delivery.root], true),
  );
}, 120_000);

afterAll(async () => {
  process.env = saved;
  athena?.destroy();
  glue?.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
  await duck?.close();
  await moto?.stop();
});

const snapshot = (set: AggregateSet) =>
  [...set.days.values()]
    .map(dayToJSON)
    .sort((a, b) => (a.serviceArn + a.day < b.serviceArn + b.day ? -1 : 1));

const sortedRows = (rows: ReadonlyArray<Record<string, string | null>>) =>
  rows.map((r) => JSON.stringify(r)).sort();

describe('Athena on moto with the SQL run on DuckDB', () => {
  it('delivers several gzipped objects a day under the assumed key layout', () => {
    expect(delivery.root).toBe(`lattice/AWSLogs/${MOTO_DEFAULT_ACCOUNT_ID}/VpcLattice/AccessLogs/${region}/`);
    expect(delivery.uri).toBe(`s3://${BUCKET}/lattice/`);
    // The mixed week's days, the sample's among them; some days' last minutes go to the next day.
    expect(delivery.days).toEqual(dayRange('2026-11-16', '2026-11-24'));
    expect(lines.some((l) => /"startTime":"[^"]*T23:5[5-9]/.test(l))).toBe(true);
    for (const o of delivery.objects) {
      expect(o.key).toMatch(new RegExp(`^${delivery.root}${o.day.replaceAll('-', '/')}/[^/]+\\.log\\.gz$`));
    }
    expect(delivery.objects.filter((o) => o.day === '2026-11-18').length).toBe(3);
    expect(delivery.objects.reduce((n, o) => n + o.lines, 0)).toBe(lines.length);
  });

  it('gives the local reader’s day aggregates, one query per delivery day, with the bytes of the objects read', async () => {
    const set = new AggregateSet();
    const problems = noProblems();
    const first = duck.queries.length;
    for (const day of delivery.days) {
      const result = await run(athenaDayQuery(TABLE, day));
      const objects = delivery.objects.filter((o) => o.day === day);
      // Only the day's partition was read, and Athena's bytes scanned are its objects' sizes.
      expect(result.bytesScanned).toBeGreaterThan(0);
      expect(result.bytesScanned).toBe(objects.reduce((n, o) => n + o.size, 0));
      const query = duck.queries.find((q) => q.id === result.queryExecutionId)!;
      expect(query.objects.map((o) => o.uri).sort()).toEqual(
        objects.map((o) => `s3://${BUCKET}/${o.key}`).sort(),
      );
      expect(query.rows).toBe(result.rows.length);
      addAthenaRows(result.rows, set, problems);
    }
    expect(duck.queries.length - first).toBe(delivery.days.length);
    boundDayCallers(set.days.values());

    const file = join(work, 'all.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const local = await aggregateLogs([file], { fast: false });
    expect(snapshot(set)).toEqual(snapshot(local.aggregates));
    expect(problems.noDay + problems.invalid).toBe(local.summary.malformed);
    expect(problems.noHour).toBe(0);
    expect(local.summary.malformed).toBeGreaterThan(3);
    expect(set.days.size).toBeGreaterThan(20 * 3);
  });

  it('gives concurrent queries their own rows', async () => {
    const [a, b] = ['2026-11-17', '2026-11-18'];
    const alone = await Promise.all([a, b].map(async (day) => (await run(athenaDayQuery(TABLE, day))).rows));
    const together = await Promise.all(
      [a, b, a, b].map(async (day) => (await run(athenaDayQuery(TABLE, day))).rows),
    );
    expect(sortedRows(alone[0]!)).not.toEqual(sortedRows(alone[1]!));
    expect(sortedRows(together[0]!)).toEqual(sortedRows(alone[0]!));
    expect(sortedRows(together[1]!)).toEqual(sortedRows(alone[1]!));
    expect(sortedRows(together[2]!)).toEqual(sortedRows(alone[0]!));
    expect(sortedRows(together[3]!)).toEqual(sortedRows(alone[1]!));
  });

  it('gives the result as Athena does: typed columns, numbers as Trino prints them, NULL as no value', async () => {
    const result = await run(
      `SELECT count(*) AS n, sum(1.5e0) AS d, sum(1e300 * 1e0) AS big, CAST(NULL AS varchar) AS none, 'x' AS "Mixed" FROM ${TABLE} WHERE "delivery_day" = '2026/11/18'`,
    );
    expect(result.rows).toHaveLength(1);
    const row = result.rows[0]!;
    expect(row.none).toBeNull();
    expect(row.mixed).toBe('x');
    expect(row.n).toMatch(/^[1-9][0-9]*$/);
    expect(row.d).toBe(javaDouble(Number(row.n) * 1.5));
    expect(row.big).toMatch(/^[0-9]\.[0-9]+E30[0-9]$/);
  });

  it('shows a query of a missing table or database FAILED, as Athena ends it', async () => {
    const table = await run(athenaDayQuery(`${DATABASE}.no_such_table`, '2026-11-18')).catch(
      (e: unknown) => e,
    );
    expect(table).toBeInstanceOf(DataError);
    expect((table as Error).message).toMatch(
      /ended FAILED: TABLE_NOT_FOUND: line \d+:8: Table 'awsdatacatalog.lattice_logs.no_such_table' does not exist/,
    );
    const database = await run(athenaDayQuery('no_such_db.access_logs', '2026-11-18')).catch(
      (e: unknown) => e,
    );
    expect((database as Error).message).toMatch(
      /ended FAILED: SCHEMA_NOT_FOUND: .*Schema 'no_such_db' does not exist/,
    );
    expect((database as Error).message).toMatch(/Athena error category 2, type 1000/);
  });

  it('reads what a wrong location template points at: nothing in another prefix, a failure in a missing bucket', async () => {
    const base = accessLogTableInput('elsewhere', { bucket: BUCKET, prefix: 'lattice/' }, ['other/'], true);
    await createTable(base);
    const empty = await run(athenaDayQuery(`${DATABASE}.elsewhere`, '2026-11-18'));
    expect(empty.rows).toEqual([]);
    expect(empty.bytesScanned).toBe(0);
    expect(duck.queries.find((q) => q.id === empty.queryExecutionId)!.objects).toEqual([]);

    await createTable(
      accessLogTableInput('wrong_bucket', { bucket: 'no-such-bucket', prefix: '' }, [delivery.root], true),
    );
    const error = await run(athenaDayQuery(`${DATABASE}.wrong_bucket`, '2026-11-18')).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(
      /ended FAILED: .*bucket does not exist: s3:\/\/no-such-bucket\//,
    );
  });

  it('projects only days in the range, and keeps a refused start from taking the next query’s rows', async () => {
    const future = await run(athenaDayQuery(TABLE, '2099-01-01'));
    expect(future.rows).toEqual([]);

    const refused = await run(athenaDayQuery(TABLE, '2026-11-18'), { workGroup: 'no-such-group' }).catch(
      (e: unknown) => e,
    );
    expect((refused as Error).message).toMatch(/WorkGroup does not exist/);
    const next = await run(athenaDayQuery(TABLE, '2026-11-17'));
    const again = await run(athenaDayQuery(TABLE, '2026-11-17'));
    expect(sortedRows(next.rows)).toEqual(sortedRows(again.rows));
  });
});

describe('the proxy', () => {
  it('passes every other request to moto unchanged', async () => {
    const s3 = s3ClientFor(duck.url, region);
    const viaProxy = new GlueClient({ region, endpoint: duck.url, credentials: DUMMY_CREDENTIALS });
    try {
      const object = delivery.objects[0]!;
      const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.key }));
      expect((await got.Body!.transformToByteArray()).length).toBe(object.size);
      const table = await viaProxy.send(new GetTableCommand({ DatabaseName: DATABASE, Name: 'access_logs' }));
      expect(table.Table?.Parameters?.['projection.log_root.values']).toBe(delivery.root);
    } finally {
      s3.destroy();
      viaProxy.destroy();
    }
  });
});

describe('the OpenX SerDe reading', () => {
  it('reads keys in any case, values as written, and malformed lines as a row of NULLs', () => {
    const row = openxRow(
      ' {"ServiceArn":"a\\u0062c","duration":12.50,"bytesSent":1E3,"ok":true,"x":null,"o":{"k":[1, 2]}}\r',
    );
    expect(Object.fromEntries(row!)).toEqual({
      servicearn: 'abc',
      duration: '12.50',
      bytessent: '1E3',
      ok: 'true',
      x: null,
      o: '{"k":[1, 2]}',
    });
    expect(openxRow('')).toBeUndefined();
    expect(openxRow('   ')).toBeUndefined();
    for (const bad of ['not json', '{"a":', '[1]', '5', '{"a":1,"A":2}', '{"a":1,"a":1}']) {
      expect(openxRow(bad)).toBe(MALFORMED);
    }
  });

  it('prints doubles as Java does', () => {
    expect([15, 0.5, 1e-3, 1234567.5, 1e7, 1.5e-7, 1e20, -2.5e10, 0, -0].map(javaDouble)).toEqual([
      '15.0',
      '0.5',
      '0.001',
      '1234567.5',
      '1.0E7',
      '1.5E-7',
      '1.0E20',
      '-2.5E10',
      '0.0',
      '-0.0',
    ]);
  });
});
