import { describe, expect, it } from '@jest/globals';
import { identityFromArn, AggregateSet } from '../../src/model/aggregate.js';
import { attributeCosts, chargeTotal } from '../../src/analysis/attribution.js';
import { isPriceList, parsePriceList } from '../../src/analysis/price-list.js';
import { DEFAULT_PRICES, resolvePrices } from '../../src/analysis/prices.js';
import { parseCostAndUsage } from '../../src/aws/cost-and-usage.js';
import { latticePriceListItems, latticeUsageType, priceListAnswer } from '../../src/demo/price-list.js';
import { DataError } from '../../src/errors.js';

/** Tokyo's prices from a third-party transcription of the pricing page; only the shape matters here. */
const TOKYO = {
  serviceHour: 0.0325,
  perGB: 0.0325,
  perMillionRequests: 0.13,
  resourceHour: 0.13,
  resourcePerGB: 0.013,
};
const VIRGINIA = { ...DEFAULT_PRICES['us-east-1']!, resourceHour: 0.1, resourcePerGB: 0.01 };

interface PriceItem {
  product: { attributes: Record<string, string> };
  terms: { OnDemand: Record<string, { priceDimensions: unknown }> };
}
const termOf = (item: PriceItem) => Object.values(item.terms.OnDemand)[0]!;

const arn = (n: number, region = 'us-east-1'): string =>
  `arn:aws:vpc-lattice:${region}:111122223333:service/svc-0000000000000000${n}`;

describe('parsePriceList', () => {
  const answer = priceListAnswer([
    ...latticePriceListItems('us-east-1', VIRGINIA),
    ...latticePriceListItems('ap-northeast-1', TOKYO, '2026-11-15'),
  ]);

  it('reads each region’s prices and usage types from the GetProducts answer, skipping other VPC products', () => {
    expect(isPriceList(answer)).toBe(true);
    const list = parsePriceList(answer, 'prices.json');
    expect(list.warnings).toEqual([]);
    expect(list.regions.get('ap-northeast-1')).toEqual({
      service: { serviceHour: 0.0325, perGB: 0.0325, perMillionRequests: 0.13 },
      resource: { resourceHour: 0.13, perGB: 0.013 },
    });
    expect(list.regions.get('us-east-1')!.service).toEqual({
      serviceHour: 0.025,
      perGB: 0.025,
      perMillionRequests: 0.1,
    });
    expect(list.usageTypes.get(latticeUsageType('us-east-1', 'hours'))).toBe('hours');
    expect(list.usageTypes.get(latticeUsageType('us-east-1', 'data'))).toBe('data');
    expect(list.usageTypes.get(latticeUsageType('ap-northeast-1', 'requests'))).toBe('requests');
    // The free allowance names a usage type, at no price.
    expect(list.usageTypes.get(latticeUsageType('us-east-1', 'freeRequests'))).toBe('requests');
    expect(list.usageTypes.get(latticeUsageType('us-east-1', 'resourceHours'))).toBe('other');
    expect(list.usageTypes.has('USE1-VpcEndpoint-Hours')).toBe(false);
    expect(list.published).toBe('2026-11-15');
  });

  it('takes pages, and items as objects as well as JSON strings', () => {
    const items = latticePriceListItems('us-east-1', VIRGINIA);
    const pages = [
      { PriceList: items.slice(0, 3) },
      { PriceList: items.slice(3).map((i) => JSON.stringify(i)) },
    ];
    expect(parsePriceList(pages, 'pages.json').regions.get('us-east-1')!.resource).toEqual({
      resourceHour: 0.1,
      perGB: 0.01,
    });
  });

  it('leaves out, with a warning, a product whose unit it cannot read, and keeps the first of two prices', () => {
    const [hours] = latticePriceListItems('us-east-1', VIRGINIA) as PriceItem[];
    const odd = structuredClone(hours!);
    odd.product.attributes.usagetype = 'USE1-VPCLattice-Odd';
    termOf(odd).priceDimensions = {
      d: { unit: 'Quantity', pricePerUnit: { USD: '1.0' } },
    };
    const dearer = structuredClone(hours!);
    termOf(dearer).priceDimensions = {
      d: { unit: 'Hrs', pricePerUnit: { USD: '0.5' } },
    };
    const list = parsePriceList({ PriceList: [hours, odd, dearer] }, 'p.json');
    expect(list.regions.get('us-east-1')!.service.serviceHour).toBe(0.025);
    expect(list.warnings).toEqual([
      'p.json: 1 VPC Lattice price-list products were left out: no region, no USD price, or a unit that is not hours, GB or requests (USE1-VPCLattice-Odd).',
      'p.json: the price list gives us-east-1 serviceHour more than one price; the first was used.',
    ]);
  });

  it('rejects what is not a price list, or a price that is not a decimal, naming the command', () => {
    expect(() => parsePriceList({ Prices: [] }, 'p.json')).toThrow(
      /p\.json: not a usable AWS Price List answer: it has no PriceList array.*aws pricing get-products/,
    );
    const [hours] = latticePriceListItems('us-east-1', VIRGINIA) as PriceItem[];
    termOf(hours!).priceDimensions = {
      d: { unit: 'Hrs', pricePerUnit: { USD: '0x10' } },
    };
    expect(() => parsePriceList({ PriceList: [hours] }, 'p.json')).toThrow(DataError);
    expect(() => parsePriceList({ PriceList: ['{'] }, 'p.json')).toThrow(/not JSON/);
  });

  it('says a price list with no Lattice product holds no prices, and one with a NextToken is incomplete', () => {
    const vpcOnly = latticePriceListItems('us-east-1', VIRGINIA).slice(-2);
    const list = parsePriceList({ PriceList: vpcOnly, NextToken: 'more' }, 'p.json');
    expect(list.regions.size).toBe(0);
    expect(list.warnings).toEqual([
      'p.json is incomplete: its last page has a NextToken.',
      'p.json holds no VPC Lattice prices.',
    ]);
  });
});

describe('resolvePrices with a price list', () => {
  const list = parsePriceList(
    priceListAnswer(latticePriceListItems('ap-northeast-1', TOKYO, '2026-11-15')),
    'p.json',
  );

  it('gives a region its own prices, with their source and date, never us-east-1’s', () => {
    const { byRegion, warnings } = resolvePrices(['ap-northeast-1'], { priceList: list });
    expect(byRegion['ap-northeast-1']).toEqual({
      service: { serviceHour: 0.0325, perGB: 0.0325, perMillionRequests: 0.13, freeRequestsPerHour: 300_000 },
      resource: { resourceHour: 0.13, perGB: 0.013 },
      source: 'price-list-file',
      published: '2026-11-15',
    });
    expect(warnings).toEqual([]);
  });

  it('says so when the price list lacks a region or a charge', () => {
    const { byRegion, warnings } = resolvePrices(['eu-west-3'], { priceList: list });
    expect(byRegion['eu-west-3']!.source).toBe('us-east-1-fallback');
    expect(warnings).toEqual([
      'The price list has no VPC Lattice prices for eu-west-3; used the built-in us-east-1 prices.',
    ]);
    const partial = parsePriceList(
      { PriceList: latticePriceListItems('ap-northeast-1', TOKYO).slice(0, 1) },
      'p.json',
    );
    expect(resolvePrices(['ap-northeast-1'], { priceList: partial }).warnings).toEqual([
      'The price list gives no GB processed, request, resource-hour, resource GB price for ap-northeast-1; the built-in us-east-1 price was used for it.',
    ]);
  });
});

describe('usage types from the price list', () => {
  const list = parsePriceList(priceListAnswer(latticePriceListItems('us-east-1', VIRGINIA)), 'p.json');
  const bill = (groups: Record<string, string>, keys = ['USAGE_TYPE']) => ({
    GroupDefinitions: keys.map((Key) => ({ Type: 'DIMENSION', Key })),
    ResultsByTime: [
      {
        TimePeriod: { Start: '2026-11-01', End: '2026-11-02' },
        Groups: Object.entries(groups).map(([k, amount]) => ({
          Keys: k.split('|'),
          Metrics: { UnblendedCost: { Amount: amount, Unit: 'USD' } },
        })),
      },
    ],
  });

  it('classifies by the price list, and by name only what it does not list, saying so', () => {
    const warnings: string[] = [];
    const billed = parseCostAndUsage(
      bill({ 'USE1-VPCLattice-Service-Hourly': '2.4', 'USE1-VPCLattice-Requests-Extra': '0.1' }),
      'costs.json',
      'UnblendedCost',
      warnings,
      list.usageTypes,
    )!;
    expect(billed.usageTypes.get('USE1-VPCLattice-Service-Hourly')).toEqual({
      charge: 'hours',
      from: 'price-list',
    });
    expect(billed.usageTypes.get('USE1-VPCLattice-Requests-Extra')).toEqual({
      charge: 'requests',
      from: 'name',
    });
    expect(warnings).toEqual([
      '1 VPC Lattice usage types are not in the price list and were classified by their names: USE1-VPCLattice-Requests-Extra.',
    ]);
  });

  it('books a usage type the price list names as Lattice even when its name does not say so', () => {
    const renamed = new Map([['USE1-Mesh-Hours', 'hours' as const]]);
    const billed = parseCostAndUsage(
      bill({ 'USE1-Mesh-Hours': '1.2' }),
      'c.json',
      'UnblendedCost',
      [],
      renamed,
    )!;
    expect(billed.days.get('2026-11-01')!.hours).toBe(1.2);
  });

  describe('billed per resource', () => {
    const hours = latticeUsageType('us-east-1', 'hours');
    const data = latticeUsageType('us-east-1', 'data');
    const perResource = parseCostAndUsage(
      bill(
        {
          [`${arn(1)}|${hours}`]: '0.6',
          [`${arn(1)}|${data}`]: '0.9',
          [`${arn(2)}|${hours}`]: '0.6',
          [`NoResourceId|${data}`]: '0.4',
          [`arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-gone|${hours}`]: '0.3',
        },
        ['RESOURCE_ID', 'USAGE_TYPE'],
      ),
      'c.json',
      'UnblendedCost',
      [],
      list.usageTypes,
    )!;

    it('keeps each resource’s amounts, and the day’s totals', () => {
      expect(perResource.days.get('2026-11-01')).toEqual({ hours: 1.5, data: 1.3, requests: 0, other: 0 });
      expect(perResource.byResource.get('2026-11-01')!.get(arn(1))).toEqual({
        hours: 0.6,
        data: 0.9,
        requests: 0,
        other: 0,
      });
    });

    it('bills each named service what AWS billed for its ARN; models the rest against what is left', () => {
      const set = new AggregateSet();
      set.day(arn(2), '2026-11-01').bytesIn = 1024 ** 3;
      set.day(arn(3), '2026-11-01').bytesIn = 3 * 1024 ** 3;
      const services = [1, 2, 3].map((n) => identityFromArn(arn(n)));
      const result = attributeCosts({
        services,
        days: ['2026-11-01'],
        dayAggregate: (s, d) => set.days.get(`${s}\n${d}`),
        prices: { 'us-east-1': DEFAULT_PRICES['us-east-1']! },
        billed: perResource,
      });
      const cost = (n: number) => result.services.get(arn(n))!.get('2026-11-01')!;
      expect(cost(1)).toEqual({ hours: 0.6, data: 0.9, requests: 0, other: 0 });
      // Named with hours only: its data is what AWS billed for it, nothing.
      expect(cost(2)).toEqual({ hours: 0.6, data: 0, requests: 0, other: 0 });
      // Not named: the unassigned $0.40 of data is modelled onto it, and no hours were left for it.
      expect(cost(3).data).toBeCloseTo(0.4, 10);
      expect(cost(3).hours).toBe(0);
      // A resource no service is: unallocated, never another service's cost.
      expect(result.shared.get('2026-11-01')!.hours).toBeCloseTo(0.3, 10);
      const total =
        [1, 2, 3].reduce((s, n) => s + chargeTotal(cost(n)), 0) +
        chargeTotal(result.shared.get('2026-11-01')!);
      expect(total).toBeCloseTo(2.8, 10);
      expect(result.method).toBe('billed-per-resource');
      expect(result.billedPerResourceDays).toEqual(['2026-11-01']);
    });
  });
});
