import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregateSet, dayFromJSON, dayToJSON } from '../../src/model/aggregate.js';
import { DayCache, isSettled } from '../../src/cache/day-cache.js';

const ARN = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
const scope = { account: '111122223333', region: 'us-east-1', logGroups: ['/b', '/a'], fingerprint: 'q1' };

function scan(): {
  aggregates: AggregateSet;
  bytesScanned: number;
  problems: { noDay: number; invalid: number; noHour: number };
} {
  const aggregates = new AggregateSet();
  for (const [hour, duration, caller] of [
    [3, 12, '111122223333/vpc-0a1b2c3d4e5f60718|444455556666'],
    [23, 0, '-|-'],
    [23, 4567.5, '111122223333/vpc-0a1b2c3d4e5f60718|444455556666'],
  ] as const) {
    aggregates.add({
      serviceArn: ARN,
      kind: 'http',
      caller,
      day: '2026-11-20',
      hour,
      duration,
      responseCode: 503,
      grpcStatus: null,
      bytesReceived: 10,
      bytesSent: 20,
      authDenied: false,
      hostHeader: null,
    });
  }
  return { aggregates, bytesScanned: 12_345, problems: { noDay: 1, invalid: 2, noHour: 3 } };
}

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) found.push(join(entry.parentPath, entry.name));
  }
  return found;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'day-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('isSettled', () => {
  it('waits the settling margin after the day ends', () => {
    expect(isSettled('2026-11-20', new Date('2026-11-21T23:59:59Z'), 1)).toBe(false);
    expect(isSettled('2026-11-20', new Date('2026-11-22T00:00:00Z'), 1)).toBe(true);
    expect(isSettled('2026-11-20', new Date('2026-11-21T06:00:00Z'), 0.25)).toBe(true);
  });
});

describe('DayCache', () => {
  it('gives back exactly the aggregates it was given, and counts the hit', async () => {
    const warnings: string[] = [];
    const cache = new DayCache(dir, warnings);
    const original = scan();
    await cache.writeScan(scope, '2026-11-20', original);
    const again = new DayCache(dir, warnings);
    const cached = await again.readScan({ ...scope, logGroups: ['/a', '/b'] }, '2026-11-20');
    expect(cached?.aggregates).toEqual([...original.aggregates.days.values()].map(dayToJSON));
    // Callers come back as they went in.
    const back = dayFromJSON(cached!.aggregates[0]!);
    expect([...back.callers]).toEqual([
      ['-|-', { requests: 1, bytes: 30, errors: 1 }],
      ['111122223333/vpc-0a1b2c3d4e5f60718|444455556666', { requests: 2, bytes: 60, errors: 2 }],
    ]);
    expect(cached?.problems).toEqual({ noDay: 1, invalid: 2, noHour: 3 });
    expect(cached?.rowsPerSecond).toBeUndefined();
    expect(again.stats).toMatchObject({ logDaysHit: 1, bytesAvoided: 12_345 });
    expect(warnings).toEqual([]);
  });

  it("keeps a day's Logs Insights row density for the next run's plan", async () => {
    const cache = new DayCache(dir, []);
    await cache.writeScan(scope, '2026-11-20', { ...scan(), rowsPerSecond: 0.75 });
    expect((await new DayCache(dir, []).readScan(scope, '2026-11-20'))?.rowsPerSecond).toBe(0.75);
  });

  it("keeps services' names and creation times per account and region", async () => {
    const warnings: string[] = [];
    const cache = new DayCache(dir, warnings);
    const other = ARN.replace('0123', '9999');
    await cache.writeServices(
      '111122223333',
      'us-east-1',
      new Map([
        [other, { createdAt: '2026-10-01T00:00:00.000Z' }],
        [ARN, { name: 'orders', createdAt: '2026-09-30T12:30:00.000Z' }],
      ]),
    );
    const again = new DayCache(dir, warnings);
    expect([...(await again.readServices('111122223333', 'us-east-1'))]).toEqual([
      [ARN, { name: 'orders', createdAt: '2026-09-30T12:30:00.000Z' }],
      [other, { createdAt: '2026-10-01T00:00:00.000Z' }],
    ]);
    expect((await again.readServices('111122223333', 'eu-west-1')).size).toBe(0);
    expect((await again.readServices('444455556666', 'us-east-1')).size).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('keeps scopes apart: another account, region, log group or day is a miss', async () => {
    const warnings: string[] = [];
    const cache = new DayCache(dir, warnings);
    await cache.writeScan(scope, '2026-11-20', scan());
    expect(await cache.readScan({ ...scope, account: '999999999999' }, '2026-11-20')).toBeUndefined();
    expect(await cache.readScan({ ...scope, region: 'eu-west-1' }, '2026-11-20')).toBeUndefined();
    expect(await cache.readScan({ ...scope, logGroups: ['/a'] }, '2026-11-20')).toBeUndefined();
    expect(await cache.readScan({ ...scope, fingerprint: 'q2' }, '2026-11-20')).toBeUndefined();
    expect(await cache.readScan(scope, '2026-11-21')).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it.each([
    ['not JSON', () => '{"kind": "aggr'],
    ['a wrong shape', (e: Record<string, unknown>) => JSON.stringify({ ...e, bytesScanned: -1 })],
    ['another format version', (e: Record<string, unknown>) => JSON.stringify({ ...e, format: 99 })],
    [
      'an entry of the format before callers (day aggregates without them)',
      (e: Record<string, unknown>) =>
        JSON.stringify({
          ...e,
          format: 2,
          aggregates: (e.aggregates as Array<Record<string, unknown>>).map(({ callers: _, ...day }) => day),
        }),
    ],
    [
      'a caller that is no validated key',
      (e: Record<string, unknown>) =>
        JSON.stringify(e).replace('"-|-"', JSON.stringify('arn:aws:ec2:us-east-1:1:vpc/<b>')),
    ],
    [
      'another query fingerprint',
      (e: Record<string, unknown>) => JSON.stringify({ ...e, fingerprint: 'old' }),
    ],
    [
      'an entry for another account',
      (e: Record<string, unknown>) => JSON.stringify({ ...e, account: '999999999999' }),
    ],
  ])('ignores %s with a warning', async (_what, tamper) => {
    const warnings: string[] = [];
    const cache = new DayCache(dir, warnings);
    await cache.writeScan(scope, '2026-11-20', scan());
    const [file] = await files(dir);
    const entry = JSON.parse(await readFile(file!, 'utf8')) as Record<string, unknown>;
    await writeFile(file!, tamper(entry));
    expect(await cache.readScan(scope, '2026-11-20')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Ignored the cache entry');
  });

  it('keeps settled cost days and usage types per account and metric', async () => {
    const cache = new DayCache(dir, []);
    const charges = { hours: 2.4, data: 0.125, requests: 0, other: 0.01 };
    await cache.writeCosts({ account: '1', metric: 'UnblendedCost' }, '2026-11-20', {
      charges,
      currency: 'USD',
    });
    expect(await cache.readCosts({ account: '1', metric: 'UnblendedCost' }, '2026-11-20')).toEqual({
      charges,
      currency: 'USD',
    });
    expect(await cache.readCosts({ account: '1', metric: 'AmortizedCost' }, '2026-11-20')).toBeUndefined();
    await cache.writeUsageTypes('1', '2026-11-20', ['USE1-VpcLattice-Bytes']);
    expect(await cache.readUsageTypes('1', '2026-11-27', 7)).toEqual(['USE1-VpcLattice-Bytes']);
    expect(await cache.readUsageTypes('1', '2026-11-28', 7)).toBeUndefined();
  });
});
