/** The offline pipeline in-process: small log, bill and price files to a report. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds.js';
import { DataError, UsageError } from '../../src/errors.js';
import { dayRange } from '../../src/model/dates.js';
import { analyzeLocal } from '../../src/pipeline/local.js';
import { renderMarkdown } from '../../src/report/markdown.js';

const work = mkdtempSync(join(tmpdir(), 'lattice-local-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EAST = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
const WEST = 'arn:aws:vpc-lattice:eu-west-1:111122223333:service/svc-0fedcba987654321f';
const DAYS = ['2026-11-20', '2026-11-21'];

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

const LOG = file(
  'access.log',
  DAYS.flatMap((day) =>
    [EAST, WEST].flatMap((serviceArn) =>
      Array.from({ length: 200 }, (_, i) =>
        JSON.stringify({
          serviceArn,
          startTime: `${day}T${String(i % 24).padStart(2, '0')}:15:00Z`,
          responseCode: 200,
          bytesReceived: 1024,
          bytesSent: 1024 * 1024,
          duration: 20,
        }),
      ),
    ),
  ).join('\n'),
);

const bill = (amount: string) => ({
  GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
  ResultsByTime: DAYS.map((day, i) => ({
    TimePeriod: { Start: day, End: i === 0 ? DAYS[1] : '2026-11-22' },
    Groups: [
      { Keys: ['USE1-VpcLattice-Hours'], Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } } },
    ],
    Estimated: false,
  })),
});

const base = { logs: [LOG], thresholds: DEFAULT_THRESHOLDS, now: new Date('2026-11-25T00:00:00Z') };

describe('analyzeLocal', () => {
  it('models every region in the logs from list prices', async () => {
    const { report, stats } = await analyzeLocal(base);
    expect(report.window).toEqual({ start: '2026-11-20', end: '2026-11-22', days: 2 });
    expect(report.services.map((s) => s.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(report.costBasis.method).toBe('modelled');
    expect(report.warnings.join('\n')).toContain('No VPC Lattice prices are known for region eu-west-1');
    expect(stats).toMatchObject({ lines: 800, threads: 1 });
  });

  it('keeps one region with --region and says how many records it left out', async () => {
    const { report } = await analyzeLocal({ ...base, region: 'us-east-1' });
    expect(report.services.map((s) => s.arn)).toEqual([EAST]);
    expect(report.warnings).toContain(
      '400 records of services outside us-east-1 were left out (--region us-east-1).',
    );
    await expect(analyzeLocal({ ...base, region: 'ap-south-1' })).rejects.toThrow(
      new DataError('No access-log record belongs to a service in ap-south-1; check --region.'),
    );
  });

  it('reconciles to a Cost Explorer export: the services and the shared line add up to the bill', async () => {
    const costsFile = file('costs.json', JSON.stringify(bill('1.30')));
    const { report } = await analyzeLocal({ ...base, region: 'us-east-1', costsFile });
    expect(report.costBasis).toMatchObject({ method: 'reconciled', metric: 'UnblendedCost' });
    expect(report.totals.cost).toBe(2.6);
  });

  /** A bill of these usage types and amounts on each of the two days. */
  const billOf = (amounts: Record<string, string>) => ({
    GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
    ResultsByTime: DAYS.map((day, i) => ({
      TimePeriod: { Start: day, End: i === 0 ? DAYS[1] : '2026-11-22' },
      Groups: Object.entries(amounts).map(([usageType, amount]) => ({
        Keys: [usageType],
        Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
      })),
      Estimated: false,
    })),
  });

  it('models costs when the bill holds no Lattice usage type, and says so', async () => {
    const costsFile = file('ec2.json', JSON.stringify(billOf({ 'USE1-BoxUsage:m5.large': '50.00' })));
    const modelled = (await analyzeLocal({ ...base, region: 'us-east-1' })).report;
    const { report } = await analyzeLocal({ ...base, region: 'us-east-1', costsFile });
    expect(report.costBasis.method).toBe('modelled');
    expect(report.totals.cost).toBe(modelled.totals.cost);
    expect(report.warnings.join('\n')).toMatch(
      /ec2\.json was not used: none of its 1 usage types is a VPC Lattice one/,
    );
  });

  it('keeps credits and negative amounts out of services and savings, as their own line', async () => {
    const costsFile = file(
      'credits.json',
      JSON.stringify(
        billOf({
          'USE1-VpcLattice-Hours': '1.30',
          'USE1-VpcLattice-Credit': '-50',
          'USE1-VpcLattice-DataProcessing-Bytes': '-5.4',
        }),
      ),
    );
    const { report } = await analyzeLocal({ ...base, region: 'us-east-1', costsFile });
    expect(report.shared.credits).toBe(-110.8);
    expect(report.totals.cost).toBe(Math.round((2.6 - 110.8) * 100) / 100);
    for (const s of report.services) expect(s.cost.total).toBeGreaterThanOrEqual(0);
    for (const f of report.findings) expect(f.estimatedMonthlySavings ?? 0).toBeGreaterThanOrEqual(0);
    expect(renderMarkdown(report)).toContain('| _credits & refunds_ | -$110.80 | | | | |');
  });

  it('uses the prices of a --prices file', async () => {
    const pricesFile = file('prices.json', JSON.stringify({ 'eu-west-1': { serviceHour: 0.05 } }));
    const { report } = await analyzeLocal({ ...base, pricesFile });
    expect(report.costBasis.prices['eu-west-1']).toMatchObject({ serviceHour: 0.05, perGB: 0.025 });
    expect(report.services.find((s) => s.arn === WEST)!.cost.hours).toBe(2.4);
    expect(report.warnings.join('\n')).not.toContain('eu-west-1');
  });

  it('names the flag and the file of a bad input', async () => {
    await expect(analyzeLocal({ ...base, costsFile: join(work, 'none.json') })).rejects.toThrow(
      new UsageError(`--costs ${join(work, 'none.json')}: the file does not exist.`),
    );
    const broken = file('broken.json', '{"ResultsByTime": [');
    await expect(analyzeLocal({ ...base, costsFile: broken })).rejects.toThrow(
      /--costs .*broken\.json: the Cost Explorer response is not valid JSON/,
    );
    const prices = file('bad-prices.json', JSON.stringify({ Europe: {} }));
    await expect(analyzeLocal({ ...base, pricesFile: prices })).rejects.toThrow(
      '"Europe" is not an AWS region name',
    );
  });

  it('reads a file reached by several paths once and names the first five of them', async () => {
    const links = join(work, 'links');
    mkdirSync(links);
    for (let i = 1; i <= 7; i++) symlinkSync(LOG, join(links, `copy-${i}.log`));
    const { report, stats } = await analyzeLocal({ ...base, logs: [LOG, links] });
    expect(stats.lines).toBe(800);
    expect(report.source.files).toEqual([LOG]);
    const named = report.warnings.filter((w) => w.includes('is the same file as'));
    expect(named).toEqual(
      [1, 2, 3, 4, 5].map(
        (i) =>
          `${join(links, `copy-${i}.log`)} is the same file as ${LOG} (a link or a second path to it); it is read once.`,
      ),
    );
    expect(report.warnings).toContain(
      '… and 2 more paths that lead to a file already read; each file is read once.',
    );
  });

  it('says which days the logs cover when the window holds none of them', async () => {
    await expect(analyzeLocal({ ...base, start: '2026-11-01', end: '2026-11-08' })).rejects.toThrow(
      'No access-log record falls in the window 2026-11-01 to 2026-11-08 (exclusive); the logs cover 2026-11-20 to 2026-11-21.',
    );
  });
});

describe('analyzeLocal with records far from the rest', () => {
  const STRAY = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0aaaaaaaaaaaaaaa1';
  const record = (serviceArn: string, startTime: string): string =>
    JSON.stringify({
      serviceArn,
      startTime,
      responseCode: 200,
      bytesReceived: 10,
      bytesSent: 10,
      duration: 5,
    });
  /** The 800 lines of LOG with `extra` around them: the first half before, the rest after. */
  const withLines = (name: string, extra: string[]): string => {
    const half = Math.ceil(extra.length / 2);
    const log = readFileSync(LOG, 'utf8');
    return file(name, [...extra.slice(0, half), log, ...extra.slice(half)].join('\n'));
  };
  // Promptly: the runs that looped or ran out of memory took minutes before failing.
  const PROMPTLY = 10_000;

  it.each([['0000-01-01T00:00:00Z'], ['1970-01-01T00:00:00Z'], ['9999-12-31T23:59:59Z']])(
    'reads a record from %s as a malformed line',
    async (startTime) => {
      const logs = [
        withLines(`year-${startTime.slice(0, 4)}.log`, [record(STRAY, startTime), record(EAST, startTime)]),
      ];
      const { report } = await analyzeLocal({ ...base, logs });
      expect(report.window).toEqual({ start: '2026-11-20', end: '2026-11-22', days: 2 });
      expect(report.source).toMatchObject({ records: 800, malformed: 2 });
      expect(report.source.malformedSamples[0]).toMatchObject({
        line: 1,
        reason: `startTime ${startTime} is outside the years 2000-2100`,
      });
      expect(report.warnings).toContain('Skipped 2 malformed log line(s) of 802; samples are listed below.');
      expect(report.totals.requests).toBe(800);
      expect(report.services.map((s) => s.arn).sort()).toEqual([WEST, EAST]);
    },
    PROMPTLY,
  );

  it('reads a startTime without a zone as a malformed line, never in the local zone', async () => {
    const logs = [withLines('no-zone.log', [record(EAST, '2026-11-21T10:00:00')])];
    const { report } = await analyzeLocal({ ...base, logs });
    expect(report.totals.requests).toBe(800);
    expect(report.source.malformedSamples).toEqual([
      {
        file: logs[0],
        line: 1,
        reason: 'startTime has no time zone (Lattice writes UTC, ending in Z): "2026-11-21T10:00:00"',
      },
    ]);
  });

  it('reads a startTime with an offset as a malformed line, as the Logs Insights query does', async () => {
    const logs = [
      withLines('offset.log', [
        record(EAST, '2026-11-22T00:30:00+01:00'),
        record(EAST, '2026-11-21T23:30:00-02:00'),
      ]),
    ];
    const { report } = await analyzeLocal({ ...base, logs });
    expect(report.source.malformed).toBe(2);
    expect(report.source.malformedSamples[0]!.reason).toBe(
      'startTime is not in UTC (Lattice writes UTC, ending in Z): "2026-11-22T00:30:00+01:00"',
    );
    expect(report.totals.requests).toBe(800);
  });

  it('leaves records out of the window and the one before it, in one warning', async () => {
    const logs = [
      withLines('stray.log', [
        record(STRAY, '2001-01-01T00:00:00Z'),
        record(STRAY, '2001-01-01T05:00:00Z'),
        record(EAST, '2099-06-01T00:00:00Z'),
      ]),
    ];
    const { report } = await analyzeLocal({ ...base, logs });
    expect(report.window).toEqual({ start: '2026-11-20', end: '2026-11-22', days: 2 });
    expect(report.warnings).toContain(
      '3 records from 2 days outside the window 2026-11-20 to 2026-11-22 and the 2 days before it were left out: ' +
        '2001-01-01 (2 records), 2099-06-01 (1 record).',
    );
    expect(report.source.records).toBe(803);
    expect(report.totals.requests).toBe(800);
    // The service seen only on the left-out day is not billed for the window.
    expect(report.services.map((s) => s.arn).sort()).toEqual([WEST, EAST]);
    expect(report.services.flatMap((s) => s.daily.map((d) => d.date))).not.toContain('2099-06-01');
    const clean = await analyzeLocal(base);
    expect(report.totals.cost).toBe(clean.report.totals.cost);
  });

  it('applies the same warning with --start and --end, and keeps the previous window', async () => {
    const logs = [withLines('explicit.log', [record(EAST, '2026-11-10T00:00:00Z')])];
    const { report } = await analyzeLocal({ ...base, logs, start: '2026-11-21', end: '2026-11-22' });
    expect(report.window).toEqual({ start: '2026-11-21', end: '2026-11-22', days: 1 });
    expect(report.totals.previous).toMatchObject({ requests: 400 });
    expect(report.warnings).toContain(
      '1 record from 1 day outside the window 2026-11-21 to 2026-11-22 and the 1 day before it was left out: 2026-11-10 (1 record).',
    );
  });

  it('keeps the default window to the last 90 days of data', async () => {
    const days = dayRange('2026-05-01', '2026-11-23');
    const logs = [file('daily.log', days.map((d) => record(EAST, `${d}T12:00:00Z`)).join('\n'))];
    const { report } = await analyzeLocal({ ...base, logs });
    expect(report.window).toEqual({ start: '2026-08-25', end: '2026-11-23', days: 90 });
    expect(report.totals.requests).toBe(90);
    expect(report.totals.previous).toMatchObject({ requests: 90 });
    expect(report.warnings).toContain(
      '26 records from 26 days outside the window 2026-08-25 to 2026-11-23 and the 90 days before it were left out: ' +
        '2026-05-01 (1 record), 2026-05-02 (1 record), 2026-05-03 (1 record), 2026-05-04 (1 record), ' +
        '2026-05-05 (1 record) and 21 more.',
    );
  });

  it(
    'stays small with 500 services and one stray record',
    async () => {
      const arns = Array.from(
        { length: 500 },
        (_, i) =>
          `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-${i.toString(16).padStart(17, '0')}`,
      );
      const lines = DAYS.flatMap((d) => arns.map((arn) => record(arn, `${d}T08:00:00Z`)));
      for (const stray of ['1970-01-01T00:00:00Z', '2001-01-01T00:00:00Z']) {
        const logs = [file('many.log', [record(arns[0]!, stray), ...lines].join('\n'))];
        const { report } = await analyzeLocal({ ...base, logs });
        expect(report.window.days).toBeLessThanOrEqual(90);
        expect(report.window).toEqual({ start: '2026-11-20', end: '2026-11-22', days: 2 });
        expect(report.services).toHaveLength(500);
        expect(report.totals.requests).toBe(1000);
        expect(report.warnings.join('\n')).toContain(
          stray.startsWith('1970')
            ? 'Skipped 1 malformed log line(s) of 1001'
            : '1 record from 1 day outside the window 2026-11-20 to 2026-11-22 and the 2 days before it was left out: 2001-01-01 (1 record).',
        );
      }
    },
    PROMPTLY,
  );
});
