/**
 * Access logs delivered to S3, against moto's S3 through the real SDK (src/aws/s3-logs.ts): finding
 * the log roots, listing a delivery day's objects, and reading them (logs/day-objects.ts), which
 * must give exactly the day aggregates and problems of the Athena day query run on DuckDB over the
 * same objects (test/helpers/duck-athena.ts), and, all days together, the local reader's. No
 * endpoint is given to the code under test: AWS_ENDPOINT_URL_S3 leads the SDK to moto.
 *
 * moto 5.2 (seen here): ListObjectsV2 pages CommonPrefixes and keys together by MaxKeys with a
 * ContinuationToken, as S3 does; a missing bucket is NoSuchBucket. IAM is not checked: denials
 * come from a fault proxy in front of moto.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { addAthenaRows } from '../../src/aws/athena-query.js';
import {
  DISCOVERY_MAX_DEPTH,
  createS3Client,
  discoverDayRoots,
  listDayObjects,
  s3ObjectSource,
} from '../../src/aws/s3-logs.js';
import { writeSampleLog } from '../../src/demo/generate.js';
import { DataError } from '../../src/errors.js';
import { readDayObjects } from '../../src/logs/day-objects.js';
import { aggregateLogs } from '../../src/logs/reader.js';
import {
  AggregateSet,
  addProblems,
  boundDayCallers,
  dayToJSON,
  noProblems,
} from '../../src/model/aggregate.js';
import { type FaultProxy, startFaultProxy } from '../servers/fault-proxy.js';
import { DUMMY_CREDENTIALS, type MotoServer, startMoto } from '../servers/moto.js';
import { type DuckAthena, byDeliveryDay, startDuckAthena } from '../helpers/duck-athena.js';
import { HTTP_SERVICE, WEEK, mixedWeek } from '../helpers/mixed-week.js';

const region = 'us-east-1';
const BUCKET = 'central-logs';
const saved = { ...process.env };

let moto: MotoServer;
let proxy: FaultProxy;
let s3: S3Client;
let duck: DuckAthena;
let work: string;

/** The folder Lattice is assumed to deliver to for one account and region, under `prefix`. */
const root = (prefix: string, account: string, where: string): string =>
  `${prefix}AWSLogs/${account}/VpcLattice/AccessLogs/${where}/`;
const ROOTS = [
  root('logs/', '111122223333', 'eu-west-1'),
  root('logs/', '111122223333', 'us-east-1'),
  root('logs/', '444455556666', 'eu-west-1'),
  root('logs/', '444455556666', 'us-east-1'),
];

const put = (bucket: string, key: string, body: string | Buffer) =>
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  process.env.AWS_ENDPOINT_URL_S3 = moto.url;
  s3 = createS3Client(region, DUMMY_CREDENTIALS);
  duck = await startDuckAthena();
  work = mkdtempSync(join(tmpdir(), 'lattice-s3-logs-'));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const keys = [
    ...ROOTS.flatMap((r) => [
      `${r}2025/12/31/a.log.gz`,
      `${r}2026/11/16/a.log.gz`,
      `${r}2026/11/17/b.log.gz`,
    ]),
    // Not roots: a file, notes, a year without months, a year out of range, a comma.
    'logs/README.txt',
    'logs/AWSLogs/111122223333/notes/todo.txt',
    'logs/tmp/2026/readme.txt',
    'logs/tmp/3000/01/x.log',
    'logs/odd,name/2026/11/16/x.log',
    // Outside the prefix.
    `${root('other/', '111122223333', 'us-east-1')}2026/11/16/a.log.gz`,
    // Roots 8 and 9 levels below `deep/`.
    'deep/a/b/c/d/e/f/g/h/2026/11/16/x.log',
    'deep/a/b/c/d/e/f/g/h/i/2026/11/16/x.log',
  ];
  for (const key of keys) await put(BUCKET, key, `{"key":${JSON.stringify(key)}}\n`);
}, 60_000);

afterAll(async () => {
  process.env = saved;
  s3?.destroy();
  duck?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  await Promise.all([proxy?.close(), moto?.stop()]);
});

const snapshot = (set: AggregateSet): unknown[] =>
  [...set.days.values()]
    .map(dayToJSON)
    .sort((a, b) => (a.serviceArn + a.day < b.serviceArn + b.day ? -1 : 1));

describe('discoverDayRoots on moto', () => {
  it('finds every folder of year and month folders under the prefix, sorted, and warns of a comma', async () => {
    const found = await discoverDayRoots(s3, { bucket: BUCKET, prefix: 'logs/' });
    expect(found.roots).toEqual(ROOTS);
    expect(found.warnings).toEqual([expect.stringMatching(/^s3:\/\/central-logs\/logs\/odd,name\/ .*comma/)]);
    // Level by level: logs/; AWSLogs/, odd,name/ and tmp/, with the months of odd,name/2026/ and
    // tmp/2026/; the 2 accounts, tmp/2026/ and tmp/3000/; 2 VpcLattice/, notes/ and tmp/3000/01/;
    // 2 AccessLogs/; 4 regions with the months of their latest year.
    expect(found.requests).toBe(1 + 5 + 4 + 4 + 2 + 8);
  });

  it('finds the roots of the whole bucket, or the one the prefix is', async () => {
    const whole = await discoverDayRoots(s3, { bucket: BUCKET, prefix: '' });
    expect(whole.roots).toEqual([...ROOTS, root('other/', '111122223333', 'us-east-1')]);
    // deep/a/b/c/d/e/f/g/h/ is 9 levels below the bucket's top.
    expect(whole.warnings).toEqual([
      expect.stringMatching(/comma/),
      expect.stringMatching(
        /^Folders more than 8 levels below s3:\/\/central-logs\/ .* below s3:\/\/central-logs\/deep\/a\/b\/c\/d\/e\/f\/g\/\./,
      ),
    ]);
    const one = await discoverDayRoots(s3, { bucket: BUCKET, prefix: ROOTS[1]! });
    expect(one).toEqual({ roots: [ROOTS[1]], requests: 2, warnings: [] });
  });

  it('warns, naming the folders, when the request bound or the depth bound stops it', async () => {
    const bounded = await discoverDayRoots(s3, { bucket: BUCKET, prefix: 'logs/' }, { maxRequests: 4 });
    expect(bounded.requests).toBe(4);
    expect(bounded.roots).toEqual([]);
    // logs/, then AWSLogs/, odd,name/ and tmp/: what they lead to is named, the first 5 of it.
    expect(bounded.warnings).toEqual([
      'Stopped looking for access-log folders under s3://central-logs/logs/ after 4 ListObjectsV2 requests: ' +
        's3://central-logs/logs/AWSLogs/111122223333/, s3://central-logs/logs/AWSLogs/444455556666/, ' +
        's3://central-logs/logs/odd,name/2026/, s3://central-logs/logs/tmp/2026/, s3://central-logs/logs/tmp/3000/ ' +
        'were not searched (fully), and logs under them are left out. Point the log source at a narrower prefix.',
    ]);

    const deep = await discoverDayRoots(s3, { bucket: BUCKET, prefix: 'deep/' });
    expect(DISCOVERY_MAX_DEPTH).toBe(8);
    expect(deep.roots).toEqual(['deep/a/b/c/d/e/f/g/h/']);
    expect(deep.warnings).toEqual([
      'Folders more than 8 levels below s3://central-logs/deep/ were not searched for access logs: those ' +
        'below s3://central-logs/deep/a/b/c/d/e/f/g/h/. Point the log source at a prefix closer to them.',
    ]);
  });

  it('says which log source is wrong when the bucket does not exist', async () => {
    const error = await discoverDayRoots(s3, { bucket: 'no-such-bucket', prefix: 'logs/' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DataError);
    expect((error as Error).message).toMatch(
      /^Listing s3:\/\/no-such-bucket\/logs\/ failed: the bucket no-such-bucket does not exist \(NoSuchBucket\)\. .*set log-source \(--log-source\) to s3:\/\/BUCKET\/PREFIX/,
    );
  });

  it('names the IAM action a denial means', async () => {
    const denied = {
      status: 403,
      body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    };
    process.env.AWS_ENDPOINT_URL_S3 = proxy.url;
    const viaProxy = createS3Client(region, DUMMY_CREDENTIALS);
    try {
      proxy.inject(denied);
      const listing = await discoverDayRoots(viaProxy, { bucket: BUCKET, prefix: 'logs/' }).catch(
        (e: unknown) => e,
      );
      expect(listing).toBeInstanceOf(DataError);
      expect((listing as Error).message).toBe(
        'Listing s3://central-logs/logs/ was denied (AccessDenied). The role needs s3:ListBucket; ' +
          'see "IAM policy" in the README (provision/github-oidc-role.yaml deploys it).',
      );
      proxy.inject(denied);
      const reading = await readDayObjects(s3ObjectSource(viaProxy, BUCKET), [
        { key: 'logs/README.txt' },
      ]).catch((e: unknown) => e);
      expect(reading).toBeInstanceOf(DataError);
      expect((reading as Error).message).toMatch(
        /^Reading s3:\/\/central-logs\/logs\/README\.txt was denied \(AccessDenied\)\. The role needs s3:GetObject \(and kms:Decrypt/,
      );
    } finally {
      viaProxy.destroy();
      process.env.AWS_ENDPOINT_URL_S3 = moto.url;
    }
  });

  it('stops with the abort reason', async () => {
    const controller = new AbortController();
    const pending = discoverDayRoots(s3, { bucket: BUCKET, prefix: '' }, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('listDayObjects on moto', () => {
  it('lists every object of the day under every root', async () => {
    const day = await listDayObjects(s3, BUCKET, ROOTS, '2026-11-16');
    expect(day.objects.map((o) => o.key)).toEqual(ROOTS.map((r) => `${r}2026/11/16/a.log.gz`));
    const size = Buffer.byteLength(`{"key":${JSON.stringify(`${ROOTS[0]}2026/11/16/a.log.gz`)}}\n`);
    expect(day.objects[0]!.size).toBe(size);
    expect(day.bytes).toBe(day.objects.reduce((sum, o) => sum + o.size, 0));
    expect(day.requests).toBe(4);
    expect((await listDayObjects(s3, BUCKET, ROOTS, '2026-11-18')).objects).toEqual([]);
    await expect(listDayObjects(s3, BUCKET, ROOTS, '2026-11-31')).rejects.toThrow(/UTC day/);
  });
});

describe('readDayObjects over moto, against the Athena day query on DuckDB', () => {
  it('gives the query’s aggregates and problems for every delivery day, gzip and plain objects alike', async () => {
    const bucket = 'lattice-logs';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const sample = join(work, 'sample.jsonl');
    await writeSampleLog(sample, { records: 3000, days: 2, services: 20, startDay: WEEK[2]!, gzip: false });
    const valid = (fields: Record<string, unknown>): string =>
      JSON.stringify({
        serviceArn: HTTP_SERVICE,
        startTime: '2026-11-18T10:00:00Z',
        responseCode: 200,
        duration: 5,
        bytesReceived: 1,
        bytesSent: 1,
        ...fields,
      });
    const lines = [
      ...mixedWeek().lines,
      ...readFileSync(sample, 'utf8').split('\n').filter(Boolean),
      // Records of the last minutes of a day: delivered the next day.
      ...['23:55:00', '23:58:30', '23:59:59'].map((t) => valid({ startTime: `2026-11-18T${t}Z` })),
      // Lines that are no record: no JSON, JSON but no object, and a blank line.
      'not json',
      '{"serviceArn": nope}',
      `${valid({})} trailing`,
      '[1,2]',
      '"str"',
      '7',
      '',
      // A bad startTime alone has no day; with a bad number too, the number decides.
      valid({ startTime: '2026-11-18T25:00:00Z' }),
      valid({ startTime: 'yesterday' }),
      valid({ startTime: 'yesterday', bytesSent: 0.5 }),
      valid({ startTime: null, duration: -1 }),
    ];

    // Each delivery day's lines, across two roots and two objects each: gzip (one of them two
    // gzip members, as deliveries can be) and plain. The same bytes go to moto and to DuckDB's files.
    const roots = [root('', '111122223333', 'us-east-1'), root('', '444455556666', 'eu-west-1')];
    const mirror = join(work, 'mirror');
    const byDay = byDeliveryDay(lines, WEEK);
    for (const [day, list] of byDay) {
      const text = (k: number): string =>
        list
          .filter((_, i) => i % 4 === k)
          .map((l) => `${l}\n`)
          .join('');
      const objects: Array<[string, Buffer]> = [
        [`${roots[0]}${day.replaceAll('-', '/')}/000001.log.gz`, gzipSync(text(0))],
        [`${roots[0]}${day.replaceAll('-', '/')}/000002.log`, Buffer.from(text(1))],
        [
          `${roots[1]}${day.replaceAll('-', '/')}/000001.log.gz`,
          Buffer.concat([gzipSync(text(2).slice(0, 200)), gzipSync(text(2).slice(200))]),
        ],
        [`${roots[1]}${day.replaceAll('-', '/')}/000002.log`, Buffer.from(text(3))],
      ];
      for (const [key, bytes] of objects) {
        await put(bucket, key, bytes);
        mkdirSync(dirname(join(mirror, key)), { recursive: true });
        writeFileSync(join(mirror, key), bytes);
      }
    }
    await duck.useObjects(mirror);

    const discovered = await discoverDayRoots(s3, { bucket, prefix: '' });
    expect(discovered.roots).toEqual([...roots].sort());
    const all = new AggregateSet();
    const problems = noProblems();
    let records = 0;
    const days = [...byDay.keys()].sort();
    expect(days).toEqual([...WEEK, '2026-11-23']);
    for (const day of days) {
      const listed = await listDayObjects(s3, bucket, discovered.roots, day);
      expect(listed.objects).toHaveLength(4);
      const read = await readDayObjects(s3ObjectSource(s3, bucket), listed.objects);
      expect(read.bytes).toBe(listed.bytes);

      const query = new AggregateSet();
      const queryProblems = noProblems();
      addAthenaRows(await duck.dayRows(day), query, queryProblems);
      expect(snapshot(read.aggregates)).toEqual(snapshot(query));
      expect(read.problems).toEqual(queryProblems);
      expect(read.malformed).toBe(read.problems.noDay + read.problems.invalid);
      all.merge(read.aggregates);
      addProblems(problems, read.problems);
      records += read.records;
    }
    // A day's last minutes came with the next day's objects and were counted all the same.
    expect(all.days.get(`${HTTP_SERVICE}\n2026-11-18`)!.hourly[23]).toBeGreaterThanOrEqual(3);
    // mixedWeek's 6 startTimes and 9 other values, the 6 lines that are no record and the 4 above.
    expect(problems).toEqual({ noDay: 6 + 2, invalid: 9 + 6 + 2, noHour: 0 });
    expect(records + problems.noDay + problems.invalid).toBe(lines.filter(Boolean).length);

    // Every delivery day in: bounded as the local reader bounds them, the days are its days.
    boundDayCallers(all.days.values());
    const file = join(work, 'all.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');
    const local = await aggregateLogs([file], { fast: false });
    expect(snapshot(all)).toEqual(snapshot(local.aggregates));
    expect(problems.noDay + problems.invalid).toBe(local.summary.malformed);
  });

  it('stops with the abort reason', async () => {
    const listed = await listDayObjects(s3, BUCKET, ROOTS, '2026-11-16');
    const controller = new AbortController();
    const pending = readDayObjects(s3ObjectSource(s3, BUCKET), listed.objects, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(
      readDayObjects(s3ObjectSource(s3, BUCKET), listed.objects, { signal: AbortSignal.abort() }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('names an object that is not gzip or text, and one that is gone', async () => {
    await put(BUCKET, 'logs/zstd.log.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]));
    const source = s3ObjectSource(s3, BUCKET);
    await expect(readDayObjects(source, [{ key: 'logs/zstd.log.zst' }])).rejects.toThrow(
      's3://central-logs/logs/zstd.log.zst: the file is zstd-compressed; only plain or gzip-compressed logs can be read',
    );
    await put(BUCKET, 'logs/cut.log.gz', gzipSync('{"a":1}\n').subarray(0, 12));
    await expect(readDayObjects(source, [{ key: 'logs/cut.log.gz' }])).rejects.toThrow(
      /^s3:\/\/central-logs\/logs\/cut\.log\.gz: the gzip data is truncated or corrupt/,
    );
    await expect(readDayObjects(source, [{ key: 'logs/gone.log' }])).rejects.toThrow(
      /^Reading s3:\/\/central-logs\/logs\/gone\.log failed: the object no longer exists \(NoSuchKey\)/,
    );
  });
});
