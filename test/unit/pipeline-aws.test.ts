/**
 * The AWS pipeline's wiring in-process: the modules that call AWS (inventory, Logs Insights, Cost
 * Explorer, STS) are mocked with what they return; the day cache, the analysis and the report are
 * real. What each AWS module sends is tested against emulators in test/e2e/aws.test.ts.
 */
import { afterAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_THRESHOLDS } from '../../src/analysis/thresholds.js';
import type { CostRequests, Period } from '../../src/aws/costs.js';
import type { ScanOptions, ScanResult } from '../../src/aws/insights.js';
import { AggregateSet } from '../../src/model/aggregate.js';
import type { BilledCosts } from '../../src/model/costs.js';
import { dayRange } from '../../src/model/dates.js';
import { DataError } from '../../src/errors.js';

const work = mkdtempSync(join(tmpdir(), 'lattice-pipeline-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ARN = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0';
const SILENT = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0fedcba987654321f';
const STRAY = 'arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-00000000000000001';
const END = '2026-11-23';
const NOW = new Date('2026-11-25T06:00:00Z');

/** 1,000 requests a day of the given service: 1 % 5xx, 40-139 ms. */
function traffic(days: string[], arn = ARN): AggregateSet {
  const set = new AggregateSet();
  for (const day of days) {
    for (let i = 0; i < 1000; i++) {
      set.add({
        serviceArn: arn,
        kind: 'http',
        caller: '-|-',
        grpcStatus: null,
        day,
        hour: i % 24,
        duration: 40 + (i % 100),
        responseCode: i % 100 === 0 ? 503 : 200,
        bytesReceived: 500,
        bytesSent: 5000,
        authDenied: false,
        hostHeader: null,
      });
    }
  }
  return set;
}

const scanned: string[][] = [];
const hints: Array<number | undefined> = [];
let extraService: string | undefined;
const scanDays = jest.fn(async (_client: unknown, options: ScanOptions): Promise<ScanResult> => {
  scanned.push(options.days);
  hints.push(options.rowsPerSecond);
  const result: ScanResult = {
    aggregates: new AggregateSet(),
    chunks: new Map(),
    queries: options.days.length,
    queryIds: options.days.map((d) => `q-${d}`),
    bytesScanned: options.days.length * 1000,
    recordsScanned: 0,
    problems: { noDay: 0, invalid: 0, noHour: 0 },
  };
  for (const day of options.days) {
    const chunk = traffic([day]);
    if (extraService) chunk.merge(traffic([day], extraService));
    result.chunks.set(day, {
      aggregates: chunk,
      bytesScanned: 1000,
      rowsPerSecond: 0.5,
      problems: { noDay: 0, invalid: 0, noHour: 0 },
    });
    result.aggregates.merge(chunk);
  }
  return result;
});
jest.unstable_mockModule('../../src/aws/insights.js', () => ({
  scanDays,
  pollDelays: () => ({ min: 1, max: 1 }),
}));

jest.unstable_mockModule('../../src/aws/inventory.js', () => ({
  readInventory: async () => ({
    network: { id: 'sn-1', arn: 'arn:sn', name: 'mesh' },
    services: [
      {
        arn: ARN,
        id: 'svc-0123456789abcdef0',
        region: 'us-east-1',
        account: '111122223333',
        name: 'orders',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
      {
        arn: SILENT,
        id: 'svc-0fedcba987654321f',
        region: 'us-east-1',
        account: '111122223333',
        name: 'quiet',
        // Mid-window: 14 service-hours that day.
        createdAt: '2026-11-19T10:30:00.000Z',
      },
    ],
    resources: [],
    logGroups: ['/aws/vendedlogs/mesh'],
    destinations: [],
    warnings: [],
  }),
  describeServices: async () => undefined,
}));

jest.unstable_mockModule('../../src/aws/credentials.js', () => ({
  callerAccount: async () => '111122223333',
  maskedCredentials: () => {
    throw new Error('no member accounts in these tests');
  },
}));
jest.unstable_mockModule('../../src/aws/clients.js', () => ({
  clientSettings: () => ({ maxAttempts: 1 }),
  createClients: () => ({ destroy: () => undefined }),
  createOrganizationsClient: () => {
    throw new Error('no organization in these tests');
  },
}));

/** One product of the price list: us-east-1 service-hours at $0.025. */
const HOURS_PRODUCT = JSON.stringify({
  product: {
    attributes: { usagetype: 'USE1-VpcLattice-Hours', regionCode: 'us-east-1', group: 'VPC Lattice' },
  },
  terms: {
    OnDemand: { t: { priceDimensions: { d: { unit: 'Hrs', pricePerUnit: { USD: '0.0250000000' } } } } },
  },
  publicationDate: '2026-11-01T00:00:00Z',
});
jest.unstable_mockModule('../../src/aws/price-list.js', () => ({
  readPriceListItems: jest.fn(async () => {
    return { serviceCodes: ['AmazonVPC'], items: [HOURS_PRODUCT], requests: 2 };
  }),
}));

const billedPeriods: Period[] = [];
let costFailure: Error | undefined;
let usageTypes = ['USE1-VpcLattice-Hours'];
const costs = {
  latticeUsageTypes: jest.fn(async (_ce: unknown, _p: Period, requests: CostRequests) => {
    requests.count += 1;
    if (costFailure) throw costFailure;
    return usageTypes;
  }),
  billedCosts: jest.fn(
    async (
      _ce: unknown,
      period: Period,
      _u: string[],
      metric: string,
      requests: CostRequests,
      options: { perResource?: boolean } = {},
    ) => {
      requests.count += 1;
      // As an account that has not opted in to resource-level data.
      if (options.perResource) {
        throw new DataError('Reading per resource failed', {
          cause: Object.assign(new Error('not enabled'), { name: 'DataUnavailableException' }),
        });
      }
      billedPeriods.push(period);
      const bill: BilledCosts = {
        metric,
        currency: 'USD',
        days: new Map(
          dayRange(period.start, period.end).map((d) => [
            d,
            { hours: 1.5, data: 0.2, requests: 0, other: 0 },
          ]),
        ),
        credits: new Map(),
        estimatedDays: new Set(),
        usageTypes: new Map(),
        byResource: new Map(),
        warnings: [],
      };
      return bill;
    },
  ),
  latticeAnomalies: async () => [],
  monthForecast: async () => null,
  backendCosts: async () => new Map([[ARN, 12.5]]),
};
jest.unstable_mockModule('../../src/aws/costs.js', () => costs);

const { analyzeAws } = await import('../../src/pipeline/aws.js');

const settings = {
  region: 'us-east-1',
  serviceNetwork: 'mesh',
  logGroupNames: [],
  lookbackDays: 7,
  endDate: END,
  costMetric: 'UnblendedCost',
  thresholds: DEFAULT_THRESHOLDS,
  now: NOW,
};

beforeEach(() => {
  scanned.length = 0;
  billedPeriods.length = 0;
  costFailure = undefined;
  usageTypes = ['USE1-VpcLattice-Hours'];
  extraService = undefined;
});

describe('analyzeAws', () => {
  it('scans the window and the one before, reconciles to the bill and counts its requests', async () => {
    const { report } = await analyzeAws(settings);
    expect(scanned).toEqual([dayRange('2026-11-09', END)]);
    expect(report.window).toEqual({ start: '2026-11-16', end: END, days: 7 });
    expect(report.costBasis.method).toBe('reconciled');
    // Two services billed 1.5 a day: 7 × 1.5 = 10.5, plus data 7 × 0.2.
    expect(report.totals.cost).toBeCloseTo(7 * 1.7, 2);
    expect(report.services.map((s) => s.name).sort()).toEqual(['orders', 'quiet']);
    expect(report.services.find((s) => s.name === 'orders')).toMatchObject({ requests: 7000 });
    expect(report.run).toMatchObject({
      insights: { queries: 14, bytesScanned: 14_000 },
      // Usage types, the refused per-resource request, and the bill by usage type.
      costExplorer: { requests: 3 },
    });
    expect(report.findings.find((f) => f.service === SILENT)).toMatchObject({ kind: 'idle-service' });
    // The bill covers both services' list-price hours: each keeps its own, from its creation.
    expect(report.services.find((s) => s.name === 'quiet')!.cost.hours).toBeCloseTo((14 + 3 * 24) * 0.025, 2);
    expect(report.services.find((s) => s.name === 'orders')!.cost.hours).toBeCloseTo(7 * 24 * 0.025, 2);
    expect(report.warnings.join('\n')).not.toContain('service-hours');
  });

  it('reads settled days from the cache and queries only the rest', async () => {
    const cache = { dir: join(work, 'cache'), settlingDays: 1 };
    const cold = await analyzeAws({ ...settings, cache });
    expect(cold.stats.cacheWritten).toBeGreaterThan(14);
    const warm = await analyzeAws({
      ...settings,
      endDate: '2026-11-24',
      cache,
      now: new Date('2026-11-26T06:00:00Z'),
    });
    expect(scanned.at(-1)).toEqual(['2026-11-23']);
    // The cold run learnt nothing before it scanned; the warm one plans from the cached days.
    expect(hints.slice(-2)).toEqual([undefined, 0.5]);
    expect(billedPeriods.at(-1)).toEqual({ start: '2026-11-23', end: '2026-11-24' });
    expect(warm.report.run.cache).toMatchObject({ logDaysHit: 13, logDaysScanned: 1, costDaysHit: 13 });
    expect(warm.report.run.cache!.savedUsd).toBeGreaterThan(0);
  });

  it("keeps the logs' story when Cost Explorer cannot be read, and says so", async () => {
    costFailure = new Error('AccessDeniedException: not authorized to perform ce:GetDimensionValues');
    const { report } = await analyzeAws(settings);
    expect(report.costBasis.method).toBe('modelled');
    expect(report.services.find((s) => s.name === 'orders')!.requests).toBe(7000);
    expect(report.warnings.join('\n')).toContain(
      'Cost Explorer could not be read, so costs are modelled from list prices: AccessDeniedException',
    );
  });

  it('models costs when Cost Explorer lists no Lattice usage type', async () => {
    usageTypes = [];
    const { report } = await analyzeAws(settings);
    expect(billedPeriods).toEqual([]);
    expect(report.costBasis.method).toBe('modelled');
    expect(report.warnings).toContain(
      'Cost Explorer lists no VPC Lattice usage type for these days, so costs are modelled from list prices.',
    );
  });

  it('puts the backend cost of cost-tag-key on its service', async () => {
    const { report } = await analyzeAws({ ...settings, costTagKey: 'lattice-service' });
    expect(report.services.find((s) => s.name === 'orders')!.backendCost).toBe(12.5);
    expect(report.services.find((s) => s.name === 'quiet')!.backendCost).toBeUndefined();
  });

  it('includes services in the logs that the network no longer has, with a warning', async () => {
    extraService = STRAY;
    const { report } = await analyzeAws(settings);
    expect(report.services.map((s) => s.arn)).toContain(STRAY);
    expect(report.warnings).toContain(
      '1 service(s) in the logs are not associated with mesh now; they are included.',
    );
    // GetService (mocked here) gave it no creation time.
    expect(report.warnings.join('\n')).toContain('1 service(s) are billed 24 service-hours a day');
  });

  it('refuses an end date after today before any AWS call', async () => {
    await expect(analyzeAws({ ...settings, endDate: '2026-11-30' })).rejects.toThrow(
      'end-date 2026-11-30 is after today (2026-11-25, UTC)',
    );
    expect(scanned).toEqual([]);
  });
});
