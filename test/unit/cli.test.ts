/**
 * The command line in-process: main(argv) with stdout and stderr captured, on small files; the AWS
 * pipeline is mocked for `--aws`. test/e2e/cli.test.ts runs the bundle the way a user does.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/model/report.js';
import { mockAwsPipeline } from '../fakes/aws-pipeline.js';
import { sampleReport } from '../fixtures/report/reports.js';
import { expectInert } from '../helpers/terminal.js';

const { analyzeAws, publishMetrics } = mockAwsPipeline();

const { main } = await import('../../src/cli/main.js');

const work = mkdtempSync(join(tmpdir(), 'lattice-cli-unit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARN = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
const line = (day: string, i: number): string =>
  JSON.stringify({
    serviceArn: ARN,
    startTime: `${day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
    responseCode: i % 50 === 0 ? 503 : 200,
    bytesReceived: 100,
    bytesSent: 1000,
    duration: 10 + (i % 90),
    authDeniedReason: '-',
  });
const LOG = join(work, 'access.log');
writeFileSync(
  LOG,
  ['2026-11-20', '2026-11-21']
    .flatMap((day) => Array.from({ length: 500 }, (_, i) => line(day, i)))
    .join('\n') + '\n',
);

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  analyzeAws.mockClear();
  publishMetrics.mockClear();
});
afterEach(() => {
  jest.restoreAllMocks();
});

describe('usage', () => {
  it('prints help and the version', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(stdout).toContain('analyze --logs PATH');
    stdout = '';
    expect(await main(['--version'])).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('prints help and exits 2 without a command', async () => {
    expect(await main([])).toBe(2);
    expect(stdout).toContain('Usage:');
  });

  it.each([
    [['analyse'], 'unknown command "analyse"'],
    [['analyze'], 'analyze needs at least one --logs PATH'],
    [['analyze', '--logs', LOG, '--bogus'], "'--bogus'"],
    [['analyze', '--logs', LOG, '--start', '2026-13-01'], '--start must be a date as YYYY-MM-DD'],
    [
      ['analyze', '--logs', LOG, '--end', '1970-01-01'],
      '--end must be a date as YYYY-MM-DD in the years 2000-2100 (got "1970-01-01")',
    ],
    [
      ['analyze', '--logs', LOG, '--start', '2020-01-01', '--end', '2026-11-22'],
      '--start 2020-01-01 to --end 2026-11-22 is 2517 days; a window may be at most 366 days.',
    ],
    [['analyze', '--logs', LOG, '--format', 'yaml'], '--format must be one of markdown, json'],
    [['analyze', '--logs', LOG, '--cost-metric', 'Unblended'], '--cost-metric must be one of UnblendedCost'],
    [
      ['analyze', '--logs', LOG, '--latency-p99-ms', 'fast'],
      '--latency-p99-ms must be a non-negative number',
    ],
    [['analyze', '--logs', LOG, '--region', 'Europe'], '--region must be an AWS region name'],
    [['analyze', '--logs', LOG, '--cache-dir', work], '--cache-dir needs --aws'],
    [['analyze', '--aws', '--logs', LOG], '--logs reads local files; it cannot be used with --aws'],
    [
      ['analyze', '--aws', '--region', 'us-east-1', '--lookback-days', '91'],
      '--lookback-days must be a whole number from 1 to 90',
    ],
    [
      ['sample', '--out', join(work, 's.jsonl'), '--services', '8193'],
      '--services must be a whole number from 1 to 8192',
    ],
    [
      ['sample', '--out', join(work, 's.jsonl'), '--days', '5000'],
      '--days must be a whole number from 1 to 366',
    ],
  ])('exits 2 and names the problem: %j', async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(stderr).toContain(message);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(analyzeAws).not.toHaveBeenCalled();
  });

  it('reports every bad flag at once', async () => {
    expect(
      await main(['analyze', '--logs', LOG, '--format', 'x', '--start', 'y', '--error-rate-percent=-1']),
    ).toBe(2);
    expect(stderr).toMatch(/--format[\s\S]*--start[\s\S]*--error-rate-percent/);
  });

  it('needs a region for --aws, from the flag or AWS_REGION', async () => {
    const saved = { region: process.env.AWS_REGION, fallback: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      expect(await main(['analyze', '--aws', '--service-network', 'mesh'])).toBe(2);
      expect(stderr).toContain('--region is required with --aws');
      process.env.AWS_REGION = 'eu-west-1';
      expect(await main(['analyze', '--aws', '--service-network', 'mesh', '--format', 'json'])).toBe(0);
      expect(analyzeAws.mock.calls[0]![0]).toMatchObject({ region: 'eu-west-1' });
    } finally {
      if (saved.region === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved.region;
      if (saved.fallback !== undefined) process.env.AWS_DEFAULT_REGION = saved.fallback;
    }
  });
});

describe('analyze --logs', () => {
  it('prints the JSON report of the files', async () => {
    expect(await main(['analyze', '--logs', LOG, '--format', 'json'])).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.window).toEqual({ start: '2026-11-20', end: '2026-11-22', days: 2 });
    expect(report.services).toHaveLength(1);
    expect(report.services[0]).toMatchObject({ requests: 1000, status: { '2xx': 980, '5xx': 20 } });
    expect(report.costBasis.method).toBe('modelled');
  });

  it('writes report.md and report.json with --out and prints the headline', async () => {
    const out = join(work, 'out');
    expect(await main(['analyze', '--logs', LOG, '--out', out, '--error-rate-percent', '5'])).toBe(0);
    expect(stdout).toMatch(/^VPC Lattice Nov 20 – Nov 21: \$[\d.]+ modelled cost in 2 days · 1,000 requests/);
    expect(stdout).toContain(join(out, 'report.md'));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(report.findings.map((f) => f.kind)).not.toContain('high-error-rate');
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('VPC Lattice cost & performance');
  });

  it('reports the data of a log with a record from year 9999, and names that line', async () => {
    const log = join(work, 'year-9999.log');
    writeFileSync(log, `${readFileSync(LOG, 'utf8')}${line('9999-12-31', 0)}\n`);
    expect(await main(['analyze', '--logs', log, '--format', 'json'])).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report.window).toEqual({ start: '2026-11-20', end: '2026-11-22', days: 2 });
    expect(report.totals.requests).toBe(1000);
    expect(stderr).toBe(
      `warning: skipped 1 malformed line(s); first at ${log}:1001: startTime 9999-12-31T00:00:00Z is outside the years 2000-2100\n`,
    );
  });

  it('exits 1 and names the file when it holds no record', async () => {
    const empty = join(work, 'empty.log');
    writeFileSync(empty, '');
    expect(await main(['analyze', '--logs', empty])).toBe(1);
    expect(stderr).toBe(`error: ${empty}: the file is empty (no log lines)\n`);
  });
});

describe('analyze --aws', () => {
  it('passes the flags to the AWS pipeline as the action passes its inputs', async () => {
    const argv = ['analyze', '--aws', '--region', 'us-east-1', '--service-network', 'mesh'];
    const more = ['--log-group-names', '/a, /b', '--lookback-days', '14', '--end-date', '2026-11-23'];
    const cache = ['--cache-dir', join(work, 'cache'), '--settling-days', '2', '--cost-tag-key', 'svc'];
    expect(
      await main([...argv, ...more, ...cache, '--idle-requests-per-day', '10', '--format', 'json']),
    ).toBe(0);
    expect(analyzeAws.mock.calls[0]![0]).toMatchObject({
      region: 'us-east-1',
      serviceNetwork: 'mesh',
      logGroupNames: ['/a', '/b'],
      lookbackDays: 14,
      endDate: '2026-11-23',
      costMetric: 'UnblendedCost',
      costTagKey: 'svc',
      thresholds: { idleRequestsPerDay: 10, latencyP99Ms: 500 },
      cache: { dir: join(work, 'cache'), settlingDays: 2 },
    });
    expect(JSON.parse(stdout)).toEqual(sampleReport());
    expect(publishMetrics).not.toHaveBeenCalled();
  });

  it('publishes metrics after the report with --publish-metrics; a failure is a warning', async () => {
    publishMetrics.mockRejectedValueOnce(new Error('AccessDenied'));
    const argv = [
      'analyze',
      '--aws',
      '--region',
      'us-east-1',
      '--service-network',
      'mesh',
      '--publish-metrics',
    ];
    expect(await main([...argv, '--format', 'json'])).toBe(0);
    expect(publishMetrics.mock.calls[0]![0]).toEqual({ region: 'us-east-1' });
    expect(stderr).toContain('warning: metrics were not published: AccessDenied\n');
  });
});

describe('--prices', () => {
  it('exits 2 naming the file, the region and the key of a price out of range', async () => {
    const prices = join(work, 'prices.json');
    writeFileSync(prices, JSON.stringify({ 'us-east-1': { perGB: 1e308, freeRequestsPerHour: 0.5 } }));
    expect(await main(['analyze', '--logs', LOG, '--prices', prices])).toBe(2);
    expect(stderr).toContain(`error: ${prices}: us-east-1.perGB must be a number between 0 and 1000`);
    expect(stderr).toContain(`${prices}: us-east-1.freeRequestsPerHour must be a whole number`);
    expect(stderr).not.toContain('internal error');
    expect(stdout).toBe('');
  });
});

describe('text from logs and files on the terminal', () => {
  // A terminal's colour, its CSI in one byte, a right-to-left override, an OSC title, and workflow
  // commands for the Actions runner, in the places log text reaches the CLI's messages.
  const EVIL = '\u001b[31mred\u009b2J\u202eexe\u001b]0;title\u0007';
  const COMMAND = '\n::set-output name=pwned::1\n##[add-mask]x';

  it('escapes a malformed line quoted in the warning, and keeps the JSON report valid', async () => {
    const file = join(work, 'hostile.log');
    const bad = JSON.stringify({ serviceArn: `x${EVIL}`, startTime: '2026-11-20T00:00:00Z', duration: 1 });
    writeFileSync(file, `${bad}\n${readFileSync(LOG, 'utf8')}`);
    expect(await main(['analyze', '--logs', file, '--format', 'json'])).toBe(0);
    expectInert(stderr);
    expectInert(stdout);
    expect(stderr).toContain(`first at ${file}:1: serviceArn is not a VPC Lattice service ARN`);
    expect(stderr).toContain('\\x9b2J\\u202eexe');
    const report = JSON.parse(stdout) as Report;
    expect(report.source.malformedSamples[0]!.reason).toContain('\u009b2J\u202eexe');
  });

  it('escapes a file name in an error and in the warning, newlines included', async () => {
    const empty = join(work, `empty${EVIL}${COMMAND}.log`);
    writeFileSync(empty, '');
    expect(await main(['analyze', '--logs', empty])).toBe(1);
    expectInert(stderr);
    expect(stderr).toContain('\\x1b[31mred');

    stderr = '';
    const named = join(work, `named${COMMAND}.log`);
    writeFileSync(named, `{oops\n${readFileSync(LOG, 'utf8')}`);
    expect(await main(['analyze', '--logs', named, '--out', join(work, 'named-out')])).toBe(0);
    expectInert(stderr);
    expectInert(stdout);
    expect(stderr).toContain(
      'named\\x0a::set-output name=pwned::1\\x0a\\x23#[add-mask]x.log:1: invalid JSON',
    );
  });

  it('escapes a price file key and the usage error that quotes it', async () => {
    const prices = join(work, 'hostile-prices.json');
    writeFileSync(prices, JSON.stringify({ 'us-east-1': { [`perGB${EVIL}${COMMAND}`]: 1 } }));
    expect(await main(['analyze', '--logs', LOG, '--prices', prices])).toBe(2);
    expectInert(stderr);
    expect(stderr).toContain('is not a price; the known ones are serviceHour');
  });

  it('escapes what the AWS pipeline logs and a failure to publish metrics', async () => {
    analyzeAws.mockImplementationOnce(async (options) => {
      (options.log as (message: string) => void)(`Queried log group /x${EVIL}${COMMAND}`);
      const report = sampleReport();
      const first = report.services.find((s) => s.arn === report.findings[0]!.service)!;
      first.name = `svc${EVIL}${COMMAND}`;
      return { report, stats: { seconds: 1, cacheWritten: 0 } };
    });
    publishMetrics.mockRejectedValueOnce(new Error(`AccessDenied${EVIL}${COMMAND}`));
    const argv = ['analyze', '--aws', '--region', 'us-east-1', '--service-network', 'mesh', '--verbose'];
    expect(await main([...argv, '--publish-metrics', '--out', join(work, 'aws-out')])).toBe(0);
    expectInert(stderr);
    expectInert(stdout);
    expect(stderr).toContain('Queried log group /x\\x1b[31mred');
    expect(stderr).toContain('warning: metrics were not published: AccessDenied\\x1b[31m');
    expect(stdout).toContain('Top finding: ');
    expect(stdout).toContain('svc\\x1b[31mred\\x9b2J\\u202eexe\\x1b]0;title\\x07\\x0a::set-output');
  });
});

describe('sample', () => {
  it('writes the asked number of records in the real format', async () => {
    const out = join(work, 'sample.jsonl');
    expect(await main(['sample', '--out', out, '--records', '250', '--services', '3', '--days', '2'])).toBe(
      0,
    );
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(250);
    expect(new Set(lines.map((l) => (JSON.parse(l) as { serviceArn: string }).serviceArn)).size).toBe(3);
    expect(stdout).toContain('Wrote 250 records');
  });
});
