import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AggregateSet, type ServiceIdentity, identityFromArn } from '../../src/model/aggregate.js';
import { attributeCosts, chargeTotal, modelDayCost, resolvePrices } from '../../src/analysis/attribution.js';
import { classifyUsageType, parseCostAndUsage } from '../../src/aws/cost-and-usage.js';
import { allocateCents } from '../../src/analysis/money.js';
import { DEFAULT_PRICES, parsePriceOverrides } from '../../src/analysis/prices.js';
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
    expect(billed.days.get('2026-11-01')).toEqual({ hours: 1.2, data: 0.3, requests: 0, other: 0 });
    expect([...billed.estimatedDays]).toEqual(['2026-11-02']);
    expect(billed.warnings.join()).toContain('ignored 1 usage types');
    expect(billed.metric).toBe('UnblendedCost');
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
    expect(resolved.byRegion['xx-north-9']).toEqual(us);
    expect(resolved.warnings).toHaveLength(1);
    expect(resolved.warnings[0]).toContain('xx-north-9');
  });

  it('takes overrides from a price file and rejects unknown keys', () => {
    const overrides = parsePriceOverrides({ 'eu-west-1': { serviceHour: 0.03 } }, 'prices.json');
    expect(overrides['eu-west-1']).toEqual({ ...us, serviceHour: 0.03 });
    expect(resolvePrices(['eu-west-1'], overrides).warnings).toEqual([]);
    expect(() => parsePriceOverrides({ 'eu-west-1': { perHour: 1 } }, 'prices.json')).toThrow(UsageError);
    expect(() => parsePriceOverrides({ 'eu-west-1': { perGB: -1 } }, 'prices.json')).toThrow('non-negative');
  });
});
