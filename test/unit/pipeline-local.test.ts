/** The offline pipeline in-process: small log, bill and price files to a report. */
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds.js';
import { DataError, UsageError } from '../../src/errors.js';
import { analyzeLocal } from '../../src/pipeline/local.js';

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
