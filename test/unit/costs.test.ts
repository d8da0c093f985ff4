import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AggregateSet, type ServiceIdentity, identityFromArn } from '../../src/model/aggregate.js';
import { attributeCosts, chargeTotal, modelDayCost } from '../../src/analysis/attribution.js';
import { classifyUsageType, parseCostAndUsage } from '../../src/aws/cost-and-usage.js';
import { allocateCents } from '../../src/analysis/money.js';
import { DEFAULT_PRICES, parsePriceOverrides, resolvePrices } from '../../src/analysis/prices.js';
import { DataError, UsageError } from '../../src/errors.js';

const us = DEFAULT_PRICES['us-east-1']!;
const arn = (n: number): string =>
  `arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0000000000000000${n}`;

function costResponse(days: Array<[string, Record<string, string>, boolean?]>): unknown {
  return {
    GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
    ResultsByTime: days.map(([day, amounts, estimated]) => ({
      TimePeriod: { Start: day, End: new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10) },
      Total: {},
      Groups: Object.entries(amounts).map(([usageType, amount]) => ({
        Keys: [usageType],
        Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
      })),
      Estimated: estimated ?? false,
    })),
    DimensionValueAttributes: [],
  };
}

describe('usage types', () => {
  it.each([
    ['USE1-VpcLattice-ServiceHours', 'hours'],
    ['EUW1-VpcLattice-Service-Hrs', 'hours'],
    ['USE1-VpcLattice-DataProcessing-Bytes', 'data'],
    ['USE1-VpcLattice-GB-Processed', 'data'],
    ['USE1-VpcLattice-Requests', 'requests'],
    ['USE1-VpcLattice-TLS-Connections', 'requests'],
    ['USE1-VpcLattice-ResourceConfig-Hours', 'other'],
    ['USE1-VpcLattice-Something', 'other'],
  ])('classifies %s as %s', (usageType, type) => {
    expect(classifyUsageType(usageType)).toBe(type);
  });
});

describe('parseCostAndUsage', () => {
  it('sums amounts per day and charge type and keeps Estimated days', () => {
    const billed = parseCostAndUsage(
      costResponse([
        [
          '2026-11-01',
          {
            'USE1-VpcLattice-ServiceHours': '1.2',
            'USE1-VpcLattice-DataProcessing-Bytes': '0.3',
            'USE1-NatGateway-Bytes': '9',
          },
        ],
        ['2026-11-02', { 'USE1-VpcLattice-ServiceHours': '1.2' }, true],
      ]),
      'costs.json',
    );
    expect(billed!.days.get('2026-11-01')).toEqual({ hours: 1.2, data: 0.3, requests: 0, other: 0 });
    expect([...billed!.estimatedDays]).toEqual(['2026-11-02']);
    expect(billed!.warnings.join()).toContain('ignored 1 usage types');
    expect(billed!.metric).toBe('UnblendedCost');
  });

  it('does not use a bill without Lattice usage types, and says which filter to add', () => {
    const warnings: string[] = [];
    const billed = parseCostAndUsage(
      costResponse([['2026-11-01', { 'USE1-BoxUsage:t3.micro': '50', 'USE1-DataTransfer-Out-Bytes': '9' }]]),
      'costs.json',
      'UnblendedCost',
      warnings,
    );
    expect(billed).toBeUndefined();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^costs\.json was not used: none of its 2 usage types is a VPC Lattice one.*--search-string Lattice.*USAGE_TYPE/,
      ),
    ]);
  });

  it('keeps credits and refunds as their own line, never in a charge type', () => {
    const billed = parseCostAndUsage(
      costResponse([
        ['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '-5.4', 'USE1-VpcLattice-Credit': '-50' }],
        ['2026-11-02', { 'USE1-VpcLattice-ServiceHours': '1.2' }],
      ]),
      'costs.json',
    )!;
    expect(billed.days.get('2026-11-01')).toEqual({ hours: 0, data: 0, requests: 0, other: 0 });
    expect(billed.credits).toEqual(new Map([['2026-11-01', -55.4]]));
    expect(billed.days.get('2026-11-02')).toEqual({ hours: 1.2, data: 0, requests: 0, other: 0 });
  });

  it.each([
    ['', 'is not a decimal number ("")'],
    ['0x10', 'is not a decimal number ("0x10")'],
    [' 1', 'is not a decimal number (" 1")'],
    ['NaN', 'is not a decimal number ("NaN")'],
  ])('rejects the amount %j', (amount, why) => {
    const json = costResponse([['2026-11-01', { 'USE1-VpcLattice-ServiceHours': amount }]]);
    expect(() => parseCostAndUsage(json, 'costs.json')).toThrow(
      `costs.json: not a usable Cost Explorer GetCostAndUsage response: the UnblendedCost amount of USE1-VpcLattice-ServiceHours on 2026-11-01 ${why}`,
    );
  });

  it('accepts the decimal forms Cost Explorer writes', () => {
    const json = costResponse([
      ['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '1.2E-7', 'USE1-VpcLattice-Bytes': '3' }],
    ]);
    expect(parseCostAndUsage(json, 'costs.json')!.days.get('2026-11-01')).toEqual({
      hours: 1.2e-7,
      data: 3,
      requests: 0,
      other: 0,
    });
  });

  it('rejects the same page twice, naming the day', () => {
    const page = costResponse([['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '1.2' }]]);
    expect(() => parseCostAndUsage([page, page], 'costs.json')).toThrow(
      '2026-11-01 holds usage type USE1-VpcLattice-ServiceHours twice (the same page given twice?)',
    );
  });

  it('never mixes currencies: a bill in EUR is an error naming it', () => {
    const json = costResponse([['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '1.2' }]]) as {
      ResultsByTime: Array<{ Groups: Array<{ Metrics: { UnblendedCost: { Unit: string } } }> }>;
    };
    json.ResultsByTime[0]!.Groups[0]!.Metrics.UnblendedCost.Unit = 'EUR';
    expect(() => parseCostAndUsage(json, 'costs.json')).toThrow(
      'costs.json: amounts are in EUR, but the price model is in USD and the two are never mixed.',
    );
  });

  it('says a file whose last page has a NextPageToken is incomplete', () => {
    const json = {
      ...(costResponse([['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '1.2' }]]) as object),
      NextPageToken: 'abc',
    };
    const warnings: string[] = [];
    expect(parseCostAndUsage(json, 'costs.json', 'UnblendedCost', warnings)).toBeDefined();
    expect(warnings).toEqual([
      expect.stringMatching(/^costs\.json is incomplete: its last page has a NextPageToken/),
    ]);
  });

  it.each([
    [{}, 'no ResultsByTime'],
    [{ ResultsByTime: [] }, 'not grouped by the USAGE_TYPE'],
    [
      {
        GroupDefinitions: [{ Type: 'DIMENSION', Key: 'USAGE_TYPE' }],
        ResultsByTime: [{ TimePeriod: { Start: '2026-11-01', End: '2026-12-01' }, Groups: [] }],
      },
      'use --granularity DAILY',
    ],
  ])('explains what is wrong with a bad response (%#)', (json, why) => {
    expect(() => parseCostAndUsage(json, 'costs.json')).toThrow(DataError);
    expect(() => parseCostAndUsage(json, 'costs.json')).toThrow(why);
  });
});

describe('modelDayCost', () => {
  it('prices hours, GB and requests beyond the hourly free tier', () => {
    const set = new AggregateSet();
    const day = set.day(arn(1), '2026-11-01');
    day.bytesIn = 2 * 1024 ** 3;
    day.bytesOut = 1024 ** 3;
    day.hourly[3] = 1_300_000; // 1,000,000 beyond the free 300,000
    day.hourly[4] = 200_000; // within the free tier
    const cost = modelDayCost(day, us);
    expect(cost.hours).toBeCloseTo(0.6, 10);
    expect(cost.data).toBeCloseTo(0.075, 10);
    expect(cost.requests).toBeCloseTo(0.1, 10);
  });

  it('bills the hours the service existed, and no traffic for a day before it', () => {
    const set = new AggregateSet();
    const day = set.day(arn(1), '2026-11-01');
    day.bytesIn = 1024 ** 3;
    const cost = modelDayCost(day, us, 14);
    expect(cost.hours).toBeCloseTo(14 * 0.025, 10);
    expect(cost.data).toBeCloseTo(0.025, 10);
    expect(modelDayCost(undefined, us, 0)).toEqual({ hours: 0, data: 0, requests: 0, other: 0 });
    expect(modelDayCost(undefined, us).hours).toBeCloseTo(0.6, 10);
  });
});

describe('attributeCosts', () => {
  function setup(): { services: ServiceIdentity[]; set: AggregateSet } {
    const set = new AggregateSet();
    const a = set.day(arn(1), '2026-11-01');
    a.bytesIn = 3 * 1024 ** 3;
    const b = set.day(arn(2), '2026-11-01');
    b.bytesIn = 1024 ** 3;
    return { services: [identityFromArn(arn(1)), identityFromArn(arn(2)), identityFromArn(arn(3))], set };
  }

  it('scales data by usage and keeps hours beyond the services seen unallocated', () => {
    const { services, set } = setup();
    const billed = parseCostAndUsage(
      costResponse([
        [
          '2026-11-01',
          {
            'USE1-VpcLattice-ServiceHours': '2.40',
            'USE1-VpcLattice-Bytes': '0.20',
            'USE1-VpcLattice-Other': '0.05',
          },
        ],
      ]),
      'x',
    );
    const result = attributeCosts({
      services,
      days: ['2026-11-01'],
      dayAggregate: (s, d) => set.days.get(`${s}\n${d}`),
      prices: { 'us-east-1': us },
      billed,
    });
    const cost = (n: number) => result.services.get(arn(n))!.get('2026-11-01')!;
    expect(cost(1).data).toBeCloseTo(0.15, 10);
    expect(cost(2).data).toBeCloseTo(0.05, 10);
    expect(cost(3).hours).toBeCloseTo(0.6, 10);
    const shared = result.shared.get('2026-11-01')!;
    expect(shared.hours).toBeCloseTo(0.6, 10); // a fourth service's hours, not seen in the logs
    expect(shared.other).toBeCloseTo(0.05, 10);
    const total = [1, 2, 3].reduce((s, n) => s + chargeTotal(cost(n)), 0) + chargeTotal(shared);
    expect(total).toBeCloseTo(2.65, 10);
    expect(result.method).toBe('reconciled');
  });

  it('bills each service the hours it existed, the rest of the billed hours unallocated', () => {
    const { services, set } = setup();
    const billed = parseCostAndUsage(
      costResponse([['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '2.40' }]]),
      'x',
    );
    const result = attributeCosts({
      services,
      days: ['2026-11-01'],
      dayAggregate: (s, d) => set.days.get(`${s}\n${d}`),
      prices: { 'us-east-1': us },
      billed,
      billableHours: (s) => (s.arn === arn(3) ? 14 : 24),
    });
    const hours = (n: number) => result.services.get(arn(n))!.get('2026-11-01')!.hours;
    expect(hours(1)).toBeCloseTo(0.6, 10);
    expect(hours(3)).toBeCloseTo(14 * 0.025, 10);
    expect(result.shared.get('2026-11-01')!.hours).toBeCloseTo(2.4 - 1.2 - 0.35, 10);
  });

  it('lists days the bill does not cover and models them', () => {
    const { services, set } = setup();
    const billed = parseCostAndUsage(
      costResponse([['2026-11-01', { 'USE1-VpcLattice-ServiceHours': '1.8' }]]),
      'x',
    );
    const result = attributeCosts({
      services,
      days: ['2026-11-01', '2026-11-02'],
      dayAggregate: (s, d) => set.days.get(`${s}\n${d}`),
      prices: { 'us-east-1': us },
      billed,
    });
    expect(result.missingDays).toEqual(['2026-11-02']);
    expect(result.services.get(arn(3))!.get('2026-11-02')!.hours).toBeCloseTo(0.6, 10);
  });
});

describe('allocateCents', () => {
  it('rounds parts so they add up to the rounded whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1000, noNaN: true }), { minLength: 1, maxLength: 60 }),
        (amounts) => {
          const cents = allocateCents(amounts);
          const sum = Math.round(cents.reduce((s, c) => s + c * 100, 0));
          expect(sum).toBe(Math.round(amounts.reduce((s, a) => s + a, 0) * 100));
          cents.forEach((c, i) => expect(Math.abs(c - amounts[i]!)).toBeLessThan(0.01 + 1e-9));
        },
      ),
    );
  });
});

describe('prices', () => {
  it('falls back to us-east-1 with a warning for an unknown region', () => {
    const resolved = resolvePrices(['us-east-1', 'xx-north-9']);
    expect(resolved.byRegion['xx-north-9']!.service).toEqual(us);
    expect(resolved.byRegion['xx-north-9']!.source).toBe('us-east-1-fallback');
    expect(resolved.warnings).toHaveLength(1);
    expect(resolved.warnings[0]).toContain('xx-north-9');
  });

  it('takes overrides from a price file and rejects unknown keys', () => {
    const overrides = parsePriceOverrides({ 'eu-west-1': { serviceHour: 0.03 } }, 'prices.json');
    expect(overrides['eu-west-1']).toEqual({ ...us, serviceHour: 0.03 });
    expect(resolvePrices(['eu-west-1'], { overrides }).warnings).toEqual([]);
    expect(() => parsePriceOverrides({ 'eu-west-1': { perHour: 1 } }, 'prices.json')).toThrow(UsageError);
  });

  /** The message parsePriceOverrides throws for `json`, which must be a UsageError. */
  function problem(json: unknown): string {
    try {
      parsePriceOverrides(json, 'prices.json');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      return (error as Error).message;
    }
    throw new Error('no error');
  }

  it.each([
    [{ perGB: 1e308 }, 'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got 1e+308)'],
    [{ perGB: -1 }, 'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got -1)'],
    [
      { serviceHour: 1000.5 },
      'us-east-1.serviceHour must be a number between 0 and 1000 USD per service-hour (got 1000.5)',
    ],
    [
      { perMillionRequests: 100_001 },
      'us-east-1.perMillionRequests must be a number between 0 and 100000 USD per million requests (got 100001)',
    ],
    [
      { freeRequestsPerHour: 0.5 },
      'us-east-1.freeRequestsPerHour must be a whole number between 0 and 1000000000000 requests per hour (got 0.5)',
    ],
    [
      { freeRequestsPerHour: 1e13 },
      'us-east-1.freeRequestsPerHour must be a whole number between 0 and 1000000000000 requests per hour (got 10000000000000)',
    ],
    [
      { perGB: '0.025' },
      'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got a string "0.025")',
    ],
    [{ perGB: null }, 'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got null)'],
    [{ perGB: true }, 'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got a boolean true)'],
    [{ perGB: [0.02] }, 'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got an array)'],
    [
      { perGB: { usd: 0.02 } },
      'us-east-1.perGB must be a number between 0 and 1000 USD per GB (got an object)',
    ],
    [
      { perGB: 'x'.repeat(100) },
      `us-east-1.perGB must be a number between 0 and 1000 USD per GB (got a string "${'x'.repeat(35)}...")`,
    ],
    [
      { perGb: 0.02 },
      'us-east-1.perGb is not a price; the known ones are serviceHour, perGB, perMillionRequests, freeRequestsPerHour',
    ],
  ])('names the file, the region and the key of a bad price: %j', (prices, message) => {
    const text = problem({ 'us-east-1': prices });
    expect(text).toContain(`prices.json: ${message}`);
    expect(text).toContain('Fix the price file; its shape is {"us-east-1": {"serviceHour": 0.025,');
  });

  it('reads Infinity, as JSON.parse gives it for 1e400, as out of range', () => {
    expect(problem(JSON.parse('{"eu-west-1": {"perGB": 1e400}}'))).toContain(
      'prices.json: eu-west-1.perGB must be a number between 0 and 1000 USD per GB (got Infinity).',
    );
  });

  it('names a region that is not one, and a region that is not an object of prices', () => {
    expect(problem({ Europe: {} })).toContain(
      'prices.json: "Europe" is not an AWS region name such as us-east-1.',
    );
    expect(problem({ 'eu-west-1': 0.025 })).toContain(
      'prices.json: eu-west-1 must be an object of prices (got 0.025).',
    );
    expect(problem([{ 'eu-west-1': {} }])).toContain(
      'prices.json: the price file must be a JSON object of regions (got an array).',
    );
  });

  it('reports every problem at once, one a line', () => {
    const text = problem({ 'us-east-1': { perGB: -1, freeRequestsPerHour: 0.5 }, 'eu-west-1': { perHr: 1 } });
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^prices\.json: us-east-1\.perGB must be/),
      expect.stringMatching(/^prices\.json: us-east-1\.freeRequestsPerHour must be/),
      expect.stringMatching(/^prices\.json: eu-west-1\.perHr is not a price/),
      expect.stringMatching(/^Fix the price file/),
    ]);
  });

  it('accepts the bounds themselves, and zero', () => {
    const max = { serviceHour: 1000, perGB: 1000, perMillionRequests: 100_000, freeRequestsPerHour: 1e12 };
    expect(parsePriceOverrides({ 'us-east-1': max }, 'prices.json')['us-east-1']).toEqual(max);
    const zero = { serviceHour: 0, perGB: 0, perMillionRequests: 0, freeRequestsPerHour: 0 };
    expect(parsePriceOverrides({ 'us-east-1': zero }, 'prices.json')['us-east-1']).toEqual(zero);
  });
});
