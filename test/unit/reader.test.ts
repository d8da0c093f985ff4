import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { rmSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  type AggregateOptions,
  type AggregateResult,
  type ReadProgress,
  type ReadSummary,
  aggregateLogs,
} from '../../src/logs/reader.js';
import { resolveLogPaths } from '../../src/logs/paths.js';
import { type DayAggregateJSON, dayToJSON } from '../../src/model/aggregate.js';
import { DataError, UsageError } from '../../src/errors.js';

const SVC_A = 'arn:aws:vpc-lattice:ap-southeast-2:123467890123:service/svc-0cfe1f49ff3266204';
const SVC_B = 'arn:aws:vpc-lattice:ap-southeast-2:123467890123:service/svc-07a1b2c3d4e5f6a7b';

/** A real record (aws-samples/sample-bridge-mode-sidecar README): every field, "-" for missing values. */
function record(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    serviceNetworkArn: 'arn:aws:vpc-lattice:ap-southeast-2:123467890123:servicenetwork/sn-0e05d75deabe9f290',
    resolvedUser:
      'arn:aws:sts::123467890123:assumed-role/BridgeModeStack-EnvoyFrontendTaskRoleA297DB4D-wtHyfwZ8q2Ih/35eccb8b16894449acad6e96287ed1d1',
    listenerType: '-',
    authDeniedReason: '-',
    targetGroupArn: 'arn:aws:vpc-lattice:ap-southeast-2:123467890123:targetgroup/tg-0277f384abfefe8aa',
    sourceVpcArn: 'arn:aws:ec2:ap-southeast-2:123467890123:vpc/vpc-04157e16d89eba97b',
    destinationVpcId: 'vpc-05e207e48696b69b6',
    sourceIpPort: '10.0.183.56:57086',
    listenerId: '-',
    targetIpPort: '172.31.9.231:80',
    failureReason: '-',
    serviceArn: SVC_A,
    sourceVpcId: 'vpc-04157e16d89eba97b',
    startTime: '2024-08-04T11:28:40Z',
    requestMethod: 'GET',
    requestPath: '/',
    protocol: 'HTTP/1.1',
    responseCode: 404,
    bytesReceived: 135,
    bytesSent: 1247,
    duration: 23,
    userAgent: 'curl/8.5.0',
    hostHeader: 'test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws',
    serverNameIndication: 'test2-0cfe1f49ff3266204.7d67968.vpc-lattice-svcs.ap-southeast-2.on.aws',
    requestToTargetDuration: 21,
    responseFromTargetDuration: 0,
    sslCipher: 'ECDHE-RSA-AES128-GCM-SHA256',
    tlsVersion: 'TLSv1.2',
    callerPrincipal:
      'arn:aws:sts::123467890123:assumed-role/BridgeModeStack-EnvoyFrontendTaskRoleA297DB4D-wtHyfwZ8q2Ih/35eccb8b16894449acad6e96287ed1d1',
    callerPrincipalOrgID: '-',
    callerX509IssuerOU: '-',
    callerX509SubjectCN: '-',
    callerX509SANNameCN: '-',
    callerX509SANDNS: '-',
    callerX509SANURI: '-',
    ...overrides,
  };
}

const line = (overrides: Record<string, unknown> = {}): string => JSON.stringify(record(overrides));

/** `aws logs filter-log-events --output json` shape. */
function filterExport(messages: unknown[]): Record<string, unknown> {
  return {
    events: messages.map((message, i) => ({
      logStreamName: 'vpc-lattice-access-logs-2024-08-04',
      timestamp: 1722770920000 + i,
      message,
      ingestionTime: 1722770921000 + i,
      eventId: `3862727498737738848735435454785734534534534534534534${String(i).padStart(2, '0')}`,
    })),
    searchedLogStreams: [{ logStreamName: 'vpc-lattice-access-logs-2024-08-04', searchedCompletely: true }],
    nextToken: 'Bxkq6kVGFtq2y_MoigeqscPOdhXVbhiVtLoAmXb5jCrI7fXLrD',
  };
}

let dir: string;
let counter = 0;

/** Writes a fixture in the temp dir and returns its path. */
async function fixture(name: string, content: string | Buffer): Promise<string> {
  const file = path.join(dir, `${counter++}-${name}`);
  await writeFile(file, content);
  return file;
}

/** What a read gave, in a comparable form. */
interface Read {
  summary: ReadSummary;
  otherRegions: number;
  /** By service ARN (its name from the host header) and by day. */
  services: Record<string, { name?: string; days: Record<string, DayAggregateJSON> }>;
  /** All days' latency together. */
  latency: { count: number; sum: number; min: number; max: number };
}

function describeRead(r: AggregateResult): Read {
  const services: Read['services'] = {};
  for (const s of r.aggregates.services.values()) services[s.arn] = { name: s.name, days: {} };
  const latency = { count: 0, sum: 0, min: Infinity, max: -Infinity };
  for (const day of r.aggregates.days.values()) {
    services[day.serviceArn]!.days[day.day] = dayToJSON(day);
    latency.count += day.latency.count;
    latency.sum += day.latency.sum;
    latency.min = Math.min(latency.min, day.latency.min);
    latency.max = Math.max(latency.max, day.latency.max);
  }
  return { summary: r.summary, otherRegions: r.otherRegions, services, latency };
}

/**
 * Every way in: plain files in one range straight into the aggregates, in ranges of 1,000 bytes
 * merged as if each had run on another thread, and streamed with every line through parseLine.
 */
const MODES: AggregateOptions[] = [{}, { rangeBytes: 1000, isolate: true }, { fast: false }];

/** Reads `patterns` in every mode, expects the same outcome (or error) from each, and returns it. */
async function collect(
  patterns: string[],
  options: AggregateOptions = {},
  modes: readonly AggregateOptions[] = MODES,
): Promise<Read> {
  const outcomes: Array<{ read: Read } | { error: Error }> = [];
  for (const mode of modes) {
    try {
      outcomes.push({ read: describeRead(await aggregateLogs(patterns, { ...mode, ...options })) });
    } catch (error) {
      outcomes.push({ error: error as Error });
    }
  }
  const comparable = (o: (typeof outcomes)[number]): unknown =>
    'read' in o ? o.read : { name: o.error.name, message: o.error.message };
  for (const o of outcomes.slice(1)) expect(comparable(o)).toEqual(comparable(outcomes[0]!));
  const first = outcomes[0]!;
  if ('error' in first) throw first.error;
  return first.read;
}

/** The files resolveLogPaths keeps, when no two paths lead to one file. */
async function keptFiles(patterns: string[]): Promise<string[]> {
  const resolved = await resolveLogPaths(patterns);
  expect(resolved.duplicates).toEqual([]);
  return resolved.files;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Runs `body` with Date.now moving 1 s per call, so that every progress check reports. */
async function withProgressEveryCheck<T>(body: () => Promise<T>): Promise<T> {
  const realNow = Date.now;
  let now = realNow();
  Date.now = () => (now += 1000);
  try {
    return await body();
  } finally {
    Date.now = realNow;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'reader-test-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('aggregateLogs: JSON lines', () => {
  it('reads plain JSONL into day aggregates and reports counts and bytes', async () => {
    const text =
      [line(), line({ serviceArn: SVC_B, responseCode: 200, duration: 5 }), line()].join('\n') + '\n';
    const file = await fixture('access.log', text);
    const { services, summary } = await collect([file]);
    const a = services[SVC_A]!;
    // The host header names the service whose id it carries: SVC_A's, not SVC_B's.
    expect(a.name).toBe('test2');
    expect(a.days['2024-08-04']).toMatchObject({
      requests: 2,
      status: { '2xx': 0, '3xx': 0, '4xx': 2, '5xx': 0 },
      authDenied: 0,
      bytesIn: 270,
      bytesOut: 2494,
      latency: { count: 2, sum: 46, min: 23, max: 23 },
    });
    expect(a.days['2024-08-04']!.hourly[11]).toBe(2);
    expect(services[SVC_B]).toMatchObject({
      name: undefined,
      days: { '2024-08-04': { requests: 1, status: { '2xx': 1 }, latency: { count: 1, sum: 5 } } },
    });
    expect(summary).toEqual({
      files: [file],
      duplicates: [],
      lines: 3,
      records: 3,
      malformed: 0,
      malformedSamples: [],
      bytesRead: Buffer.byteLength(text),
    });
  });

  it('accepts CRLF, a UTF-8 BOM, blank and whitespace-only lines, and no final newline', async () => {
    const text =
      '\uFEFF' + line() + '\r\n\r\n   \r\n' + line({ duration: 7 }) + '\r\n\n\t\n' + line({ duration: 9 });
    const file = await fixture('crlf.log', text);
    const { latency, summary } = await collect([file]);
    expect(latency).toEqual({ count: 3, sum: 39, min: 7, max: 23 });
    expect(summary.lines).toBe(3);
    expect(summary.malformed).toBe(0);
  });

  it('counts malformed lines with 1-based physical line numbers and keeps going', async () => {
    const lines = [
      line(), // 1
      '{"serviceArn": broken', // 2
      '', // 3 (blank, still numbered)
      line({ serviceArn: 'arn:aws:ec2:us-east-1:123456789012:instance/i-1' }), // 4
      line({ duration: -1 }), // 5
      'not json at all', // 6
      line({ startTime: '-' }), // 7
      line({ responseCode: 200 }), // 8
    ];
    const file = await fixture('mixed.log', lines.join('\n'));
    const { latency, summary } = await collect([file]);
    expect(latency.count).toBe(2);
    expect(summary.lines).toBe(7);
    expect(summary.records).toBe(2);
    expect(summary.malformed).toBe(5);
    expect(summary.malformedSamples.map((s) => s.line)).toEqual([2, 4, 5, 6, 7]);
    expect(summary.malformedSamples.every((s) => s.file === file)).toBe(true);
    expect(summary.malformedSamples[0]?.reason).toMatch(/^invalid JSON/);
    expect(summary.malformedSamples[1]?.reason).toMatch(/serviceArn is not a VPC Lattice service ARN/);
    expect(summary.malformedSamples[2]?.reason).toMatch(/duration is not a whole number/);
    expect(summary.malformedSamples[4]?.reason).toBe('startTime is missing');
  });

  it('keeps only the first 20 malformed samples but counts them all', async () => {
    const lines = [line()];
    for (let i = 0; i < 30; i++) lines.push(`bad ${i}`);
    const file = await fixture('many-bad.log', lines.join('\n'));
    const { summary } = await collect([file]);
    expect(summary.malformed).toBe(30);
    expect(summary.malformedSamples).toHaveLength(20);
    expect(summary.malformedSamples[19]?.line).toBe(21);
  });

  it('accepts shuffled field order, numbers as strings and "-" for missing values', async () => {
    const shuffled = Object.fromEntries(Object.entries(record({ duration: 41 })).reverse());
    const stringy = line({ responseCode: '503', bytesReceived: '10', bytesSent: '2048', duration: '12' });
    const dashes = line({
      responseCode: '-',
      bytesReceived: '-',
      bytesSent: '-',
      hostHeader: '-',
      targetIpPort: '-',
      requestToTargetDuration: '-',
      responseFromTargetDuration: '-',
      authDeniedReason: 'Unauthorized: the auth policy denied the request',
      targetGroupArn: '-',
    });
    const file = await fixture('variants.log', [JSON.stringify(shuffled), stringy, dashes].join('\n'));
    const { services, summary } = await collect([file]);
    expect(summary.malformed).toBe(0);
    // 41 (404), then 12 (503, 10 and 2048 bytes), then a denied record without code or bytes: with
    // no HTTP status and no listener type it is taken for a TLS-passthrough connection.
    expect(services[SVC_A]!.days['2024-08-04']).toMatchObject({
      requests: 3,
      connections: 1,
      status: { '2xx': 0, '3xx': 0, '4xx': 1, '5xx': 1 },
      authDenied: 1,
      bytesIn: 145,
      bytesOut: 3295,
      latency: { count: 2, sum: 53, min: 12, max: 41 },
    });
  });

  it('reads a line longer than the 1 MiB read chunk', async () => {
    const huge = line({ requestPath: '/' + 'x'.repeat(3 * 1024 * 1024), duration: 77 });
    const file = await fixture('long.log', [line(), huge, line({ duration: 5 })].join('\n') + '\n');
    const { latency, summary } = await collect([file]);
    expect(latency).toEqual({ count: 3, sum: 105, min: 5, max: 77 });
    expect(summary.lines).toBe(3);
  });

  it('skips a line over 64 MiB as malformed and reads the lines after it', async () => {
    const huge = Buffer.alloc(65 * 1024 * 1024, 0x78);
    const file = await fixture(
      'overlong.log',
      Buffer.concat([Buffer.from(line() + '\n'), huge, Buffer.from('\n' + line({ duration: 3 }) + '\n')]),
    );
    // In ranges of 16 MiB (streamed, in test/unit/fast-scan.test.ts with lower limits).
    const { latency, summary } = await collect([file], {}, [{}]);
    expect(latency).toEqual({ count: 2, sum: 26, min: 3, max: 23 });
    expect(summary.malformedSamples).toEqual([{ file, line: 2, reason: 'line is longer than 64 MiB' }]);
  });

  it('splits correctly when lines and CRLF pairs straddle chunk boundaries', async () => {
    // ~3.5 MiB of varied line lengths puts every kind of boundary inside some chunk.
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(line({ duration: i, requestPath: '/p'.repeat(i % 97) }));
    const text = lines.join('\r\n') + '\r\n';
    const plain = await fixture('boundaries.log', text);
    const gz = await fixture('boundaries.log.gz', gzipSync(text));
    // gzip is streamed in every mode.
    for (const [file, modes] of [
      [plain, MODES],
      [gz, [{}]],
    ] as const) {
      const { latency, summary } = await collect([file], {}, modes);
      expect(summary.malformed).toBe(0);
      expect(latency).toEqual({ count: 3000, sum: (3000 * 2999) / 2, min: 0, max: 2999 });
    }
  });
});

describe('aggregateLogs: JSON lines whose first line is broken', () => {
  it('counts a lone `{` as one malformed line and reads the records after it', async () => {
    const text = ['{', line({ duration: 1 }), line({ duration: 2 }), line({ duration: 3 })].join('\n') + '\n';
    for (const [name, content, modes] of [
      ['brace.log', text, MODES],
      ['brace-crlf.log', '\uFEFF' + text.replace(/\n/g, '\r\n'), MODES],
      ['brace.log.gz', gzipSync(text), [{}]],
    ] as const) {
      const file = await fixture(name, content);
      const { latency, summary } = await collect([file], {}, modes);
      expect(latency).toEqual({ count: 3, sum: 6, min: 1, max: 3 });
      expect(summary).toMatchObject({ lines: 4, records: 3, malformed: 1 });
      expect(summary.malformedSamples).toEqual([
        { file, line: 1, reason: expect.stringMatching(/^invalid JSON/) },
      ]);
    }
  });

  it('counts a cut first record as one malformed line', async () => {
    for (const cut of [line().slice(0, 60), '{"', '{ ', '{"serviceArn']) {
      const file = await fixture(
        'cut-first.log',
        [cut, '', line({ duration: 4 }), line({ duration: 6 })].join('\n'),
      );
      const { latency, summary } = await collect([file]);
      expect(latency).toEqual({ count: 2, sum: 10, min: 4, max: 6 });
      expect(summary.malformedSamples.map((s) => s.line)).toEqual([1]);
    }
  });

  it('looks past broken lines to the first record, even one longer than the bytes looked at', async () => {
    const long = line({ requestPath: '/' + 'x'.repeat(100_000), duration: 5 });
    const file = await fixture(
      'late-record.log',
      ['{', '', '{', '  {', long, line({ duration: 7 })].join('\n'),
    );
    const { latency, summary } = await collect([file]);
    expect(latency).toEqual({ count: 2, sum: 12, min: 5, max: 7 });
    expect(summary.malformedSamples.map((s) => s.line)).toEqual([1, 3, 4]);
  });
});

describe('aggregateLogs: gzip', () => {
  it('detects gzip from the magic bytes, whatever the name; bytesRead is the compressed size', async () => {
    const text = [line(), line({ duration: 8 })].join('\n') + '\n';
    const compressed = gzipSync(text);
    const file = await fixture('delivery.txt', compressed);
    const { latency, summary } = await collect([file]);
    expect(latency).toEqual({ count: 2, sum: 31, min: 8, max: 23 });
    expect(summary.bytesRead).toBe(compressed.length);
  });

  it('reads concatenated gzip members as S3 deliveries contain', async () => {
    const members = Buffer.concat([
      gzipSync(line({ duration: 1 }) + '\n'),
      gzipSync(line({ duration: 2 }) + '\n' + line({ duration: 3 }) + '\n'),
      gzipSync(line({ duration: 4 })),
    ]);
    const file = await fixture('multi.log.gz', members);
    const { latency } = await collect([file]);
    expect(latency).toEqual({ count: 4, sum: 10, min: 1, max: 4 });
  });

  it('fails with a DataError naming a truncated .gz file, not a zlib stack', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 200; i++) lines.push(line({ duration: i }));
    const whole = gzipSync(lines.join('\n'));
    const file = await fixture('cut.log.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const error = await failure(collect([file]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(`${file}: the gzip data is truncated or corrupt (unexpected end of file)`);
  });

  it('fails with a DataError on corrupt gzip data', async () => {
    const whole = gzipSync(line() + '\n' + line());
    const bad = Buffer.from(whole);
    for (let i = 12; i < bad.length - 8; i++) bad[i] = 0xff;
    const file = await fixture('corrupt.log.gz', bad);
    const error = await failure(collect([file]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(new RegExp(`^${escape(file)}: the gzip data is truncated or corrupt \\(`));
  });
});

describe('aggregateLogs: aws logs exports', () => {
  it('reads pretty-printed filter-log-events output (4-space indent, like the AWS CLI)', async () => {
    const exported = filterExport([line({ duration: 1 }), line({ duration: 2 }), line({ duration: 3 })]);
    const file = await fixture('filter.json', JSON.stringify(exported, null, 4) + '\n');
    const { latency, summary } = await collect([file]);
    expect(latency).toEqual({ count: 3, sum: 6, min: 1, max: 3 });
    expect(summary.lines).toBe(3);
  });

  it('reads compact single-line filter-log-events output', async () => {
    const exported = filterExport([line({ duration: 1 }), line({ duration: 2 })]);
    const file = await fixture('filter-compact.json', JSON.stringify(exported));
    const { latency } = await collect([file]);
    expect(latency).toEqual({ count: 2, sum: 3, min: 1, max: 2 });
  });

  it('reads get-log-events output', async () => {
    const exported = {
      events: [line({ duration: 5 }), line({ duration: 6 })].map((message, i) => ({
        timestamp: 1722770920000 + i,
        message,
        ingestionTime: 1722770921000 + i,
      })),
      nextForwardToken: 'f/38627274987377388487354354547857345345345345345345345345',
      nextBackwardToken: 'b/38627274987377388487354354547857345345345345345345345344',
    };
    const file = await fixture('get.json', JSON.stringify(exported, null, 4));
    const { latency } = await collect([file]);
    expect(latency).toEqual({ count: 2, sum: 11, min: 5, max: 6 });
  });

  it('recognises an export whose first key is not events, with a BOM and CRLF', async () => {
    const exported = { nextToken: 'abc', events: [{ timestamp: 1, message: line({ duration: 4 }) }] };
    const text = '\uFEFF' + JSON.stringify(exported, null, 2).replace(/\n/g, '\r\n');
    const file = await fixture('reordered.json', text);
    const { latency } = await collect([file]);
    expect(latency).toEqual({ count: 1, sum: 4, min: 4, max: 4 });
  });

  it('reads pretty-printed records one after another, as `jq .` prints them', async () => {
    const text = [record({ duration: 1 }), { bad: true }, record({ duration: 3 })]
      .map((r) => JSON.stringify(r, null, 2))
      .join('\n');
    const file = await fixture('jq.json', text);
    const { latency, summary } = await collect([file]);
    expect(latency).toEqual({ count: 2, sum: 4, min: 1, max: 3 });
    expect(summary.malformedSamples).toEqual([
      { file, line: 2, reason: 'serviceArn and resourceConfigurationArn are missing' },
    ]);

    const cut = await fixture('jq-cut.json', text.slice(0, text.length - 40));
    const error = await failure(collect([cut]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(
      new RegExp(`^${escape(cut)}: the pretty-printed JSON is not valid JSON or is truncated`),
    );
  });

  it('reads a gzipped export', async () => {
    const exported = filterExport([line({ duration: 11 })]);
    const file = await fixture('filter.json.gz', gzipSync(JSON.stringify(exported, null, 4)));
    const { latency } = await collect([file]);
    expect(latency).toEqual({ count: 1, sum: 11, min: 11, max: 11 });
  });

  it('counts bad events with their 1-based event index', async () => {
    const exported = filterExport([line(), 'plain text message', line({ duration: 'slow' }), line()]);
    (exported.events as Record<string, unknown>[]).push({ timestamp: 1, ingestionTime: 2 });
    const file = await fixture('bad-events.json', JSON.stringify(exported, null, 4));
    const { summary } = await collect([file]);
    expect(summary.records).toBe(2);
    expect(summary.lines).toBe(5);
    expect(summary.malformedSamples.map((s) => [s.line, s.reason.slice(0, 20)])).toEqual([
      [2, 'invalid JSON (Unexpe'],
      [3, 'duration is not a wh'],
      [5, 'the event has no "me'],
    ]);
  });

  it('streams an export with many events', async () => {
    const messages: string[] = [];
    for (let i = 0; i < 5000; i++) messages.push(line({ duration: i }));
    const file = await fixture('big-export.json', JSON.stringify(filterExport(messages), null, 4));
    // Exports are streamed in every mode.
    const { summary } = await collect([file], {}, [{}]);
    expect(summary.records).toBe(5000);
  });

  it('fails with a DataError naming a truncated export', async () => {
    const text = JSON.stringify(filterExport([line(), line()]), null, 4);
    const file = await fixture('cut.json', text.slice(0, Math.floor(text.length * 0.7)));
    const error = await failure(collect([file]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(
      new RegExp(`^${escape(file)}: the CloudWatch Logs export is not valid JSON or is truncated`),
    );
  });

  it('fails with a DataError for an export with no events, or a JSON document of another shape', async () => {
    const empty = await fixture(
      'no-events.json',
      JSON.stringify({ events: [], searchedLogStreams: [] }, null, 4),
    );
    const other = await fixture(
      'query-results.json',
      JSON.stringify({ results: [], status: 'Complete' }, null, 4),
    );
    for (const file of [empty, other]) {
      const error = await failure(collect([file]));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toBe(
        `${file}: no log events found (expected an "events" array as printed by aws logs filter-log-events or get-log-events)`,
      );
    }
  });
});

describe('aggregateLogs: bad files', () => {
  it('rejects an empty file, and one with only blank lines', async () => {
    for (const content of ['', '\n\r\n  \n']) {
      const file = await fixture('empty.log', content);
      const error = await failure(collect([file]));
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toBe(`${file}: the file is empty (no log lines)`);
    }
  });

  it('rejects a file whose lines are all malformed, naming the count and the first reason', async () => {
    const file = await fixture('all-bad.log', ['{"a":1}', 'nope', line({ serviceArn: '-' })].join('\n'));
    const error = await failure(collect([file]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(
      `${file}: none of its 3 lines is a valid VPC Lattice access-log record (line 1: serviceArn and resourceConfigurationArn are missing)`,
    );
  });

  it('names other archive formats and UTF-16 instead of reporting every line as malformed', async () => {
    const zip = await fixture('logs.zip', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00]));
    expect((await failure(collect([zip]))).message).toBe(
      `${zip}: the file is a zip archive; only plain or gzip-compressed logs can be read`,
    );
    const utf16 = await fixture('ps.json', Buffer.from('\uFEFF' + line(), 'utf16le'));
    const error = await failure(collect([utf16]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toMatch(/is UTF-16 encoded; save it as UTF-8/);
  });

  it('turns a read error (EISDIR) into a DataError naming the file', async () => {
    const sub = path.join(dir, `swap-${counter++}`);
    await mkdir(sub);
    const first = path.join(sub, 'a.log');
    const second = path.join(sub, 'b.log');
    await writeFile(first, line());
    await writeFile(second, line());
    // b.log is listed before reading starts, then becomes a directory while a.log is read.
    const swap = (): void => {
      rmSync(second, { recursive: true, force: true });
      mkdirSync(second);
    };
    for (const mode of MODES) {
      await writeFile(first, line());
      rmSync(second, { recursive: true, force: true });
      await writeFile(second, line());
      let swapped = false;
      const onProgress = (): void => {
        if (swapped) return;
        swapped = true;
        swap();
      };
      const error = await failure(
        withProgressEveryCheck(() => aggregateLogs([sub], { ...mode, onProgress })),
      );
      expect(error).toBeInstanceOf(DataError);
      expect(error.message).toBe(`${second}: cannot read the file (EISDIR: it is a directory)`);
    }
  });

  const nonRoot = process.getuid?.() === 0 ? it.skip : it;
  nonRoot('turns EACCES into a DataError naming the file', async () => {
    const file = await fixture('secret.log', line());
    await chmod(file, 0o000);
    const error = await failure(collect([file]));
    expect(error).toBeInstanceOf(DataError);
    expect(error.message).toBe(`${file}: cannot read the file (EACCES: permission denied)`);
  });
});

describe('resolveLogPaths', () => {
  it('walks directories recursively, skips hidden entries, includes every regular file, sorts', async () => {
    const root = path.join(dir, `tree-${counter++}`);
    const day = path.join(root, 'AWSLogs', '123467890123', 'VpcLattice', 'AccessLogs', '2024', '08', '04');
    await mkdir(day, { recursive: true });
    await mkdir(path.join(root, '.git'), { recursive: true });
    await writeFile(path.join(root, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(path.join(root, '.hidden.log'), line());
    await writeFile(path.join(day, 'b_vpclattice_accesslog_1.log.gz'), gzipSync(line()));
    await writeFile(path.join(day, 'a-no-extension'), line());
    await writeFile(path.join(root, 'z.json'), line());
    await symlink(path.join(root, 'z.json'), path.join(root, 'link-to-z'));
    await symlink(root, path.join(day, 'loop')); // must not recurse forever
    await symlink(path.join(root, 'missing'), path.join(root, 'dangling'));

    const { files, duplicates } = await resolveLogPaths([root]);
    // z.json and the link to it are one file, kept under the name that sorts first.
    expect(files).toEqual([
      path.join(day, 'a-no-extension'),
      path.join(day, 'b_vpclattice_accesslog_1.log.gz'),
      path.join(root, 'link-to-z'),
    ]);
    expect(duplicates).toEqual([{ path: path.join(root, 'z.json'), sameAs: path.join(root, 'link-to-z') }]);
    const { summary } = await collect([root]);
    expect(summary.files).toEqual(files);
    expect(summary.records).toBe(3);
  });

  it('keeps relative paths relative and deduplicates the same file named twice', async () => {
    const file = await fixture('rel.log', line());
    const relative = path.relative(process.cwd(), file);
    const { files, duplicates } = await resolveLogPaths([relative, `./${relative}`, file, dir]);
    expect(files.filter((f) => path.resolve(f) === file)).toEqual([relative]);
    // One path spelled three ways is not a second path to the file.
    expect(duplicates.filter((d) => path.resolve(d.path) === file)).toEqual([]);
    const { summary } = await collect([relative, `./${relative}`]);
    expect(summary.files).toEqual([relative]);
    expect(summary.duplicates).toEqual([]);
    expect(summary.records).toBe(1);
  });

  it('expands globs, including directories they match, relative like the pattern', async () => {
    const root = path.join(dir, `glob-${counter++}`);
    await mkdir(path.join(root, 'day1'), { recursive: true });
    await mkdir(path.join(root, 'day2', 'deep'), { recursive: true });
    await writeFile(path.join(root, 'day1', 'a.log'), line());
    await writeFile(path.join(root, 'day1', 'b.txt'), line());
    await writeFile(path.join(root, 'day2', 'deep', 'c.log'), line());
    const rel = path.relative(process.cwd(), root);

    expect(await keptFiles([`${rel}/**/*.log`])).toEqual([
      path.join(rel, 'day1', 'a.log'),
      path.join(rel, 'day2', 'deep', 'c.log'),
    ]);
    expect(await keptFiles([`${root}/day*`])).toEqual([
      path.join(root, 'day1', 'a.log'),
      path.join(root, 'day1', 'b.txt'),
      path.join(root, 'day2', 'deep', 'c.log'),
    ]);
    expect(await keptFiles([`${root}/**`])).toHaveLength(3);
  });

  it('treats an existing path with glob characters literally', async () => {
    const file = await fixture('[literal].log', line());
    expect(await keptFiles([file])).toEqual([file]);
  });

  it('throws a UsageError for a missing path, a glob without matches and an empty directory', async () => {
    const missing = path.join(dir, 'nope.log');
    let error = await failure(resolveLogPaths([missing]));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`log path ${missing} does not exist`);

    const glob = path.join(dir, 'nothing-*.gz');
    error = await failure(aggregateLogs([glob]));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(`log path pattern ${glob} matched no files`);

    const empty = path.join(dir, `empty-dir-${counter++}`);
    await mkdir(path.join(empty, '.git'), { recursive: true });
    await writeFile(path.join(empty, '.git', 'config'), '');
    error = await failure(resolveLogPaths([empty]));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(
      `log directory ${empty} contains no files (hidden files and directories are skipped)`,
    );

    expect(await failure(resolveLogPaths([]))).toBeInstanceOf(UsageError);
  });
});

describe('aggregateLogs: progress and abort', () => {
  it('reports progress while reading and once at the end with the totals', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) lines.push(line({ duration: i }));
    const text = lines.join('\n') + '\n';
    const file = await fixture('progress.log', text);
    const gz = await fixture('progress.log.gz', gzipSync(text));
    const plainModes = [{}, { rangeBytes: 100_000, isolate: true }, { fast: false }];
    for (const [name, size, modes] of [
      [file, Buffer.byteLength(text), plainModes],
      [gz, (await stat(gz)).size, [{}]],
    ] as const) {
      for (const mode of modes) {
        const calls: ReadProgress[] = [];
        const { summary } = await withProgressEveryCheck(() =>
          aggregateLogs([name], { ...mode, onProgress: (p) => calls.push(p) }),
        );
        expect(summary.records).toBe(6000);
        // The last call carries the totals; the earlier ones (time-based) only ever grow.
        expect(calls.length).toBeGreaterThan(1);
        expect(calls.at(-1)).toEqual({ bytesRead: size, lines: 6000, files: 1 });
        for (let i = 1; i < calls.length; i++) {
          expect(calls[i]!.lines).toBeGreaterThanOrEqual(calls[i - 1]!.lines);
          expect(calls[i]!.bytesRead).toBeGreaterThanOrEqual(calls[i - 1]!.bytesRead);
        }
      }
    }
  });

  it('drops the days before pruneBefore as it reads, counting their requests, and keeps the rest exactly', async () => {
    // Ten days, each twice (a run of 300 records, then another later), two services: a day's run
    // spans chunks and ranges, so a scanner holds a day across the drops, and days come back.
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const day = String(1 + (Math.floor(i / 300) % 10)).padStart(2, '0');
      lines.push(
        line({
          startTime: `2024-08-${day}T0${i % 10}:00:00Z`,
          duration: i % 97,
          serviceArn: i % 3 ? SVC_A : SVC_B,
        }),
      );
    }
    const text = lines.join('\n') + '\n';
    const file = await fixture('prune.log', text);
    const gz = await fixture('prune.log.gz', gzipSync(text));
    const cut = '2024-08-06';
    for (const [name, modes] of [
      [file, [{}, { rangeBytes: 50_000, isolate: true }, { fast: false }]],
      [gz, [{}]],
    ] as const) {
      for (const mode of modes) {
        const whole = await aggregateLogs([name], mode);
        const asked: number[] = [];
        const pruned = await withProgressEveryCheck(() =>
          aggregateLogs([name], {
            ...mode,
            pruneBefore: (sets) => {
              asked.push(sets.length);
              return cut;
            },
          }),
        );
        expect(asked.length).toBeGreaterThan(1);
        const kept = [...whole.aggregates.days.values()].filter((d) => d.day >= cut).map(dayToJSON);
        expect([...pruned.aggregates.days.values()].map(dayToJSON)).toEqual(kept);
        const dropped = new Map<string, number>();
        for (const d of whole.aggregates.days.values()) {
          if (d.day < cut) dropped.set(d.day, (dropped.get(d.day) ?? 0) + d.requests);
        }
        expect(new Map([...pruned.aggregates.dropped].sort())).toEqual(new Map([...dropped].sort()));
        expect([...dropped.values()].reduce((a, b) => a + b, 0)).toBe(3000);
        // Both services are still known, for the window's length.
        expect(pruned.aggregates.services.size).toBe(2);
        expect(pruned.summary.records).toBe(6000);
      }
    }
  });

  it('stops when the signal aborts, and passes an error thrown by onProgress through unchanged', async () => {
    const text = Array.from({ length: 3000 }, () => line()).join('\n');
    const files = [await fixture('abort.log', text), await fixture('abort.log.gz', gzipSync(text))];
    for (const file of files) {
      for (const mode of [...MODES, { rangeBytes: 100_000 }]) {
        const controller = new AbortController();
        let seen = 0;
        const onProgress = (): void => {
          seen++;
          controller.abort();
        };
        const error = await failure(
          withProgressEveryCheck(() =>
            aggregateLogs([file], { ...mode, onProgress, signal: controller.signal }),
          ),
        );
        expect(error.name).toBe('AbortError');
        expect(seen).toBe(1);

        const boom = new Error('progress bar broke');
        const thrown = await failure(
          withProgressEveryCheck(() =>
            aggregateLogs([file], {
              ...mode,
              onProgress: () => {
                throw boom;
              },
            }),
          ),
        );
        expect(thrown).toBe(boom);
      }
    }

    const before = new AbortController();
    before.abort();
    expect((await failure(aggregateLogs([files[0]!], { signal: before.signal }))).name).toBe('AbortError');
  });
});

describe('test/fixtures/logs', () => {
  it('holds a small valid sample in each format', async () => {
    const root = path.join('test', 'fixtures', 'logs');
    const counts: Record<string, number> = {};
    for (const name of ['access.log', 'access.log.gz', 'filter-log-events.json']) {
      const { summary } = await collect([path.join(root, name)]);
      expect(summary.malformed).toBe(0);
      counts[name] = summary.records;
    }
    expect(counts).toEqual({ 'access.log': 9, 'access.log.gz': 5, 'filter-log-events.json': 4 });
    const { services, summary } = await collect([root]);
    expect(summary.files).toEqual([
      path.join(root, 'access.log'),
      path.join(root, 'access.log.gz'),
      path.join(root, 'filter-log-events.json'),
    ]);
    let denied = 0;
    for (const s of Object.values(services)) for (const d of Object.values(s.days)) denied += d.authDenied;
    expect(denied).toBe(2);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
